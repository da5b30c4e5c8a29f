/**
 * Code cites the repository's own docs (docs/architecture.md, docs/wire-formats.md, the READMEs),
 * often by anchor: every document a source file names must be in the repository, and every anchor it
 * cites must be in that document (an `<a id>` or a heading).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SOURCE = /\.(ts|tsx|js|mjs|cjs)$|Dockerfile$|\.conf$|^\.ci\/run$/;
const CITATION = /(?<![\w/.-])((?:[\w-]+\/)*[\w-]+\.md)(?:#([a-z0-9-]+))?/g;

const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((file) => SOURCE.test(file));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(doc: string): Set<string> {
  const text = readFileSync(doc, 'utf8');
  const ids = [...text.matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)].map((match) => match[1]!);
  const headings = [...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1]!));
  return new Set([...ids, ...headings]);
}

/** A cited document, from the citing file's folder or from the repository's root. */
function resolveDoc(file: string, cited: string): string | undefined {
  return [path.join(ROOT, path.dirname(file), cited), path.join(ROOT, cited)].find((doc) => existsSync(doc));
}

it('every document and anchor the code cites is in the repository', () => {
  const problems: string[] = [];
  let citations = 0;
  for (const file of tracked) {
    for (const [, cited, anchor] of readFileSync(path.join(ROOT, file), 'utf8').matchAll(CITATION)) {
      citations += 1;
      const doc = resolveDoc(file, cited!);
      if (!doc) problems.push(`${file}: ${cited} is not in the repository`);
      else if (anchor && !anchorsOf(doc).has(anchor))
        problems.push(`${file}: ${cited}#${anchor} has no such anchor`);
    }
  }
  expect(citations).toBeGreaterThan(20);
  expect(problems).toEqual([]);
});
