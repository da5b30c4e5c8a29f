// The bare relay the issue measured before any Sluice code: undici to the upstream, raw writes to the
// client, no parsing, no auth, no logging. Aborting the client request aborts the upstream one.
// Run: node relay.mjs <port> <upstream base URL>
import http from 'node:http';
import { Pool } from 'undici';

const pool = new Pool(process.argv[3], { connections: null, pipelining: 1 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

const server = http.createServer((req, res) => {
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  pool
    .request({ path: req.url, method: req.method, headers, body: req, signal: controller.signal })
    .then(async ({ statusCode, headers: upstreamHeaders, body }) => {
      const out = {};
      for (const [name, value] of Object.entries(upstreamHeaders))
        if (!HOP_BY_HOP.has(name)) out[name] = value;
      res.writeHead(statusCode, out);
      for await (const chunk of body) res.write(chunk);
      res.end();
    })
    .catch(() => res.destroy());
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`ready ${server.address().port}`);
});
