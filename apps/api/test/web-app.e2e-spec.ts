import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
    writeFileSync(path.join(webDir, 'assets', 'app-1234.js'), 'console.log("app")');
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
});
