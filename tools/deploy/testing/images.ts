/**
 * The three images as the repository declares them: which Dockerfile builds which image name (CI's
 * matrix is the source of truth: it is what gets pushed), which app each one runs, and each
 * Dockerfile's final-stage metadata read statically (ENV, EXPOSE, USER, HEALTHCHECK, CMD).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import {
  commandOf,
  type Dockerfile,
  type Healthcheck,
  parseHealthcheck,
  parseKeyValues,
  readDockerfile,
  substitute,
} from './dockerfile';
import { asArray, asRecord, loadYaml, repoPath } from './repo';

export type ImageApp = 'api' | 'llm' | 'web';

/** The app each image runs, by image name (the last element of its repository). */
export const IMAGE_APPS: Record<string, ImageApp> = {
  'sluice-api': 'api',
  'sluice-llm': 'llm',
  'sluice-web': 'web',
};

export interface CiImage {
  image: string;
  dockerfile: string;
}

/** The images job's matrix in .github/workflows/ci.yml. */
export function ciImages(): CiImage[] {
  const workflow = asRecord(loadYaml('.github/workflows/ci.yml'), 'ci.yml');
  const jobs = asRecord(workflow['jobs'], 'jobs');
  const images = asRecord(jobs['images'], 'jobs.images');
  const matrix = asRecord(asRecord(images['strategy'], 'jobs.images.strategy')['matrix'], 'matrix');
  return asArray(matrix['include'], 'matrix.include').map((entry) => {
    const e = asRecord(entry, 'matrix.include[]');
    return { image: String(e['image']), dockerfile: String(e['dockerfile']) };
  });
}

export interface StageMeta {
  /** The external image at the root of the final stage's chain. */
  baseImage: string;
  /** Every FROM that names an image (not a stage), resolved. */
  externalImages: { image: string; line: number }[];
  env: Record<string, string>;
  expose: number[];
  user: string | undefined;
  healthcheck: Healthcheck | undefined;
  cmd: string[] | string | undefined;
}

/** The final stage's metadata without building anything. */
export function finalStageMeta(file: Dockerfile): StageMeta {
  const globals: Record<string, string> = {};
  for (const arg of file.globalArgs) {
    const eq = arg.args.indexOf('=');
    if (eq === -1) globals[arg.args.trim()] = globals[arg.args.trim()] ?? '';
    else globals[arg.args.slice(0, eq).trim()] = substitute(arg.args.slice(eq + 1).trim(), globals);
  }
  const metas: StageMeta[] = [];
  const externalImages: { image: string; line: number }[] = [];
  for (const stage of file.stages) {
    const from = substitute(stage.from, globals);
    const parentIndex = file.stages.findIndex(
      (s) => s.index < stage.index && (s.name === from.toLowerCase() || String(s.index) === from),
    );
    const parent = parentIndex === -1 ? undefined : metas[parentIndex];
    if (!parent) externalImages.push({ image: from, line: stage.fromLine });
    const meta: StageMeta = {
      baseImage: parent?.baseImage ?? from,
      externalImages: [],
      env: { ...(parent?.env ?? {}) },
      expose: [...(parent?.expose ?? [])],
      user: parent?.user,
      healthcheck: parent?.healthcheck,
      cmd: parent?.cmd,
    };
    const args: Record<string, string> = {};
    for (const instruction of stage.instructions) {
      const vars = { ...args, ...meta.env };
      if (instruction.keyword === 'ARG') {
        const eq = instruction.args.indexOf('=');
        if (eq === -1) args[instruction.args.trim()] = globals[instruction.args.trim()] ?? '';
        else
          args[instruction.args.slice(0, eq).trim()] = substitute(
            instruction.args.slice(eq + 1).trim(),
            vars,
          );
      } else if (instruction.keyword === 'ENV') {
        for (const [key, value] of parseKeyValues(instruction.args, vars)) meta.env[key] = value;
      } else if (instruction.keyword === 'EXPOSE') {
        meta.expose.push(
          ...substitute(instruction.args, vars)
            .split(/\s+/)
            .filter(Boolean)
            .map((p) => Number.parseInt(p, 10)),
        );
      } else if (instruction.keyword === 'USER') {
        meta.user = substitute(instruction.args, vars);
      } else if (instruction.keyword === 'HEALTHCHECK') {
        const check = parseHealthcheck(instruction);
        meta.healthcheck = check === 'NONE' ? undefined : check;
      } else if (instruction.keyword === 'CMD') {
        meta.cmd = commandOf(instruction.args);
      }
    }
    metas.push(meta);
  }
  const final = metas[metas.length - 1]!;
  return { ...final, externalImages };
}

export interface ImageInfo extends CiImage {
  app: ImageApp;
  file: Dockerfile;
  meta: StageMeta;
}

/** CI's images with their Dockerfiles parsed; fails if an image name is not one of IMAGE_APPS. */
export function imageInfos(): ImageInfo[] {
  return ciImages().map((entry) => {
    const app = IMAGE_APPS[entry.image];
    if (!app)
      throw new Error(
        `CI builds ${entry.image}, which runs none of the apps (${Object.keys(IMAGE_APPS).join(', ')})`,
      );
    const file = readDockerfile(repoPath(entry.dockerfile), entry.dockerfile);
    return { ...entry, app, file, meta: finalStageMeta(file) };
  });
}

export function imageInfoFor(app: ImageApp): ImageInfo {
  const found = imageInfos().find((info) => info.app === app);
  if (!found) throw new Error(`no image in CI's matrix runs ${app}`);
  return found;
}

/** The HTTP path a HEALTHCHECK command requests (`…/health/ready'` in node -e, a wget URL). */
export function healthcheckPath(check: Healthcheck): string {
  const text = Array.isArray(check.command) ? check.command.join(' ') : check.command;
  const quoted = /['"](\/[A-Za-z0-9/_.-]*)['"]/.exec(text);
  if (quoted) return quoted[1]!;
  const url = /https?:\/\/[^/\s"']+(\/[A-Za-z0-9/_.-]*)/.exec(text);
  if (url) return url[1]!;
  throw new Error(`cannot find the path in HEALTHCHECK ${text}`);
}

/** docker/*.Dockerfile, relative to the repository. */
export function dockerfilesInRepo(): string[] {
  return readdirSync(repoPath('docker'))
    .filter((name) => name.endsWith('.Dockerfile'))
    .sort()
    .map((name) => path.posix.join('docker', name));
}
