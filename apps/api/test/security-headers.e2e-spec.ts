import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deadUrl } from './support/net';
import { startTestApp, type TestApp } from './support/test-app';

describe('security headers on every answer (e2e)', () => {
  let t: TestApp;
  let webDir: string;

  beforeAll(async () => {
    webDir = mkdtempSync(path.join(tmpdir(), 'sluice-web-'));
    writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><div id="root"></div>');
    t = await startTestApp({ env: { OLLAMA_BASE_URL: await deadUrl(), WEB_DIST_DIR: webDir } });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it.each(['/', '/health/live', '/api/conversations', '/api/nothing-here'])('%s', async (route) => {
    const headers = (await fetch(`${t.url}${route}`)).headers;
    expect(headers.get('content-security-policy')).toBe(
      "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data: blob:;font-src 'self';" +
        "connect-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'",
    );
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('strict-transport-security')).toBeNull();
  });

  it("lets the OpenAPI UI use Swagger's inline styles, and nothing else inline", async () => {
    for (const route of ['/api/docs', '/api/docs/swagger-ui-init.js']) {
      const headers = (await fetch(`${t.url}${route}`)).headers;
      expect(headers.get('content-security-policy')).toContain("style-src 'self' 'unsafe-inline';");
      expect(headers.get('content-security-policy')).toContain("script-src 'self';");
    }
    const app = (await fetch(`${t.url}/api/docsx`)).headers;
    expect(app.get('content-security-policy')).toContain("style-src 'self';");
  });
});
