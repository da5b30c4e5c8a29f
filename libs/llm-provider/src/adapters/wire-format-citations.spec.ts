import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Code cites docs/wire-formats.md by anchor: every anchor cited must be there. */
const ROOT = join(__dirname, '../../../..');
const DOC = readFileSync(join(ROOT, 'docs/wire-formats.md'), 'utf8');
const ANCHORS = new Set([...DOC.matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)].map((match) => match[1]));

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') yield* sources(path);
    else if (/\.tsx?$/.test(entry.name)) yield path;
  }
}

it('every anchor of docs/wire-formats.md that apps/ and libs/ cite exists', () => {
  const missing: string[] = [];
  for (const top of ['apps', 'libs']) {
    for (const file of sources(join(ROOT, top))) {
      for (const [, anchor] of readFileSync(file, 'utf8').matchAll(/docs\/wire-formats\.md#([a-z0-9-]+)/g)) {
        if (!ANCHORS.has(anchor)) missing.push(`${relative(ROOT, file)}: #${anchor}`);
      }
    }
  }
  expect(ANCHORS.size).toBeGreaterThan(10);
  expect(missing).toEqual([]);
});
