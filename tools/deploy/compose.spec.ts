/**
 * docker-compose.yml and .env.example against the code: every variable a container gets is one its
 * app reads and validates, ports and addresses line up, the start order is gated on health, images
 * are the ones CI builds. (No Docker here: the file is read as Compose reads it.)
 */
import { execFileSync } from 'node:child_process';
import { API_KEYS, APP_ENV, GATEWAY_KEYS, LLM_KEYS, validateAppEnv } from './testing/app-env';
import {
  type ComposeService,
  hostPort,
  imageName,
  loadCompose,
  readEnvFile,
  withGeneratedSecrets,
  servicesFor,
} from './testing/compose';
import { IMAGE_APPS, imageInfos } from './testing/images';
import { asRecord, isRecord, loadYaml, readRepoFile, ROOT } from './testing/repo';

const PROFILES = ['stage1', 'stage2'] as const;

describe('docker-compose.yml', () => {
  const envExample = readEnvFile('.env.example');
  const compose = loadCompose('docker-compose.yml', withGeneratedSecrets(envExample.set));
  const raw = asRecord(loadYaml('docker-compose.yml'), 'docker-compose.yml');
  const rawServices = asRecord(raw['services'], 'services');
  const images = imageInfos();
  const service = (name: string): ComposeService => {
    const found = compose.services.get(name);
    if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
    return found;
  };
  const appOf = (s: ComposeService) => (s.image === undefined ? undefined : IMAGE_APPS[imageName(s.image)]);
  const appServices = [...compose.services.values()].filter((s) => appOf(s) !== undefined);
  const webTemplateVars = new Set(
    [...readRepoFile('docker/nginx/default.conf.template').matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map(
      (m) => m[1]!,
    ),
  );

  it('builds each app service from the Dockerfile CI builds that image with, under the name CI pushes', () => {
    expect(appServices.map((s) => s.name).sort()).toEqual(['api-stage1', 'api-stage2', 'llm', 'web']);
    for (const s of appServices) {
      const ci = images.find((image) => image.image === imageName(s.image!));
      expect({ service: s.name, dockerfile: s.build?.dockerfile, context: s.build?.context }).toEqual({
        service: s.name,
        dockerfile: ci?.dockerfile,
        context: '.',
      });
      expect(s.image).toMatch(/^ghcr\.io\/[a-z0-9._-]+\/sluice-(api|llm|web):[\w.-]+$/);
    }
  });

  it("sets only variables the apps read (their zod schemas; the web image's template)", () => {
    // Sanity: the schemas were read.
    expect(API_KEYS).toEqual(expect.arrayContaining(['DATABASE_URL', 'JWT_SECRET', 'PORT']));
    expect(LLM_KEYS).toEqual(expect.arrayContaining(['LLM_MODE', 'OLLAMA_BASE_URL', 'LLM_GATEWAY_URL']));
    expect(GATEWAY_KEYS).toEqual(
      expect.arrayContaining(['PORT', 'HOST', 'LLM_GATEWAY_TOKENS', 'LLM_GATEWAY_TOKEN', 'LLM_USER_RPM']),
    );
    const unknown: string[] = [];
    for (const s of appServices) {
      const app = appOf(s)!;
      const known = app === 'web' ? webTemplateVars : APP_ENV[app];
      for (const key of Object.keys(s.environment)) if (!known.has(key)) unknown.push(`${s.name}: ${key}`);
    }
    expect(unknown).toEqual([]);
  });

  it("gives each app an environment its own configuration loader accepts (with .env.example's values)", () => {
    for (const s of appServices) {
      const app = appOf(s)!;
      if (app === 'web') continue;
      expect(() => validateAppEnv(app, s.environment)).not.toThrow();
    }
  });

  it("refuses to boot in production with .env.example's placeholders, naming each secret", () => {
    const shipped = loadCompose('docker-compose.yml', envExample.set);
    const boot = (name: string) => () => {
      const s = shipped.services.get(name)!;
      validateAppEnv(appOf(s) as 'api' | 'llm', s.environment);
    };
    expect(boot('api-stage1')).toThrow(/JWT_SECRET: is a placeholder/);
    expect(boot('api-stage2')).toThrow(/LLM_GATEWAY_TOKEN: is a placeholder/);
    expect(boot('llm')).toThrow(/LLM_GATEWAY_TOKEN: is a placeholder/);
  });

  it('stage1 runs the module in the API against Ollama; stage2 sends the API to the gateway', () => {
    const stage1 = service('api-stage1').environment;
    expect(stage1).toMatchObject({
      LLM_MODE: 'inprocess',
      OLLAMA_BASE_URL: 'http://ollama:11434',
      HOST: '0.0.0.0',
    });
    const stage2 = service('api-stage2').environment;
    expect(stage2).toMatchObject({
      LLM_MODE: 'gateway',
      LLM_GATEWAY_URL: 'http://llm:3100',
      HOST: '0.0.0.0',
    });
    expect(stage2['LLM_GATEWAY_TOKEN']).toBe(service('llm').environment['LLM_GATEWAY_TOKEN']);
    expect(service('llm').environment).toMatchObject({
      HOST: '0.0.0.0',
      OLLAMA_BASE_URL: 'http://ollama:11434',
    });
    expect(service('llm').environment['LLM_MODE'] ?? 'inprocess').toBe('inprocess');
    expect(Object.fromEntries([...compose.services.values()].map((s) => [s.name, s.profiles]))).toEqual({
      postgres: [],
      redis: [],
      ollama: [],
      vllm: ['gpu'],
      'api-stage1': ['stage1'],
      'api-stage2': ['stage2'],
      llm: ['stage2'],
      web: ['stage1', 'stage2'],
    });
  });

  it.each(PROFILES)(
    '%s: every dependency is started, health-gated, without cycles; addresses resolve',
    (profile) => {
      const enabled = servicesFor(compose, profile);
      const byName = new Map(enabled.map((s) => [s.name, s]));
      const hasHealthcheck = (s: ComposeService) => {
        if (isRecord(s.raw['healthcheck'])) return true;
        const ci = s.image === undefined ? undefined : images.find((i) => i.image === imageName(s.image!));
        return ci?.meta.healthcheck !== undefined;
      };
      for (const s of enabled) {
        for (const dep of s.dependsOn) {
          const target = byName.get(dep.service);
          if (!target) {
            if (dep.required)
              throw new Error(`${profile}: ${s.name} depends on ${dep.service}, which is not started`);
            continue;
          }
          expect(`${s.name} → ${dep.service}: ${dep.condition}`).toBe(
            `${s.name} → ${dep.service}: service_healthy`,
          );
          expect(`${dep.service} has a healthcheck: ${hasHealthcheck(target)}`).toBe(
            `${dep.service} has a healthcheck: true`,
          );
        }
      }
      // A start order exists.
      const order: string[] = [];
      const visiting = new Set<string>();
      const visit = (name: string) => {
        if (order.includes(name)) return;
        if (visiting.has(name)) throw new Error(`${profile}: a dependency cycle through ${name}`);
        visiting.add(name);
        for (const dep of byName.get(name)?.dependsOn ?? []) if (byName.has(dep.service)) visit(dep.service);
        visiting.delete(name);
        order.push(name);
      };
      for (const s of enabled) visit(s.name);
      expect(order.indexOf('web')).toBeGreaterThan(order.findIndex((name) => name.startsWith('api-')));

      // Every address an app is given names a service (or alias) of this profile, on the port it listens on.
      const names = new Map<string, ComposeService>();
      for (const s of enabled) for (const name of [s.name, ...s.aliases]) names.set(name, s);
      const listenPort = (s: ComposeService): number | undefined => {
        if (s.environment['PORT'] !== undefined) return Number(s.environment['PORT']);
        if (s.name === 'ollama') return 11434;
        if (s.name === 'postgres') return 5432;
        const ci = s.image === undefined ? undefined : images.find((i) => i.image === imageName(s.image!));
        return ci?.meta.expose[0];
      };
      const addresses: [string, string][] = [];
      for (const s of enabled) {
        for (const key of ['DATABASE_URL', 'OLLAMA_BASE_URL', 'LLM_GATEWAY_URL', 'API_UPSTREAM']) {
          const value = s.environment[key];
          if (value) addresses.push([`${s.name} ${key}`, value]);
        }
      }
      expect(addresses.length).toBeGreaterThan(0);
      for (const [what, address] of addresses) {
        const { host, port } = hostPort(address);
        const target = names.get(host);
        if (!target) throw new Error(`${profile}: ${what}=${address}: no service or alias ${host}`);
        expect(`${what} → ${host}:${port}`).toBe(`${what} → ${host}:${listenPort(target)}`);
      }
      // Exactly one service answers to `api` (nginx's upstream) in each stage.
      expect(
        enabled.filter((s) => s.name === 'api' || s.aliases.includes('api')).map((s) => s.name),
      ).toHaveLength(1);
    },
  );

  it('publishes the container ports the apps listen on; the apps listen on 0.0.0.0', () => {
    for (const s of appServices) {
      const app = appOf(s)!;
      const ci = images.find((i) => i.app === app)!;
      const port = app === 'web' ? Number(ci.meta.env['NGINX_LISTEN_PORT']) : Number(s.environment['PORT']);
      expect(`${s.name} listens on ${port}`).toBe(`${s.name} listens on ${ci.meta.expose[0]}`);
      for (const mapping of (s.raw['ports'] as string[] | undefined) ?? []) {
        expect(Number(String(mapping).split(':').pop())).toBe(port);
      }
      if (app !== 'web') expect(s.environment['HOST']).toBe('0.0.0.0');
    }
  });

  it('keeps secrets out of the file: they come from .env, which git ignores', () => {
    const rawEnv = (name: string) =>
      asRecord(asRecord(rawServices[name], name)['environment'], `${name}.environment`);
    for (const [name, key] of [
      ['postgres', 'POSTGRES_PASSWORD'],
      ['api-stage1', 'JWT_SECRET'],
      ['api-stage2', 'LLM_GATEWAY_TOKEN'],
      ['llm', 'LLM_GATEWAY_TOKEN'],
    ] as const) {
      expect(String(rawEnv(name)[key])).toMatch(new RegExp(`^\\$\\{${key}[:?}-]`));
    }
    expect(String(rawEnv('api-stage1')['DATABASE_URL'])).toContain('${POSTGRES_PASSWORD');
    const ignored = (file: string) => {
      try {
        execFileSync('git', ['check-ignore', '-q', file], { cwd: ROOT, stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    };
    expect({ '.env': ignored('.env'), '.env.example': ignored('.env.example') }).toEqual({
      '.env': true,
      '.env.example': false,
    });
  });

  it('Ollama keeps models in a named volume, with the GPU reservation documented; vLLM reserves a GPU', () => {
    const volumes = asRecord(raw['volumes'], 'volumes');
    const ollamaVolumes = (service('ollama').raw['volumes'] as string[]).map(String);
    expect(ollamaVolumes.some((v) => Object.keys(volumes).includes(v.split(':')[0]!))).toBe(true);
    const text = readRepoFile('docker-compose.yml');
    const ollamaBlock = text.slice(text.indexOf('  ollama:'), text.indexOf('  vllm:'));
    expect(ollamaBlock).toMatch(
      /#\s*deploy:\s*\n\s*#\s*resources:\s*\n\s*#\s*reservations:\s*\n\s*#\s*devices:/,
    );
    const vllm = service('vllm').raw;
    const devices = (
      ((vllm['deploy'] as Record<string, unknown>)['resources'] as Record<string, unknown>)[
        'reservations'
      ] as Record<string, unknown>
    )['devices'] as Record<string, unknown>[];
    expect(devices[0]).toMatchObject({ driver: 'nvidia', capabilities: ['gpu'] });
    expect((vllm['command'] as string[]).join(' ')).toMatch(/--max-num-seqs=\d+/);
  });
});

describe('.env.example', () => {
  const envExample = readEnvFile('.env.example');
  const compose = loadCompose('docker-compose.yml', envExample.set);
  const appKeys = new Set([...API_KEYS, ...LLM_KEYS, ...GATEWAY_KEYS]);
  const listed = new Set([...envExample.set.keys(), ...envExample.documented]);

  it('lists every variable any app reads', () => {
    expect([...appKeys].filter((key) => !listed.has(key)).sort()).toEqual([]);
  });

  it('lists every variable docker-compose.yml reads, and sets only variables something reads', () => {
    expect([...compose.variables].filter((key) => !envExample.set.has(key)).sort()).toEqual([]);
    // A value set here that compose does not pass anywhere would silently do nothing.
    expect([...envExample.set.keys()].filter((key) => !compose.variables.has(key)).sort()).toEqual([]);
    expect([...listed].filter((key) => !appKeys.has(key) && !compose.variables.has(key)).sort()).toEqual([]);
  });

  it('holds placeholders, never secrets', () => {
    for (const key of ['POSTGRES_PASSWORD', 'JWT_SECRET', 'LLM_GATEWAY_TOKEN']) {
      expect(envExample.set.get(key)).toMatch(/^change-me/);
    }
    for (const key of ['OPENAI_API_KEY', 'VLLM_API_KEY', 'HF_TOKEN', 'LLM_GATEWAY_TOKENS']) {
      expect(envExample.set.get(key)).toBe('');
    }
  });
});
