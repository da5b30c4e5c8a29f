/**
 * SLOW (about 2 minutes with a warm npm cache; allow up to 8 on 2 cores): the three Dockerfiles built
 * and run without Docker (testing/image-builder.ts, testing/container.ts say exactly what stands in
 * for what). `npm ci` reaches the npm registry (prefer-offline, through ~/.npm).
 *
 * Then both stages as docker-compose.yml wires them: each container started with the environment
 * compose gives it (interpolated from .env.example), only the network addresses replaced by this
 * machine's (127.0.0.1, free ports, a fresh database, REDIS_URL, the library's fake Ollama): the images'
 * HEALTHCHECKs, the health routes, and a chat streamed through nginx → API (→ gateway) → Ollama.
 *
 * Needs nginx (apt-get install -y --no-install-recommends nginx) and PostgreSQL (DATABASE_URL or the
 * embedded one the API's test setup starts). A failure names the Dockerfile line or the step.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSse } from '@sluice/llm-provider';
import { type FakeOllama, startFakeOllama } from '@sluice/llm-provider/testing';
// The API's test database helper (test-time only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestDatabase, type TestDatabase } from '../../apps/api/test/support/test-database';
import { type Container, startContainer, waitHealthy } from './testing/container';
import { loadCompose, readEnvFile, withGeneratedSecrets } from './testing/compose';
import { type BuiltImage, ImageBuilder, inStage, type StepLog } from './testing/image-builder';
import { imageInfoFor } from './testing/images';
import { chatThrough, rawRequest } from './testing/http';
import { freePort, killAllServers, tail } from './testing/processes';
import { ROOT } from './testing/repo';

const BUILD_TIMEOUT_MS = 8 * 60_000;
/** The test run's Redis (.ci/run sets REDIS_URL); without one the apps keep their counters in memory. */
const redisUrl = process.env['REDIS_URL'] || undefined;
const START_TIMEOUT_MS = 60_000;

describe('[slow] the images, built and run without Docker', () => {
  let work: string;
  let builder: ImageBuilder;
  const images: Partial<Record<'api' | 'llm' | 'web', BuiltImage>> = {};
  const steps: StepLog[] = [];
  const started: Container[] = [];
  const databases: TestDatabase[] = [];
  let ollama: FakeOllama;
  // The placeholders replaced, as a deployer does (the images run with NODE_ENV=production).
  const envExample = { set: withGeneratedSecrets(readEnvFile('.env.example').set) };
  const compose = loadCompose('docker-compose.yml', envExample.set);

  const build = async (app: 'api' | 'llm' | 'web') => {
    const image = await builder.build(imageInfoFor(app).dockerfile);
    steps.push(...image.steps);
    images[app] = image;
    return image;
  };
  const image = (app: 'api' | 'llm' | 'web'): BuiltImage => {
    const found = images[app];
    if (!found) throw new Error(`the ${app} image was not built (see the first failure above)`);
    return found;
  };

  /**
   * A compose service's environment with the network addresses replaced: every value that still
   * names a compose host after the replacements is an error (an address the test forgot).
   */
  const composeEnv = (
    service: string,
    replace: Record<string, string | undefined>,
  ): Record<string, string> => {
    const env: Record<string, string> = { ...compose.services.get(service)!.environment };
    for (const [key, value] of Object.entries(replace)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    const hosts = new Set([...compose.services.values()].flatMap((s) => [s.name, ...s.aliases]));
    for (const [key, value] of Object.entries(env)) {
      let host: string | undefined;
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) host = new URL(value).hostname;
      else if (/^[\w.-]+:\d+$/.test(value)) host = value.split(':')[0];
      if (host !== undefined && hosts.has(host))
        throw new Error(`${service}: ${key}=${value} still names the compose host ${host}`);
    }
    return env;
  };

  const start = async (app: 'api' | 'llm' | 'web', name: string, env: Record<string, string>) => {
    const container = await startContainer(image(app), {
      name,
      env,
      dir: path.join(work, 'containers', name),
    });
    started.push(container);
    await waitHealthy(container, START_TIMEOUT_MS);
    return container;
  };

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'sluice-images-'));
    // The containers run as their images' users: they must reach their files.
    chmodSync(work, 0o755);
    builder = new ImageBuilder({ repoRoot: ROOT, workDir: path.join(work, 'build') });
    ollama = await startFakeOllama();
  });

  afterAll(async () => {
    for (const container of started.reverse()) await container.stop(2_000).catch(() => undefined);
    killAllServers();
    await ollama?.close();
    for (const db of databases) await db.drop().catch(() => undefined);
    if (work && process.env['SLUICE_KEEP_IMAGE_WORK'] !== '1') rmSync(work, { recursive: true, force: true });
    if (steps.length > 0) {
      const lines = steps.map(
        (s) =>
          `${s.cached ? ' cached' : `${(s.ms / 1000).toFixed(1).padStart(6)}s`}  ${s.dockerfile}:${s.line} [${s.stage}] ${s.text.slice(0, 90)}`,
      );
      process.stderr.write(`\nimage build steps:\n${lines.join('\n')}\n`);
    }
  }, 60_000);

  describe('docker/api.Dockerfile', () => {
    beforeAll(() => build('api'), BUILD_TIMEOUT_MS);

    it('installs production dependencies only in the runtime stage', () => {
      expectProductionOnly(image('api'));
    });

    it('holds the compiled API and its dependencies, nothing else of the repository', () => {
      const app = inStage(image('api').final.root, image('api').final.workdir);
      expect(readdirSync(app).sort()).toEqual(['dist', 'node_modules']);
      expect(existsSync(path.join(app, 'dist/apps/api/apps/api/src/main.js'))).toBe(true);
      expect(existsSync(path.join(app, 'node_modules/@sluice'))).toBe(false);
    });
  });

  describe('docker/llm.Dockerfile', () => {
    beforeAll(() => build('llm'), BUILD_TIMEOUT_MS);

    it('installs production dependencies only in the runtime stage', () => {
      expectProductionOnly(image('llm'));
    });

    it('reuses the dependency stages the API image built (same content, same cache)', () => {
      expect(
        image('llm')
          .steps.filter((s) => s.cached)
          .map((s) => s.stage),
      ).toEqual(expect.arrayContaining(['deps', 'prod-deps']));
    });
  });

  describe('docker/web.Dockerfile', () => {
    beforeAll(() => build('web'), BUILD_TIMEOUT_MS);

    it("serves Vite's build from nginx's html folder, without source maps", () => {
      const html = inStage(image('web').final.root, '/usr/share/nginx/html');
      expect(readFileSync(path.join(html, 'index.html'), 'utf8')).toContain('<div id="root">');
      const assets = readdirSync(path.join(html, 'assets'));
      expect(assets.some((file) => file.endsWith('.js'))).toBe(true);
      expect(assets.filter((file) => file.endsWith('.map'))).toEqual([]);
    });
  });

  describe('stage one, as docker-compose.yml wires it', () => {
    let api: Container;
    let web: Container;
    let webUrl: string;

    beforeAll(async () => {
      const db = await createTestDatabase();
      databases.push(db);
      const apiPort = await freePort();
      api = await start(
        'api',
        'api-stage1',
        composeEnv('api-stage1', {
          HOST: '127.0.0.1',
          PORT: String(apiPort),
          DATABASE_URL: db.url,
          OLLAMA_BASE_URL: ollama.url,
          REDIS_URL: redisUrl,
        }),
      );
      const webPort = await freePort();
      web = await start(
        'web',
        'web-stage1',
        composeEnv('web', {
          API_UPSTREAM: `127.0.0.1:${apiPort}`,
          NGINX_LISTEN_HOST: '127.0.0.1',
          NGINX_LISTEN_PORT: String(webPort),
        }),
      );
      webUrl = `http://127.0.0.1:${webPort}`;
    }, START_TIMEOUT_MS * 2);

    it("the API starts as the image's CMD says, as its USER, and passes its HEALTHCHECK", async () => {
      expectRunsAs(api, image('api'));
      const ready = await rawRequest(`http://127.0.0.1:${api.env['PORT']}/health/ready`);
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.body.toString()) as unknown).toMatchObject({ database: { status: 'up' } });
      expect((await api.healthcheck()).code).toBe(0);
    });

    it('nginx serves the app: index revalidated, hashed assets gzipped and immutable, any path the app', async () => {
      expectRunsAs(web, image('web'));
      const index = await rawRequest(`${webUrl}/`);
      expect(index.status).toBe(200);
      expect(index.body.toString()).toContain('<div id="root">');
      expect(index.headers['cache-control']).toBe('no-cache');
      const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(index.body.toString())?.[1];
      if (!script) throw new Error(`no script in index.html:\n${index.body.toString()}`);
      const asset = await rawRequest(`${webUrl}/${script}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(asset.status).toBe(200);
      expect(asset.headers['content-encoding']).toBe('gzip');
      expect(asset.body.subarray(0, 2).toString('hex')).toBe('1f8b');
      expect(asset.headers['cache-control']).toContain('immutable');
      const deepLink = await rawRequest(`${webUrl}/conversations/123`);
      expect(deepLink.body.toString()).toContain('<div id="root">');
    });

    it('nginx proxies /health and /api to the API, uncompressed', async () => {
      for (const route of ['/health/live', '/health/ready', '/api/models']) {
        const response = await rawRequest(`${webUrl}${route}`, { headers: { 'accept-encoding': 'gzip' } });
        expect(`${route} ${response.status} ${String(response.headers['content-encoding'])}`).toBe(
          `${route} ${route === '/api/models' ? 401 : 200} undefined`,
        );
        expect(response.headers['content-type']).toContain('application/json');
      }
    });

    it('streams a chat through nginx as it is generated (server-sent events, unbuffered)', async () => {
      ollama.script({ tokens: ['one ', 'two ', 'three ', 'four'], delayMs: 400 });
      const run = await chatThrough(webUrl, 'count to four');
      expectStreamedLive(run.events, 'one two three four');
      expect(run.headers.get('content-encoding')).toBeNull();
    });

    it("nginx streams any upstream's events as they come, even without X-Accel-Buffering", async () => {
      // The API sends `X-Accel-Buffering: no`, which alone turns nginx's buffering off for its streams;
      // this upstream does not: the stream must still arrive live and uncompressed. (nginx 1.22 forwards
      // each chunk it reads even with proxy_buffering on, so dockerfiles.spec.ts checks the directive.)
      const upstream = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        let sent = 0;
        const timer = setInterval(() => {
          sent += 1;
          res.write(`event: tick\ndata: ${sent}\n\n`);
          if (sent === 4) {
            clearInterval(timer);
            res.end();
          }
        }, 400);
        req.on('close', () => clearInterval(timer));
      });
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      const upstreamPort = (upstream.address() as AddressInfo).port;
      const probePort = await freePort();
      const probe = await start(
        'web',
        'web-probe',
        composeEnv('web', {
          API_UPSTREAM: `127.0.0.1:${upstreamPort}`,
          NGINX_LISTEN_HOST: '127.0.0.1',
          NGINX_LISTEN_PORT: String(probePort),
        }),
      );
      try {
        const sent = performance.now();
        const response = await fetch(`http://127.0.0.1:${probePort}/api/stream-probe`, {
          headers: { 'accept-encoding': 'gzip' },
        });
        const arrivals: number[] = [];
        for await (const event of readSse(response.body as unknown as AsyncIterable<Uint8Array>)) {
          if (event.event === 'tick') arrivals.push(performance.now() - sent);
        }
        expect(arrivals).toHaveLength(4);
        expect(response.headers.get('content-encoding')).toBeNull();
        expect(`${Math.round(arrivals[3]! - arrivals[0]!)} ms from the first event to the last`).toMatch(
          /^([6-9]\d\d|\d{4,}) ms/,
        );
      } finally {
        await probe.stop(10_000);
        await new Promise((resolve) => upstream.close(resolve));
      }
    });

    it('stops on SIGTERM within its compose stop_grace_period', async () => {
      const stoppedWeb = await web.stop(10_000);
      expect({ killed: stoppedWeb.killed, code: stoppedWeb.code }).toEqual({ killed: false, code: 0 });
      const stoppedApi = await api.stop(20_000);
      expect({ killed: stoppedApi.killed, code: stoppedApi.code, logs: '' }).toEqual({
        killed: false,
        code: 0,
        logs: stoppedApi.code === 0 ? '' : tail(api.logs()),
      });
    });
  });

  describe('stage two, as docker-compose.yml wires it', () => {
    let llm: Container;
    let api: Container;
    let web: Container;
    let webUrl: string;
    let llmUrl: string;

    beforeAll(async () => {
      const llmPort = await freePort();
      llm = await start(
        'llm',
        'llm',
        composeEnv('llm', {
          HOST: '127.0.0.1',
          PORT: String(llmPort),
          OLLAMA_BASE_URL: ollama.url,
          REDIS_URL: redisUrl,
        }),
      );
      llmUrl = `http://127.0.0.1:${llmPort}`;
      const db = await createTestDatabase();
      databases.push(db);
      const apiPort = await freePort();
      api = await start(
        'api',
        'api-stage2',
        composeEnv('api-stage2', {
          HOST: '127.0.0.1',
          PORT: String(apiPort),
          DATABASE_URL: db.url,
          LLM_GATEWAY_URL: llmUrl,
          REDIS_URL: redisUrl,
        }),
      );
      const webPort = await freePort();
      web = await start(
        'web',
        'web-stage2',
        composeEnv('web', {
          API_UPSTREAM: `127.0.0.1:${apiPort}`,
          NGINX_LISTEN_HOST: '127.0.0.1',
          NGINX_LISTEN_PORT: String(webPort),
        }),
      );
      webUrl = `http://127.0.0.1:${webPort}`;
    }, START_TIMEOUT_MS * 3);

    it("the gateway starts as its image says, passes its HEALTHCHECK, and serves /v1 with compose's token", async () => {
      expectRunsAs(llm, image('llm'));
      expect((await llm.healthcheck()).code).toBe(0);
      const token = envExample.set.get('LLM_GATEWAY_TOKEN');
      const models = await rawRequest(`${llmUrl}/v1/models`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(models.status).toBe(200);
      expect(models.body.toString()).toContain('llama3.2');
      expect((await rawRequest(`${llmUrl}/v1/models`)).status).toBe(401);
      expect((await rawRequest(`${llmUrl}/metrics`)).status).toBe(200);
    });

    it('streams a chat through nginx → API → gateway → Ollama as it is generated', async () => {
      ollama.script({ tokens: ['five ', 'six ', 'seven ', 'eight'], delayMs: 400 });
      const run = await chatThrough(webUrl, 'count on');
      expectStreamedLive(run.events, 'five six seven eight');
      expect(run.headers.get('content-encoding')).toBeNull();
      // The call went through the gateway: its request log has the completed chat.
      expect(llm.logs()).toMatch(
        /"msg":"request completed"[^\n]*"endpoint":"chat_completions"|"endpoint":"chat_completions"[^\n]*"msg":"request completed"/,
      );
    });

    it('stops on SIGTERM within its compose stop_grace_period', async () => {
      for (const [container, grace] of [
        [web, 10_000],
        [api, 20_000],
        [llm, 30_000],
      ] as const) {
        const stopped = await container.stop(grace);
        // Nest's shutdown hooks (the gateway) re-raise SIGTERM once the app has closed: 143 in Docker.
        const ended =
          stopped.code === 0
            ? 'exit 0'
            : stopped.signal === 'SIGTERM' && container.name === 'llm'
              ? 'exit 0'
              : `${stopped.code ?? stopped.signal}`;
        expect({ name: container.name, killed: stopped.killed, ended }).toEqual({
          name: container.name,
          killed: false,
          ended: 'exit 0',
        });
      }
    });
  });
});

/** The runtime stage's node_modules: no dev-only package of the lockfile, no TypeScript, every dependency. */
function expectProductionOnly(built: BuiltImage): void {
  const modules = inStage(built.final.root, path.posix.join(built.final.workdir, 'node_modules'));
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  const present = (pkg: string) => existsSync(path.join(modules, pkg.replace(/^node_modules\//, '')));
  expect(present('typescript')).toBe(false);
  expect(present('ts-node')).toBe(false);
  const devOnly = Object.entries(lock.packages)
    .filter(([pkg, entry]) => pkg.startsWith('node_modules/') && (entry.dev || entry.devOptional))
    .map(([pkg]) => pkg);
  expect(devOnly.filter(present)).toEqual([]);
  const root = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  expect(Object.keys(root.dependencies).filter((name) => !present(name))).toEqual([]);
}

/** The process runs as the image's USER (checked when this test can switch users: as root). */
function expectRunsAs(container: Container, built: BuiltImage): void {
  if (process.getuid?.() !== 0) return;
  const status = readFileSync(`/proc/${container.server.pid}/status`, 'utf8');
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  const expected = built.final.user.split(':')[0];
  expect(`${container.name} uid ${uid}`).toBe(`${container.name} uid ${expected}`);
}

/** The text arrived in pieces while it was generated (400 ms apart), not in one piece at the end. */
function expectStreamedLive(events: { event: string; data: string; at: number }[], text: string): void {
  const deltas = events.filter((e) => e.event === 'delta');
  const done = events.find((e) => e.event === 'done');
  const summary = events.map((e) => `${Math.round(e.at)}ms ${e.event} ${e.data.slice(0, 60)}`).join('\n');
  if (!done || deltas.length === 0) throw new Error(`the stream did not complete:\n${summary}`);
  expect(deltas.map((e) => (JSON.parse(e.data) as { text: string }).text).join('')).toBe(text);
  // Four tokens 400 ms apart: the first must reach the client well before the end.
  expect(`${Math.round(done.at - deltas[0]!.at)} ms between the first text and the end`).toMatch(
    /^([6-9]\d\d|\d{4,}) ms/,
  );
}
