// Runs every test tier in one command and closes with one line CI can read:
// Jest (libraries, API and gateway end-to-end, browser tests) and Vitest (the web app's components).
// They run on the `node` first on PATH (under npm, the Node 24 that `npm install` put in
// node_modules); SLUICE_TEST_NODE=/path/to/node runs them, and every `node` they start, on another.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'tmp', 'test-results');
mkdirSync(out, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const extra = process.argv.slice(2);

/** PATH with the chosen Node first: a folder holding only a `node` link, so nothing else is shadowed. */
function pathWithNode(node) {
  if (!node) return process.env.PATH;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-node-'));
  symlinkSync(path.resolve(node), path.join(dir, 'node'));
  return `${dir}${path.delimiter}${process.env.PATH}`;
}
const PATH = pathWithNode(process.env.SLUICE_TEST_NODE);
const nodeVersion = execFileSync('node', ['--version'], { env: { ...process.env, PATH } })
  .toString()
  .trim();
console.log(`Running the tests on Node ${nodeVersion}`);

const runs = [
  {
    name: 'jest',
    command: bin('jest'),
    args: ['--ci', '--json', `--outputFile=${path.join(out, 'jest.json')}`, ...extra],
    read: (json) => ({
      passed: json.numPassedTests,
      failed: json.numFailedTests + json.numRuntimeErrorTestSuites,
      skipped: json.numPendingTests + json.numTodoTests,
    }),
    file: 'jest.json',
  },
];
if (existsSync(path.join(root, 'apps/web/vite.config.ts'))) {
  runs.push({
    name: 'vitest',
    command: bin('vitest'),
    args: [
      'run',
      '--config',
      'apps/web/vite.config.ts',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${path.join(out, 'vitest.json')}`,
    ],
    read: (json) => ({
      passed: json.numPassedTests,
      failed: json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0),
      skipped: json.numPendingTests + json.numTodoTests,
    }),
    file: 'vitest.json',
  });
}

const total = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;
for (const run of runs) {
  const file = path.join(out, run.file);
  // A run that dies before writing its report must not be read from the last run's.
  rmSync(file, { force: true });
  const result = spawnSync(run.command, run.args, {
    cwd: root,
    stdio: 'inherit',
    // Vite's notice about its future config loader, printed on every run, is noise here.
    env: { ...process.env, PATH, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
  if (result.status !== 0) exitCode = 1;
  if (!existsSync(file)) {
    console.error(`${run.name}: no results written (exit ${result.status ?? result.signal})`);
    total.failed += 1;
    exitCode = 1;
    continue;
  }
  const counts = run.read(JSON.parse(readFileSync(file, 'utf8')));
  for (const key of Object.keys(total)) total[key] += counts[key];
}
if (total.passed === 0) exitCode = 1;
console.log(`\nNode ${nodeVersion}`);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(exitCode);
