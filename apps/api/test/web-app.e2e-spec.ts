import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { deadUrl } from './support/net';
import { startTestApp, type TestApp } from './support/test-app';

describe('the web app served at / (e2e)', () => {
  let t: TestApp;
  let webDir: string;

  beforeAll(async () => {
    webDir = mkdtempSync(path.join(tmpdir(), 'sluice-web-'));
    mkdirSync(path.join(webDir, 'assets'));
    writeFileSync(
      path.join(webDir, 'index.html'),
      '<!doctype html><title>Sluice</title><div id="root"></div>',
    );
    const script = 'console.log("app")';
    writeFileSync(path.join(webDir, 'assets', 'app-1234.js'), script);
    // What the web build writes beside each file (apps/web/vite.config.ts).
    writeFileSync(path.join(webDir, 'assets', 'app-1234.js.br'), brotliCompressSync(script));
    writeFileSync(path.join(webDir, 'assets', 'app-1234.js.gz'), gzipSync(script));
    t = await startTestApp({ env: { OLLAMA_BASE_URL: await deadUrl(), WEB_DIST_DIR: webDir } });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('serves the app at / and its assets, without a token', async () => {
    const page = await fetch(`${t.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<title>Sluice</title>');
    const asset = await fetch(`${t.url}/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
  });

  it('keeps the API its own: an unknown API path is still a JSON 404, the API still needs a token', async () => {
    const missing = await fetch(`${t.url}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await fetch(`${t.url}/api/conversations`)).status).toBe(401);
  });

  it('caches the hashed assets for good and revalidates the page', async () => {
    expect((await fetch(`${t.url}/`)).headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${t.url}/assets/app-1234.js`)).headers.get('cache-control')).toBe(
      'public, max-age=31536000, immutable',
    );
  });

  it('sends the precompressed file the browser accepts, as the file it stands for', async () => {
    for (const [accept, encoding, magic] of [
      ['br, gzip', 'br', undefined],
      ['gzip', 'gzip', '1f8b'],
      ['identity', undefined, undefined],
    ] as const) {
      const response = await rawGet(`${t.url}/assets/app-1234.js`, { 'accept-encoding': accept });
      expect(response.headers['content-encoding']).toBe(encoding);
      expect(response.headers['content-type']).toContain('javascript');
      expect(response.headers['cache-control']).toContain('immutable');
      expect(response.headers['vary']).toContain('accept-encoding');
      if (magic) expect(response.body.subarray(0, 2).toString('hex')).toBe(magic);
      if (encoding === undefined) expect(response.body.toString()).toBe('console.log("app")');
    }
  });

  it('compresses no API answer on the fly', async () => {
    const response = await rawGet(`${t.url}/health/live`, { 'accept-encoding': 'br, gzip' });
    expect(response.headers['content-encoding']).toBeUndefined();
  });
});

/** A GET with node:http: the bytes as sent (fetch would decompress them). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}
