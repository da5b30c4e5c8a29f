/**
 * Runs the last stage of a built image as its container would run: the same argv (ENTRYPOINT + CMD),
 * the image's WORKDIR and ENV plus the test's environment, as the image's USER when this process may
 * switch users (it runs as root in CI), with HEALTHCHECK run the way Docker runs it.
 *
 * Stand-ins, where this machine replaces the image's own parts: `node` is this machine's node (same
 * major, checked when the image was built); for the nginx image, its entrypoint's template step
 * (envsubst of the variables set, into /etc/nginx/conf.d) is done here, the image paths in the
 * rendered configuration point into the container's directory, and this machine's nginx runs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { BuiltImage, StageResult } from './image-builder';
import { inStage } from './image-builder';
import {
  type CommandResult,
  type RunAs,
  runCommand,
  type Server,
  startServer,
  tail,
  waitUntil,
} from './processes';

export interface Container {
  name: string;
  image: BuiltImage;
  /** The environment the process sees. */
  env: Record<string, string>;
  server: Server;
  /** Runs the image's HEALTHCHECK command once, as Docker would inside the container. */
  healthcheck(): Promise<CommandResult>;
  /** `docker stop`: the image's stop signal, then SIGKILL after `graceMs`. */
  stop(graceMs: number): ReturnType<Server['stop']>;
  logs(): string;
}

export interface StartOptions {
  name: string;
  /** Set on top of the image's ENV (`docker run -e`). */
  env: Record<string, string>;
  /** A scratch directory for this container (logs, HOME, nginx's rendered configuration). */
  dir: string;
}

/** The image's USER as ids, when this process can switch to it (root); undefined otherwise. */
export function runAsFor(stage: StageResult): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const [user, group] = stage.user.split(':');
  const names: Record<string, number> = { root: 0, node: 1000, nginx: 101 };
  const uid = /^\d+$/.test(user ?? '') ? Number(user) : names[user ?? ''];
  if (uid === undefined) throw new Error(`USER ${stage.user}: unknown user name`);
  const gid = group === undefined ? uid : /^\d+$/.test(group) ? Number(group) : (names[group] ?? uid);
  return uid === 0 ? undefined : { uid, gid };
}

export async function startContainer(image: BuiltImage, options: StartOptions): Promise<Container> {
  const stage = image.final;
  mkdirSync(options.dir, { recursive: true });
  const runAs = runAsFor(stage);
  const home = path.join(options.dir, 'home');
  mkdirSync(home, { recursive: true });
  if (runAs) chownSync(home, runAs.uid, runAs.gid);
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    HOSTNAME: options.name,
    ...stage.env,
    ...options.env,
  };

  let argv = commandLine(stage);
  let cwd = inStage(stage.root, stage.workdir);
  if (stage.base.kind === 'node') {
    if (argv[0] === 'node') argv = [imageNode(stage), ...argv.slice(1)];
  } else {
    const prepared = prepareNginx(stage, options.dir, env, runAs);
    argv = prepared.argv;
    cwd = prepared.root;
  }

  const server = startServer(options.name, argv, {
    cwd,
    env,
    logFile: path.join(options.dir, 'output.log'),
    runAs,
  });
  const healthcheck = async (): Promise<CommandResult> => {
    const check = stage.healthcheck;
    if (!check) throw new Error(`${image.dockerfile.file} has no HEALTHCHECK`);
    let hcArgv = Array.isArray(check.command) ? [...check.command] : ['/bin/sh', '-c', check.command];
    if (hcArgv[0] === 'node') hcArgv = [imageNode(stage), ...hcArgv.slice(1)];
    return runCommand(hcArgv, {
      cwd: inStage(stage.root, stage.workdir),
      env,
      timeoutMs: durationMs(check.options['timeout'] ?? '30s'),
      runAs,
    });
  };
  return {
    name: options.name,
    image,
    env,
    server,
    healthcheck,
    stop: (graceMs) => server.stop(stage.stopSignal, graceMs),
    logs: () => server.logs(),
  };
}

/** ENTRYPOINT + CMD as Docker combines them (shell forms through /bin/sh -c). */
/** The node image's `node` (a link to a Node of the image's major: image-builder's stand-in). */
function imageNode(stage: StageResult): string {
  return inStage(stage.root, '/usr/local/bin/node');
}

export function commandLine(stage: StageResult): string[] {
  const part = (value: string[] | string | undefined) =>
    value === undefined ? [] : Array.isArray(value) ? value : ['/bin/sh', '-c', value];
  const entrypoint = part(stage.entrypoint);
  // The node image's docker-entrypoint.sh and the nginx image's /docker-entrypoint.sh hand over to CMD.
  const standIn = stage.entrypoint !== undefined && ['/docker-entrypoint.sh'].includes(entrypoint[0] ?? '');
  const argv = [...(standIn ? [] : entrypoint), ...part(stage.cmd)];
  if (argv.length === 0) throw new Error('the image has neither ENTRYPOINT nor CMD');
  return argv;
}

/**
 * The nginx image's start, on this machine: a copy of the image's files (the container's own layer),
 * /docker-entrypoint.d/20-envsubst-on-templates.sh's rendering, image paths mapped into the copy,
 * `nginx -t`, then CMD with `-c` pointing at the copy's nginx.conf.
 */
function prepareNginx(
  stage: StageResult,
  dir: string,
  env: Record<string, string>,
  runAs: RunAs | undefined,
): { argv: string[]; root: string } {
  const root = path.join(dir, 'rootfs');
  execFileSync('cp', ['-a', `${stage.root}/.`, `${root}/`], { stdio: 'pipe', env: { PATH: env['PATH']! } });
  const templates = path.join(root, 'etc/nginx/templates');
  const confD = path.join(root, 'etc/nginx/conf.d');
  mkdirSync(confD, { recursive: true });
  if (existsSync(templates)) {
    for (const entry of readdirSync(templates)) {
      if (!entry.endsWith('.template')) continue;
      const rendered = envsubst(readFileSync(path.join(templates, entry), 'utf8'), env);
      writeFileSync(path.join(confD, entry.slice(0, -'.template'.length)), rendered);
    }
  }
  const mapPaths = (text: string) =>
    text.replace(
      /(^|[\s"'])\/(etc|usr|tmp|var|run)(?=[/\s;"']|$)/gm,
      (_match, before: string, top: string) => {
        return `${before}${root}/${top}`;
      },
    );
  const configs = [
    path.join(root, 'etc/nginx/nginx.conf'),
    ...readdirSync(confD).map((f) => path.join(confD, f)),
  ];
  for (const file of configs) writeFileSync(file, mapPaths(readFileSync(file, 'utf8')));
  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((candidate) => existsSync(candidate));
  if (!nginx)
    throw new Error('nginx is not installed here: apt-get install -y --no-install-recommends nginx');
  const conf = path.join(root, 'etc/nginx/nginx.conf');
  const cmd = commandLine(stage);
  if (cmd[0] !== 'nginx') throw new Error(`the web image's CMD is not nginx: ${cmd.join(' ')}`);
  // stdout and stderr are a file, as they are a pipe in a container: nginx reopens /dev/stderr, which
  // a socket (node's default child stdio) does not allow.
  const testLog = path.join(dir, 'nginx-t.log');
  const fd = openSync(testLog, 'w');
  if (runAs) chownSync(testLog, runAs.uid, runAs.gid);
  const test = spawnSync(nginx, ['-t', '-e', 'stderr', '-c', conf], {
    stdio: ['ignore', fd, fd],
    env,
    ...(runAs ?? {}),
  });
  closeSync(fd);
  if (test.status !== 0) {
    throw new Error(
      `nginx -t refused the web image's configuration:\n${tail(readFileSync(testLog, 'utf8'))}`,
    );
  }
  return { argv: [nginx, ...cmd.slice(1), '-e', 'stderr', '-c', conf], root };
}

/** envsubst with the image entrypoint's variable list: only variables that are set are replaced. */
export function envsubst(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced?: string, bare?: string) => {
      const name = braced ?? bare!;
      return Object.prototype.hasOwnProperty.call(env, name) ? env[name]! : match;
    },
  );
}

/** `15s`, `5m`, `1h30m`, `500ms`: Docker's durations. */
export function durationMs(text: string): number {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let match: RegExpExecArray | null;
  let matched = '';
  while ((match = re.exec(text)) !== null) {
    matched += match[0];
    total +=
      Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  }
  if (matched !== text) throw new Error(`not a duration: ${text}`);
  return total;
}

/** Waits until the container's HEALTHCHECK passes (Docker's `healthy`), failing fast if the process dies. */
export async function waitHealthy(container: Container, timeoutMs: number): Promise<void> {
  let last: CommandResult | undefined;
  await waitUntil(
    async () => {
      if (container.server.hasExited()) {
        const ended = await container.server.exited;
        throw new Error(`${container.name} exited (${ended.code ?? ended.signal}) before it was healthy`);
      }
      last = await container.healthcheck();
      return last.code === 0;
    },
    `${container.name}'s HEALTHCHECK`,
    timeoutMs,
    () =>
      `last healthcheck: ${last ? `exit ${last.code} ${tail(last.output, 5)}` : 'none'}\n${container.name} output:\n${tail(container.logs())}`,
  ).catch(async (error: unknown) => {
    if (container.server.hasExited()) {
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n${container.name} output:\n${tail(container.logs())}`,
      );
    }
    throw error;
  });
}
