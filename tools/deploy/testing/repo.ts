import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** The repository root (tools/deploy/support → ../../..). */
export const ROOT = path.resolve(__dirname, '../../..');

export function repoPath(...parts: string[]): string {
  return path.join(ROOT, ...parts);
}

export function readRepoFile(relative: string): string {
  return readFileSync(repoPath(relative), 'utf8');
}

/** One YAML document; merge keys (`<<: *anchor`) resolved as Compose resolves them. */
export function loadYaml<T = unknown>(relative: string): T {
  return parse(readRepoFile(relative), { merge: true, prettyErrors: true }) as T;
}

/** Every document of a YAML file (Kubernetes manifests); a syntax error fails naming the file. */
export function loadYamlDocuments(text: string, what: string): unknown[] {
  const docs = parseAllDocuments(text, { merge: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) throw new Error(`${what}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** Files under a repository folder, relative to the root, sorted. */
export function listFiles(relativeDir: string, filter: (file: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(repoPath(dir)).sort()) {
      const relative = path.posix.join(dir, entry);
      if (statSync(repoPath(relative)).isDirectory()) walk(relative);
      else if (filter(relative)) out.push(relative);
    }
  };
  if (existsSync(repoPath(relativeDir))) walk(relativeDir);
  return out;
}

/** Renders a Kustomize directory with kubectl's built-in Kustomize (fails loudly without kubectl). */
export function kustomize(relativeDir: string): unknown[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', repoPath(relativeDir)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(
        'kubectl is not installed: the Kubernetes checks render the overlays with `kubectl kustomize` ' +
          '(https://dl.k8s.io/release/<version>/bin/linux/amd64/kubectl; .github/workflows/ci.yml installs it)',
      );
    }
    throw new Error(`kubectl kustomize ${relativeDir} failed:\n${e.stderr ?? e.message}`);
  }
  return loadYamlDocuments(output, `kubectl kustomize ${relativeDir}`);
}

/** Plain objects only: a typed view of parsed YAML. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${what}: expected a mapping, got ${JSON.stringify(value)}`);
  return value;
}

export function asArray(value: unknown, what: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${what}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

/** A YAML scalar as text (numbers and booleans included); anything else is an error, not "[object Object]". */
export function str(value: unknown, fallback?: string): string {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new Error('expected a value, found none');
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${value}`;
  throw new Error(`expected a scalar, got ${JSON.stringify(value)}`);
}
