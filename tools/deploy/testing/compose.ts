/**
 * docker-compose.yml as Compose reads it, without Docker: YAML with merge keys, `${...}` interpolation
 * from an env file (Compose's rules: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
 * `${VAR?error}`, `$$`), services with their profiles, environment and dependencies.
 */
import { randomBytes } from 'node:crypto';
import { asArray, asRecord, isRecord, loadYaml, readRepoFile, str } from './repo';

export interface ComposeService {
  name: string;
  raw: Record<string, unknown>;
  image: string | undefined;
  build: { context: string; dockerfile: string } | undefined;
  profiles: string[];
  /** Keys as written; values interpolated from the env file. */
  environment: Record<string, string>;
  dependsOn: { service: string; condition: string; required: boolean }[];
  aliases: string[];
}

export interface ComposeModel {
  raw: Record<string, unknown>;
  services: Map<string, ComposeService>;
  /** Every variable the file interpolates. */
  variables: Set<string>;
}

/** KEY=value lines of an env file; `# KEY=value` lines (documented, not set) are returned apart. */
export function readEnvFile(relative: string): { set: Map<string, string>; documented: Set<string> } {
  const set = new Map<string, string>();
  const documented = new Set<string>();
  for (const line of readRepoFile(relative).split(/\r?\n/)) {
    const active = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (active) {
      set.set(active[1]!, active[2]!.replace(/^(["'])(.*)\1$/, '$2'));
      continue;
    }
    const commented = /^#\s*([A-Z_][A-Z0-9_]*)=/.exec(line);
    if (commented) documented.add(commented[1]!);
  }
  return { set, documented };
}

const generated = new Map<string, string>();

/**
 * The example's values as a deployer fills them in: every `change-me…` placeholder replaced by a
 * random secret (the same one wherever the same placeholder appears), as production refuses them.
 */
export function withGeneratedSecrets<T extends Map<string, string> | Record<string, string>>(values: T): T {
  const fill = (value: string) => {
    if (!/^change[-_ ]?me/i.test(value)) return value;
    if (!generated.has(value)) generated.set(value, randomBytes(32).toString('hex'));
    return generated.get(value)!;
  };
  if (values instanceof Map) return new Map([...values].map(([key, value]) => [key, fill(value)])) as T;
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, fill(value)])) as T;
}

/** Compose's interpolation of one string. */
export function interpolate(text: string, vars: ReadonlyMap<string, string>, seen?: Set<string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name?: string, op?: string, word?: string, bare?: string) => {
      if (match === '$$') return '$';
      const variable = name ?? bare!;
      seen?.add(variable);
      const value = vars.get(variable);
      const unset = value === undefined || (op?.startsWith(':') === true && value === '');
      if (op === undefined) return value ?? '';
      if (op.endsWith('-')) return unset ? interpolate(word ?? '', vars, seen) : value;
      if (unset) throw new Error(`\${${variable}}: ${word || 'required'}`);
      return value;
    },
  );
}

function interpolateDeep(value: unknown, vars: ReadonlyMap<string, string>, seen: Set<string>): unknown {
  if (typeof value === 'string') return interpolate(value, vars, seen);
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, vars, seen));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, vars, seen)]));
  }
  return value;
}

export function loadCompose(relative: string, vars: ReadonlyMap<string, string>): ComposeModel {
  const raw = asRecord(loadYaml(relative), relative);
  const variables = new Set<string>();
  const resolved = asRecord(interpolateDeep(raw, vars, variables), relative);
  const services = new Map<string, ComposeService>();
  for (const [name, value] of Object.entries(asRecord(resolved['services'], 'services'))) {
    const service = asRecord(value, `services.${name}`);
    const environment: Record<string, string> = {};
    const env = service['environment'];
    if (Array.isArray(env)) {
      for (const item of env) {
        const [key, ...rest] = String(item).split('=');
        environment[key!] = rest.join('=');
      }
    } else if (isRecord(env)) {
      for (const [key, v] of Object.entries(env)) environment[key] = str(v, '');
    }
    const dependsOn: ComposeService['dependsOn'] = [];
    const deps = service['depends_on'];
    if (Array.isArray(deps)) {
      for (const dep of deps)
        dependsOn.push({ service: String(dep), condition: 'service_started', required: true });
    } else if (isRecord(deps)) {
      for (const [dep, spec] of Object.entries(deps)) {
        const s = isRecord(spec) ? spec : {};
        dependsOn.push({
          service: dep,
          condition: typeof s['condition'] === 'string' ? s['condition'] : 'service_started',
          required: s['required'] !== false,
        });
      }
    }
    const build = service['build'];
    const networks = service['networks'];
    const aliases = isRecord(networks)
      ? Object.values(networks).flatMap((net) =>
          isRecord(net) ? asArray(net['aliases'], 'aliases').map(String) : [],
        )
      : [];
    services.set(name, {
      name,
      raw: service,
      image: typeof service['image'] === 'string' ? service['image'] : undefined,
      build: isRecord(build)
        ? {
            context: str(build['context'], '.'),
            dockerfile: str(build['dockerfile'], 'Dockerfile'),
          }
        : typeof build === 'string'
          ? { context: build, dockerfile: 'Dockerfile' }
          : undefined,
      profiles: asArray(service['profiles'], `services.${name}.profiles`).map(String),
      environment,
      dependsOn,
      aliases,
    });
  }
  return { raw: resolved, services, variables };
}

/** The services `docker compose --profile <profile> up` starts. */
export function servicesFor(model: ComposeModel, profile: string): ComposeService[] {
  return [...model.services.values()].filter((s) => s.profiles.length === 0 || s.profiles.includes(profile));
}

/** The image repository's last path element without a tag: `ghcr.io/x/sluice-api:main` → `sluice-api`. */
export function imageName(image: string): string {
  const withoutDigest = image.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const last = withoutDigest.slice(lastSlash + 1);
  return last.split(':')[0]!;
}

/** `host:port` of a URL or an address. */
export function hostPort(address: string): { host: string; port: number | undefined } {
  const url = /^[a-z]+:\/\//.test(address) ? new URL(address) : new URL(`tcp://${address}`);
  return { host: url.hostname, port: url.port === '' ? undefined : Number(url.port) };
}
