import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

export interface WebServer {
  /** Where the browser opens the app: `http://127.0.0.1:<port>/`. */
  url: string;
  /** `api`: the API serves the app itself; `front`: this test server serves it and forwards the API routes. */
  mode: 'api' | 'front';
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** The built app is served by the API at `/`: is it already (the production wiring)? */
async function apiServesTheApp(apiUrl: string): Promise<boolean> {
  const response = await fetch(`${apiUrl}/`);
  const body = await response.text();
  return response.ok && body.includes('<div id="root">');
}

/**
 * One origin for the app and the API, as in production. When the API serves the built app itself,
 * that is used as it is. Until then, a small front server serves `distDir` and forwards `/api` and
 * `/health` to the API, streaming both ways, closing the upstream request when the browser goes away
 * (so Stop reaches the API as a closed connection, as it would without the front server).
 */
export async function serveWeb(apiUrl: string, distDir: string): Promise<WebServer> {
  if (await apiServesTheApp(apiUrl)) return { url: `${apiUrl}/`, mode: 'api', close: async () => undefined };

  const api = new URL(apiUrl);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/api/') || path === '/api' || path.startsWith('/health/')) forward(req, res, api);
    else void serveFile(path, res, distDir);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the web server is not on TCP');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    mode: 'front',
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function forward(req: IncomingMessage, res: ServerResponse, api: URL): void {
  const upstream = httpRequest(
    { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders();
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  // The browser closed the connection (Stop, a reload): close ours to the API too.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

async function serveFile(path: string, res: ServerResponse, distDir: string): Promise<void> {
  const relative = normalize(decodeURIComponent(path === '/' ? '/index.html' : path)).replace(/^[/\\]+/, '');
  const file = join(distDir, relative);
  if (!file.startsWith(distDir + sep)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}
