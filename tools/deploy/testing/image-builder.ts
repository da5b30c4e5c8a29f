/**
 * Builds a Dockerfile without Docker: each stage is a directory standing for the image's filesystem
 * (an image path `/app` is `<stage>/app`), and the instructions are carried out on it in order.
 *
 * Why this exists rather than something smaller: the machines `npm test` runs on have no Docker
 * engine (CI's `images` job builds for real with Buildx, after the tests), and a linter proves less.
 * hadolint is not in Debian's packages and its npm wrappers download a binary from GitHub, which these
 * machines cannot reach; a linter would in any case say that a Dockerfile parses and follows style,
 * not that its stages' commands succeed on the lockfile, that the production prune leaves what the
 * app needs, or that the image's CMD boots and passes its HEALTHCHECK — which is what images.slow
 * proves with this, by streaming a chat through the built web, API and gateway images.
 *
 * - FROM an earlier stage copies that stage's directory; FROM an image starts empty, plus what the
 *   test knows of that base (BASES below): the node images' `/usr/local/bin/node` is a link to a Node
 *   of the same major here (the one running the tests, or the workspace's `node` package), npm's
 *   global prefix `/usr/local` is `<stage>/usr/local`; the nginx image's mime.types comes from this
 *   machine's nginx.
 * - COPY takes files from the repository through .dockerignore (or from another stage), with Docker's
 *   rules for files, directories and a trailing `/`.
 * - RUN runs with `/bin/sh -c` (Docker's default shell) in the stage's WORKDIR, with the stage's ENV and
 *   ARGs. A RUN that names an absolute path is refused: it would touch this machine, not the stage.
 *   `--mount=type=cache,target=/root/.npm` is this machine's npm cache; npm runs with prefer-offline.
 * - Stages are cached by content (the instructions, the copied files, the stages they copy from), as
 *   BuildKit's cache would be: the three images share their dependency stages.
 * - Only the stages the last one needs are built, as BuildKit does.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import {
  commandOf,
  type Dockerfile,
  type Healthcheck,
  type Instruction,
  parseHealthcheck,
  parseKeyValues,
  readDockerfile,
  type Stage,
  substitute,
  words,
} from './dockerfile';
import { DockerIgnore } from './dockerignore';
import { runCommand, tail } from './processes';
import { ROOT } from './repo';

export type BaseKind = 'node' | 'nginx';

/** What the checks know of a base image: how to stand in for it on this machine. */
export interface BaseImage {
  image: string;
  kind: BaseKind;
  /** The image's own metadata (what a Dockerfile inherits without saying). */
  user: string;
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
  stopSignal: NodeJS.Signals;
  /** A node image's `node`: a binary of the image's major version on this machine. */
  node?: string;
}

/** A Node binary of this major here: the one running the tests, or the workspace's `node` package. */
function nodeOfMajor(major: number, image: string): string {
  const majorOf = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);
  if (majorOf(process.versions.node) === major) return process.execPath;
  const workspaceNode = path.join(ROOT, 'node_modules/node/bin/node');
  if (existsSync(workspaceNode)) {
    const version = execFileSync(workspaceNode, ['--version']).toString().trim();
    if (majorOf(version) === major) return workspaceNode;
  }
  throw new Error(
    `${image} runs Node ${major}; neither this Node (${process.versions.node}) nor node_modules/node is ` +
      "of that major: the image checks run the image's programs with a Node of the image's major",
  );
}

const BASES: { pattern: RegExp; make: (image: string, match: RegExpExecArray) => BaseImage }[] = [
  {
    pattern: /^node:(\d+)(?:[.-][\w.-]*)?$/,
    make: (image, match) => {
      // docker-entrypoint.sh only prepends `node` to arguments that start with `-`.
      return {
        image,
        kind: 'node',
        user: 'root',
        entrypoint: undefined,
        cmd: ['node'],
        stopSignal: 'SIGTERM',
        node: nodeOfMajor(Number(match[1]), image),
      };
    },
  },
  {
    pattern: /^nginxinc\/nginx-unprivileged:(\d+\.\d+)[\w.-]*$/,
    make: (image) => ({
      image,
      kind: 'nginx',
      user: '101',
      entrypoint: ['/docker-entrypoint.sh'],
      cmd: ['nginx', '-g', 'daemon off;'],
      stopSignal: 'SIGQUIT',
    }),
  },
];

export function baseImage(image: string): BaseImage {
  for (const base of BASES) {
    const match = base.pattern.exec(image);
    if (match) return base.make(image, match);
  }
  throw new Error(
    `no stand-in for the base image ${image}: the image checks know ${BASES.map((b) => b.pattern).join(', ')}`,
  );
}

export interface StageResult {
  key: string;
  name: string;
  /** The directory standing for the stage's filesystem. */
  root: string;
  base: BaseImage;
  env: Record<string, string>;
  workdir: string;
  user: string;
  cmd: string[] | string | undefined;
  entrypoint: string[] | string | undefined;
  healthcheck: Healthcheck | undefined;
  expose: string[];
  stopSignal: NodeJS.Signals;
  /** Reused from an earlier build (same content). */
  cached: boolean;
}

export interface StepLog {
  dockerfile: string;
  stage: string;
  line: number;
  text: string;
  ms: number;
  cached?: boolean;
}

export interface BuiltImage {
  dockerfile: Dockerfile;
  /** Every stage built for this image, by name (or index). */
  stages: Map<string, StageResult>;
  final: StageResult;
  steps: StepLog[];
}

function standInStage(name: string, root: string): StageResult {
  return {
    key: `stand-in:${root}`,
    name,
    root,
    base: {
      image: 'stand-in',
      kind: 'node',
      user: 'root',
      entrypoint: undefined,
      cmd: undefined,
      stopSignal: 'SIGTERM',
    },
    env: {},
    workdir: '/',
    user: 'root',
    cmd: undefined,
    entrypoint: undefined,
    healthcheck: undefined,
    expose: [],
    stopSignal: 'SIGTERM',
    cached: false,
  };
}

export class BuildError extends Error {
  override readonly name = 'BuildError';
}

interface PlannedInstruction {
  instruction: Instruction;
  /** After substitution (ENV, ARG, WORKDIR, COPY, USER, EXPOSE...). */
  args: string;
  /** RUN: the ARGs and ENV in scope. */
  env: Record<string, string>;
  workdir: string;
}

export interface BuilderOptions {
  repoRoot: string;
  /** A scratch directory the builder owns (stage directories go under it). */
  workDir: string;
  runTimeoutMs?: number;
  log?: (line: string) => void;
}

export class ImageBuilder {
  private readonly cache = new Map<string, StageResult>();
  private readonly ignore: DockerIgnore;
  private counter = 0;

  constructor(private readonly options: BuilderOptions) {
    const file = path.join(options.repoRoot, '.dockerignore');
    this.ignore = existsSync(file) ? DockerIgnore.read(file) : DockerIgnore.parse('');
    mkdirSync(options.workDir, { recursive: true });
  }

  /**
   * Builds `dockerfile` (relative to the repository) up to its last stage. `standIns` replaces
   * stages by name with a directory as their filesystem, unbuilt (the web image's nginx without its
   * minutes of npm ci and vite build).
   */
  async build(dockerfile: string, standIns: Record<string, string> = {}): Promise<BuiltImage> {
    const parsed = readDockerfile(path.join(this.options.repoRoot, dockerfile), dockerfile);
    const globalArgs: Record<string, string> = {};
    for (const arg of parsed.globalArgs) {
      const [name, value] = splitArg(arg.args);
      globalArgs[name] = substitute(value ?? '', globalArgs);
    }
    const built = new Map<number, StageResult>();
    const steps: StepLog[] = [];
    const buildStage = async (stage: Stage): Promise<StageResult> => {
      const done = built.get(stage.index);
      if (done) return done;
      const standIn = stage.name === undefined ? undefined : standIns[stage.name];
      const result =
        standIn === undefined
          ? await this.buildStage(parsed, stage, globalArgs, buildStage, steps)
          : standInStage(stage.name!, standIn);
      built.set(stage.index, result);
      return result;
    };
    const last = parsed.stages[parsed.stages.length - 1]!;
    const final = await buildStage(last);
    const stages = new Map<string, StageResult>();
    for (const stage of parsed.stages) {
      const result = built.get(stage.index);
      if (result) stages.set(stage.name ?? String(stage.index), result);
    }
    return { dockerfile: parsed, stages, final, steps };
  }

  private findStage(file: Dockerfile, ref: string, before: number): Stage | undefined {
    const lower = ref.toLowerCase();
    return file.stages.find(
      (stage) => stage.index < before && (stage.name === lower || String(stage.index) === ref),
    );
  }

  private async buildStage(
    file: Dockerfile,
    stage: Stage,
    globalArgs: Record<string, string>,
    buildStage: (stage: Stage) => Promise<StageResult>,
    steps: StepLog[],
  ): Promise<StageResult> {
    const label = stage.name ?? String(stage.index);
    const fromRef = substitute(stage.from, globalArgs);
    const parentStage = this.findStage(file, fromRef, stage.index);
    const parent = parentStage ? await buildStage(parentStage) : undefined;
    const base = parent ? parent.base : wrap(file, stage.fromLine, () => baseImage(fromRef));

    // Plan: metadata, substitution, and what each instruction depends on (for the cache key).
    const state = {
      env: { ...(parent?.env ?? {}) },
      args: {} as Record<string, string>,
      workdir: parent?.workdir ?? '/',
      user: parent?.user ?? base.user,
      cmd: parent ? parent.cmd : base.cmd,
      entrypoint: parent ? parent.entrypoint : base.entrypoint,
      healthcheck: parent?.healthcheck,
      expose: [...(parent?.expose ?? [])],
      stopSignal: parent?.stopSignal ?? base.stopSignal,
    };
    const hash = createHash('sha256').update(parent ? `stage:${parent.key}` : `image:${fromRef}`);
    const plan: PlannedInstruction[] = [];
    const copySources = new Map<PlannedInstruction, StageResult>();
    for (const instruction of stage.instructions) {
      const vars = { ...state.args, ...state.env };
      const at = (fn: () => void) => wrap(file, instruction.line, fn);
      let args = instruction.args;
      switch (instruction.keyword) {
        case 'ARG':
          at(() => {
            const [name, value] = splitArg(instruction.args);
            state.args[name] = value === undefined ? (globalArgs[name] ?? '') : substitute(value, vars);
          });
          break;
        case 'ENV':
          at(() => {
            for (const [key, value] of parseKeyValues(instruction.args, vars)) state.env[key] = value;
          });
          break;
        case 'WORKDIR':
          args = substitute(instruction.args, vars);
          state.workdir = path.posix.resolve(state.workdir, args);
          break;
        case 'USER':
          args = substitute(instruction.args, vars);
          state.user = args;
          break;
        case 'EXPOSE':
          args = substitute(instruction.args, vars);
          state.expose.push(...args.split(/\s+/).filter(Boolean));
          break;
        case 'STOPSIGNAL':
          args = substitute(instruction.args, vars);
          state.stopSignal = args as NodeJS.Signals;
          break;
        case 'CMD':
          state.cmd = commandOf(instruction.args);
          break;
        case 'ENTRYPOINT':
          state.entrypoint = commandOf(instruction.args);
          state.cmd = undefined; // Docker resets an inherited CMD when ENTRYPOINT is set
          break;
        case 'HEALTHCHECK':
          at(() => {
            const check = parseHealthcheck(instruction);
            state.healthcheck = check === 'NONE' ? undefined : check;
          });
          break;
        case 'LABEL':
          args = substitute(instruction.args, vars);
          break;
        case 'COPY':
          args = substitute(instruction.args, vars);
          break;
        case 'RUN':
          break;
        default:
          throw new BuildError(`${file.file}:${instruction.line}: ${instruction.keyword} is not supported`);
      }
      const planned: PlannedInstruction = {
        instruction,
        args,
        env: { ...state.args, ...state.env },
        workdir: state.workdir,
      };
      plan.push(planned);
      hash.update(`\n${instruction.keyword} ${JSON.stringify(instruction.flags)} ${args}`);
      if (instruction.keyword === 'RUN') hash.update(JSON.stringify(planned.env));
      if (instruction.keyword === 'COPY') {
        const from = instruction.flags.find((flag) => flag.name === 'from')?.value;
        if (from !== undefined) {
          const source = this.findStage(file, substitute(from, vars), stage.index);
          if (!source)
            throw new BuildError(
              `${file.file}:${instruction.line}: COPY --from=${from}: no earlier stage of that name`,
            );
          const result = await buildStage(source);
          copySources.set(planned, result);
          hash.update(`from:${result.key}`);
        } else {
          hash.update(
            wrap(file, instruction.line, () =>
              this.contextHash(copyOperands(args, file, instruction.line).sources),
            ),
          );
        }
      }
    }
    const key = hash.digest('hex');
    const cached = this.cache.get(key);
    if (cached) {
      steps.push({
        dockerfile: file.file,
        stage: label,
        line: stage.fromLine,
        text: `stage ${label}`,
        ms: 0,
        cached: true,
      });
      return { ...cached, name: label, cached: true };
    }

    // Execute.
    this.counter += 1;
    const root = path.join(
      this.options.workDir,
      `${String(this.counter).padStart(2, '0')}-${label}-${key.slice(0, 10)}`,
    );
    const started = Date.now();
    if (parent) {
      await this.exec(
        ['cp', '-a', '--reflink=auto', `${parent.root}/.`, `${root}/`],
        root,
        file,
        stage.fromLine,
        true,
      );
    } else {
      mkdirSync(root, { recursive: true });
      this.standInFor(base, root);
    }
    chmodSync(root, 0o755);
    mkdirSync(path.join(root, 'tmp'), { recursive: true });
    chmodSync(path.join(root, 'tmp'), 0o1777);
    steps.push({
      dockerfile: file.file,
      stage: label,
      line: stage.fromLine,
      text: `FROM ${fromRef}`,
      ms: Date.now() - started,
    });

    for (const planned of plan) {
      const { instruction } = planned;
      const stepStarted = Date.now();
      switch (instruction.keyword) {
        case 'WORKDIR':
          mkdirSync(inStage(root, planned.workdir), { recursive: true });
          break;
        case 'COPY': {
          const source = copySources.get(planned);
          await this.copy(file, instruction, planned, root, source);
          break;
        }
        case 'RUN':
          await this.run(file, label, instruction, planned, root);
          break;
        default:
          continue; // metadata only
      }
      steps.push({
        dockerfile: file.file,
        stage: label,
        line: instruction.line,
        text: instruction.text,
        ms: Date.now() - stepStarted,
      });
    }

    const result: StageResult = {
      key,
      name: label,
      root,
      base,
      env: state.env,
      workdir: state.workdir,
      user: state.user,
      cmd: state.cmd,
      entrypoint: state.entrypoint,
      healthcheck: state.healthcheck,
      expose: state.expose,
      stopSignal: state.stopSignal,
      cached: false,
    };
    this.cache.set(key, result);
    return result;
  }

  /** What a base image brings that the checks need: the node image's node; nginx's mime.types, conf.d. */
  private standInFor(base: BaseImage, root: string): void {
    if (base.node) {
      mkdirSync(path.join(root, 'usr/local/bin'), { recursive: true });
      symlinkSync(base.node, path.join(root, 'usr/local/bin/node'));
    }
    if (base.kind === 'nginx') {
      const mime = '/etc/nginx/mime.types';
      if (!existsSync(mime)) {
        throw new BuildError(
          `${base.image}: nginx is not installed here (its mime.types stands in for the image's); ` +
            'apt-get install -y --no-install-recommends nginx',
        );
      }
      mkdirSync(path.join(root, 'etc/nginx/conf.d'), { recursive: true });
      mkdirSync(path.join(root, 'etc/nginx/templates'), { recursive: true });
      mkdirSync(path.join(root, 'usr/share/nginx/html'), { recursive: true });
      copyFileSync(mime, path.join(root, 'etc/nginx/mime.types'));
    }
  }

  /** The content of the context files a COPY names (paths, modes, bytes). */
  private contextHash(sources: string[]): string {
    const hash = createHash('sha256');
    for (const source of sources) {
      for (const file of this.contextFiles(source)) {
        const full = path.join(this.options.repoRoot, file);
        const stat = lstatSync(full);
        hash.update(`${file}\0${stat.mode}\0`);
        hash.update(stat.isSymbolicLink() ? readlinkSync(full) : readFileSync(full));
      }
    }
    return hash.digest('hex');
  }

  /** The files of the build context under `source` (a file or a folder), through .dockerignore. */
  private contextFiles(source: string): string[] {
    const clean = path.posix.normalize(source.replace(/^\/+/, ''));
    if (clean.startsWith('..')) throw new Error(`COPY ${source}: outside the build context`);
    if (/[*?[]/.test(clean)) throw new Error(`COPY ${source}: wildcards are not supported by these checks`);
    const full = path.join(this.options.repoRoot, clean);
    if (!existsSync(full)) throw new Error(`COPY ${source}: not found in the build context`);
    const out: string[] = [];
    const walk = (relative: string) => {
      const stat = lstatSync(path.join(this.options.repoRoot, relative));
      if (stat.isDirectory()) {
        if (!this.ignore.mayIncludeBelow(relative)) return;
        for (const entry of readdirSync(path.join(this.options.repoRoot, relative)).sort()) {
          walk(relative === '.' ? entry : `${relative}/${entry}`);
        }
      } else if (!this.ignore.excludes(relative)) {
        out.push(relative);
      }
    };
    walk(clean);
    if (out.length === 0)
      throw new Error(`COPY ${source}: not in the build context (excluded by .dockerignore)`);
    return out;
  }

  private async copy(
    file: Dockerfile,
    instruction: Instruction,
    planned: PlannedInstruction,
    root: string,
    fromStage: StageResult | undefined,
  ): Promise<void> {
    const { sources, dest } = copyOperands(planned.args, file, instruction.line);
    const destPath = path.posix.resolve(planned.workdir, dest);
    const destIsDir = dest.endsWith('/') || sources.length > 1 || isDir(inStage(root, destPath));
    if (fromStage) {
      for (const source of sources) {
        const from = inStage(fromStage.root, path.posix.resolve('/', source));
        if (!existsSync(from)) {
          throw new BuildError(
            `${file.file}:${instruction.line}: ${instruction.text}: ${source} does not exist in stage ${fromStage.name}`,
          );
        }
        if (isDir(from)) {
          mkdirSync(inStage(root, destPath), { recursive: true });
          await this.exec(
            ['cp', '-a', '--reflink=auto', `${from}/.`, `${inStage(root, destPath)}/`],
            root,
            file,
            instruction.line,
          );
        } else {
          const target = destIsDir ? path.posix.join(destPath, path.posix.basename(source)) : destPath;
          mkdirSync(path.dirname(inStage(root, target)), { recursive: true });
          await this.exec(
            ['cp', '-a', '--reflink=auto', from, inStage(root, target)],
            root,
            file,
            instruction.line,
          );
        }
      }
      return;
    }
    for (const source of sources) {
      const clean = path.posix.normalize(source.replace(/^\/+/, ''));
      const files = wrap(file, instruction.line, () => this.contextFiles(source));
      const sourceIsDir = isDir(path.join(this.options.repoRoot, clean));
      for (const relative of files) {
        let target: string;
        if (sourceIsDir)
          target = path.posix.join(destPath, clean === '.' ? relative : path.posix.relative(clean, relative));
        else target = destIsDir ? path.posix.join(destPath, path.posix.basename(relative)) : destPath;
        const to = inStage(root, target);
        mkdirSync(path.dirname(to), { recursive: true });
        const from = path.join(this.options.repoRoot, relative);
        const stat = lstatSync(from);
        if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
        else {
          copyFileSync(from, to);
          chmodSync(to, stat.mode & 0o777);
        }
      }
    }
  }

  private async run(
    file: Dockerfile,
    stage: string,
    instruction: Instruction,
    planned: PlannedInstruction,
    root: string,
  ): Promise<void> {
    const command = commandOf(instruction.args);
    const text = Array.isArray(command) ? command.join(' ') : command;
    const where = `${file.file}:${instruction.line} [stage ${stage}] ${instruction.text}`;
    if (/(^|[\s'"=:;&|(])(\/|~|\.\.\/)/.test(text)) {
      throw new BuildError(
        `${where}: names an absolute path; the checks run RUN lines on this machine, so they refuse it`,
      );
    }
    const env: Record<string, string> = {
      ...hostBuildEnv(),
      ...planned.env,
      PATH: `${path.join(root, 'usr/local/bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
      // npm's global prefix in the node images is /usr/local: here, the stage's.
      npm_config_prefix: path.join(root, 'usr/local'),
      npm_config_prefer_offline: 'true',
      npm_config_update_notifier: 'false',
    };
    for (const flag of instruction.flags) {
      if (flag.name !== 'mount') continue;
      const options = Object.fromEntries(
        flag.value.split(',').map((part) => part.split('=') as [string, string]),
      );
      if (options['type'] === 'cache' && options['target'] === '/root/.npm') {
        env['npm_config_cache'] = path.join(homedir(), '.npm');
      } else {
        throw new BuildError(`${where}: --mount=${flag.value} is not supported by these checks`);
      }
    }
    const argv = Array.isArray(command) ? command : ['/bin/sh', '-c', command];
    const cwd = inStage(root, planned.workdir);
    mkdirSync(cwd, { recursive: true });
    this.options.log?.(`${where}`);
    const result = await runCommand(argv, { cwd, env, timeoutMs: this.options.runTimeoutMs ?? 6 * 60_000 });
    if (result.code !== 0) {
      const why = result.timedOut
        ? `timed out after ${result.ms} ms`
        : `exited with ${result.code ?? result.signal}`;
      throw new BuildError(
        `${where}\n  ${why} after ${(result.ms / 1000).toFixed(1)} s; last output:\n${tail(result.output)}`,
      );
    }
  }

  private async exec(
    argv: string[],
    root: string,
    file: Dockerfile,
    line: number,
    createRoot = false,
  ): Promise<void> {
    if (createRoot) mkdirSync(root, { recursive: true });
    const result = await runCommand(argv, {
      cwd: this.options.workDir,
      env: { PATH: process.env['PATH'] ?? '' },
      timeoutMs: 120_000,
    });
    if (result.code !== 0)
      throw new BuildError(`${file.file}:${line}: ${argv.join(' ')} failed:\n${tail(result.output)}`);
  }
}

/** An image path inside a stage's directory. */
export function inStage(root: string, imagePath: string): string {
  return path.join(root, path.posix.resolve('/', imagePath));
}

function isDir(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function splitArg(args: string): [string, string | undefined] {
  const eq = args.indexOf('=');
  if (eq === -1) return [args.trim(), undefined];
  const value = args.slice(eq + 1).trim();
  return [args.slice(0, eq).trim(), value.replace(/^"(.*)"$/, '$1')];
}

function copyOperands(args: string, file: Dockerfile, line: number): { sources: string[]; dest: string } {
  const operands = args.trim().startsWith('[') ? (JSON.parse(args) as string[]) : words(args);
  if (operands.length < 2)
    throw new BuildError(`${file.file}:${line}: COPY needs a source and a destination`);
  return { sources: operands.slice(0, -1), dest: operands[operands.length - 1]! };
}

function wrap<T>(file: Dockerfile, line: number, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof BuildError) throw error;
    throw new BuildError(`${file.file}:${line}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * What a build machine passes to a build: the registry's configuration (~/.npmrc through HOME, CA
 * certificates, proxies). Nothing else of this process leaks in: notably none of the `npm_*` variables
 * an `npm test` parent sets, which would point npm back at the repository.
 */
export function hostBuildEnv(): Record<string, string> {
  const keep = [
    'HOME',
    'LANG',
    'TMPDIR',
    'NODE_EXTRA_CA_CERTS',
    'SSL_CERT_FILE',
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'http_proxy',
    'https_proxy',
    'no_proxy',
    'CI',
  ];
  const env: Record<string, string> = {};
  for (const name of keep) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
