// Lints source text as if it lived at a path of the workspace and prints the import-rule findings as
// JSON. Runs in its own process: ESLint loads the flat config with a dynamic import, which Jest's VM
// does not allow. Usage: node lint-imports.mjs <relative file path>  (source on stdin)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const file = process.argv[2];
const code = readFileSync(0, 'utf8');
const importRules = new Set(['no-restricted-imports', '@nx/enforce-module-boundaries']);

const eslint = new ESLint({
  cwd: root,
  // Type information is beside the point: the import rules need only syntax and Nx's project graph.
  overrideConfig: [{ languageOptions: { parserOptions: { projectService: false, project: null } } }],
  ruleFilter: ({ ruleId }) => importRules.has(ruleId),
});
const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
process.stdout.write(JSON.stringify(result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }))));
