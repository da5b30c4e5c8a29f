/**
 * The web image's nginx (docker/web.Dockerfile's runtime stage, its real configuration, this
 * machine's nginx; the Vite build stands in as two small files) in front of the real API, over real
 * sockets on 127.0.0.1:
 * - the security headers nginx adds are the ones the API sends (apps/api/src/security), on every
 *   location, once;
 * - a client that forges X-Forwarded-For is still one client to the API's login rate limit.
 * Needs nginx (apt-get install -y --no-install-recommends nginx) and PostgreSQL.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
// The API's own boot helpers (test-time only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { deadUrl } from '../../apps/api/test/support/net';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startTestApp, type TestApp } from '../../apps/api/test/support/test-app';
import { type Container, startContainer, waitHealthy } from './testing/container';
import { ImageBuilder } from './testing/image-builder';
import { imageInfoFor } from './testing/images';
import { find, parseNginx } from './testing/nginx-conf';
import { freePort, killAllServers } from './testing/processes';
import { repoPath, ROOT } from './testing/repo';

const SNIPPET = 'docker/nginx/security-headers.conf';
const SNIPPET_IN_IMAGE = '/etc/nginx/snippets/security-headers.conf';
/** Headers of any HTTP answer, not security headers. */
const GENERIC = new Set([
  'connection',
  'content-length',
  'content-type',
  'date',
  'keep-alive',
  'x-request-id',
  'cache-control',
]);

/** The snippet's `add_header NAME VALUE always;` lines, by lower-case name. */
function nginxSecurityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const directive of find(parseNginx(readFileSync(repoPath(SNIPPET), 'utf8')), 'add_header')) {
    const [name, value, always] = directive.args;
    expect(`${name} ${always}`).toBe(`${name} always`);
    headers[name!.toLowerCase()] = value!;
  }
  return headers;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request from a chosen loopback address (a distinct client as nginx sees it). */
function send(
  url: string,
  options: { from?: string; method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        ...(options.from ? { localAddress: options.from } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

let attempt = 0;

/** A wrong password for a new address each time: only the per-address limit can refuse it. */
function login(baseUrl: string, from: string, forwardedFor?: string): Promise<Answer> {
  attempt += 1;
  return send(`${baseUrl}/api/auth/login`, {
    from,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
    },
    body: JSON.stringify({ email: `nobody-${attempt}@example.com`, password: 'not the password at all' }),
  });
}

const outcome = (answer: Answer): string =>
  answer.status === 429
    ? `429 ${(JSON.parse(answer.body) as { error?: { code?: string } }).error?.code}`
    : String(answer.status);

describe("the web image's nginx in front of the API", () => {
  let work: string;
  let api: TestApp;
  let web: Container;
  let webUrl: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'sluice-web-front-'));
    // nginx runs as the image's user: it must reach these files.
    chmodSync(work, 0o755);
    const build = path.join(work, 'vite-build');
    const html = path.join(build, 'app/dist/apps/web');
    mkdirSync(path.join(html, 'assets'), { recursive: true });
    writeFileSync(path.join(html, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(html, 'assets/app-1234.js'), 'console.log("app")');
    const builder = new ImageBuilder({ repoRoot: ROOT, workDir: path.join(work, 'image') });
    const image = await builder.build(imageInfoFor('web').dockerfile, { build });

    api = await startTestApp({
      env: { OLLAMA_BASE_URL: await deadUrl(), TRUST_PROXY: '1', AUTH_RATE_LIMIT: '10' },
    });
    const port = await freePort();
    web = await startContainer(image, {
      name: 'web-front',
      env: {
        API_UPSTREAM: new URL(api.url).host,
        NGINX_LISTEN_HOST: '127.0.0.1',
        NGINX_LISTEN_PORT: String(port),
      },
      dir: path.join(work, 'web'),
    });
    await waitHealthy(web, 30_000);
    webUrl = `http://127.0.0.1:${port}`;
  }, 60_000);

  afterAll(async () => {
    await web?.stop(5_000);
    killAllServers();
    await api?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("the snippet's headers are exactly the security headers the API sends", async () => {
    const answer = await send(`${api.url}/health/live`);
    const sent = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !GENERIC.has(name)));
    expect(nginxSecurityHeaders()).toEqual(sent);
  });

  it('every location that answers from disk includes the snippet; the proxied ones add none', () => {
    const config = parseNginx(readFileSync(repoPath('docker/nginx/default.conf.template'), 'utf8'));
    const server = find(config, 'server')[0]!.block!;
    expect(find(server, 'add_header')).toEqual([]);
    for (const location of find(server, 'location')) {
      const block = location.block!;
      const includes = find(block, 'include').map((directive) => directive.args[0]);
      const proxied = find(block, 'proxy_pass').length > 0;
      expect(`${location.args.join(' ')}: ${includes.includes(SNIPPET_IN_IMAGE)}`).toBe(
        `${location.args.join(' ')}: ${!proxied}`,
      );
      if (proxied) expect(find(block, 'add_header')).toEqual([]);
    }
  });

  it.each([
    ['/', 200],
    ['/assets/app-1234.js', 200],
    ['/assets/missing.js', 404],
    ['/conversations/123', 200],
    ['/health/live', 200],
    ['/api/models', 401],
  ])('nginx %s: %s with each security header once, as the API sends it', async (route, status) => {
    const answer = await send(`${webUrl}${route}`);
    expect(answer.status).toBe(status);
    for (const [name, value] of Object.entries(nginxSecurityHeaders())) {
      expect(`${name}: ${String(answer.headers[name])}`).toBe(`${name}: ${value}`);
    }
  });

  it('40 logins with 40 forged X-Forwarded-For values through nginx: one client, limited after 10', async () => {
    const outcomes: string[] = [];
    for (let i = 1; i <= 40; i += 1) {
      outcomes.push(outcome(await login(webUrl, '127.0.0.2', `198.51.100.${i}`)));
    }
    expect(outcomes).toEqual([
      ...Array<string>(10).fill('401'),
      ...Array<string>(30).fill('429 rate_limited'),
    ]);
    // Another client (another address as nginx sees it) has its own attempts: the API does read
    // the client's address from nginx, not nginx's own.
    expect(outcome(await login(webUrl, '127.0.0.3'))).toBe('401');
  });

  it('straight to the API with TRUST_PROXY=1, a forged leftmost X-Forwarded-For changes nothing', async () => {
    const outcomes: string[] = [];
    for (let i = 1; i <= 11; i += 1) {
      outcomes.push(outcome(await login(api.url, '127.0.0.1', `198.51.100.${i}, 203.0.113.9`)));
    }
    expect(outcomes).toEqual([...Array<string>(10).fill('401'), '429 rate_limited']);
  });
});
