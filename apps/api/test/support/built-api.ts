import { execFile, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../../..');

/** Generous: tsc of the whole API, while other test files keep the machine busy. */
export const BUILD_TIMEOUT_MS = 240_000;

export interface BuiltApi {
  /** The compiled `apps/api/src` (main.js, admin-cli/main.js), as the image runs it. */
  srcDir: string;
  remove(): Promise<void>;
}

/**
 * Compiles the API with its build command (apps/api/project.json) into a folder of its own under the
 * workspace's tmp/ (inside the workspace, so node_modules resolves), for tests of the processes the
 * image runs.
 */
export async function buildApi(): Promise<BuiltApi> {
  const outDir = join(ROOT, 'tmp', `api-build-${process.pid}-${Date.now()}`);
  const tsconfig = 'apps/api/tsconfig.app.json';
  await run('npx', ['tsc', '-p', tsconfig, '--outDir', outDir], { cwd: ROOT });
  await run('npx', ['tsc-alias', '-p', tsconfig, '--outDir', outDir], { cwd: ROOT });
  return {
    srcDir: join(outDir, 'apps/api/src'),
    remove: () => rm(outDir, { recursive: true, force: true }),
  };
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node script args…` to its end with only `env` (plus PATH), killing it after `timeoutMs`. */
export function runNode(
  script: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ProcessResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveResult({ code, stdout, stderr });
    });
  });
}
