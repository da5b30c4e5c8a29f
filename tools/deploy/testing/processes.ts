/**
 * Child processes for the image checks: bounded commands (a timeout kills the whole process group)
 * and long-running servers with their output in a file; every server is tracked so a failed test
 * cannot leave one behind. Servers listen on 127.0.0.1 only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chownSync, closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface RunAs {
  uid: number;
  gid: number;
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines of stdout and stderr, interleaved. */
  output: string;
  ms: number;
  timedOut: boolean;
}

export interface CommandOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  runAs?: RunAs | undefined;
}

const KEEP_BYTES = 64 * 1024;

/** Runs argv to completion (or the timeout, which kills its process group). Never throws for a bad exit. */
export function runCommand(argv: string[], options: CommandOptions): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      ...(options.runAs ?? {}),
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > KEEP_BYTES * 2) output = output.slice(-KEEP_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: output.slice(-KEEP_BYTES), ms: Date.now() - started, timedOut });
    });
  });
}

/** The last `count` lines of some output, for failure messages. */
export function tail(output: string, count = 40): string {
  const lines = output.trimEnd().split('\n');
  return lines.slice(-count).join('\n');
}

export interface Server {
  name: string;
  pid: number;
  /** stdout and stderr so far. */
  logs(): string;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** Sends `signal`; SIGKILL after `graceMs`. Resolves with how it ended and how long it took. */
  stop(
    signal?: NodeJS.Signals,
    graceMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; killed: boolean }>;
}

const live = new Set<ChildProcess>();

/**
 * Starts a long-running process; its stdout and stderr go to `logFile` (owned by `runAs`, so a
 * process that reopens /dev/stdout as another user can).
 */
export function startServer(
  name: string,
  argv: string[],
  options: { cwd: string; env: Record<string, string>; logFile: string; runAs?: RunAs | undefined },
): Server {
  const fd = openSync(options.logFile, 'a');
  if (options.runAs) chownSync(options.logFile, options.runAs.uid, options.runAs.gid);
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', fd, fd],
    detached: true,
    ...(options.runAs ?? {}),
  });
  closeSync(fd);
  live.add(child);
  let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      ended = { code, signal };
      live.delete(child);
      resolve(ended);
    });
    child.on('error', () => {
      ended = { code: null, signal: null };
      live.delete(child);
      resolve(ended);
    });
  });
  return {
    name,
    pid: child.pid ?? -1,
    logs: () => {
      try {
        return readFileSync(options.logFile, 'utf8');
      } catch {
        return '';
      }
    },
    exited,
    hasExited: () => ended !== undefined,
    stop: async (signal = 'SIGTERM', graceMs = 10_000) => {
      const started = Date.now();
      if (ended) return { ...ended, ms: 0, killed: false };
      child.kill(signal);
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        killGroup(child, 'SIGKILL');
      }, graceMs);
      const result = await exited;
      clearTimeout(timer);
      // Whatever it started (nginx workers) goes with it.
      killGroup(child, 'SIGKILL');
      return { ...result, ms: Date.now() - started, killed };
    },
  };
}

/** Kills every server still running (afterAll, and on the way out of a failed test). */
export function killAllServers(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `probe` resolves true; the error names `what` and, from `context`, why. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  context: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${last})` : ''}\n${context()}`,
  );
}
