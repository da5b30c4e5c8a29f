// The load generator: many concurrent streams over real sockets, timing each one's first token and the
// gaps between tokens as the client sees them. A token is any SSE/NDJSON line that carries `tok` (the
// fake upstream's token text), whatever the hop's framing.
import http from 'node:http';

const agentFor = (concurrency) => new http.Agent({ keepAlive: true, maxSockets: concurrency + 16 });

/** One streamed request; resolves with its timings (or an error), never rejects. */
export function oneStream({ url, headers, body, agent, abortAfterFirstToken = false, timeoutMs = 30_000 }) {
  return new Promise((resolve) => {
    const target = new URL(url);
    const payload = JSON.stringify(body);
    const started = performance.now();
    let firstAt;
    let lastAt;
    const gaps = [];
    let tokens = 0;
    let carry = '';
    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return finish({ ok: false, error: `HTTP ${res.statusCode}` });
        }
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          const now = performance.now();
          const lines = (carry + chunk).split('\n');
          carry = lines.pop();
          for (const line of lines) {
            if (!line.includes('tok')) continue;
            tokens++;
            if (firstAt === undefined) {
              firstAt = now;
              if (abortAfterFirstToken) {
                const abortedAt = performance.timeOrigin + performance.now();
                req.destroy();
                return finish({ ok: true, aborted: true, abortedAt, ttftMs: firstAt - started });
              }
            } else gaps.push(now - lastAt);
            lastAt = now;
          }
          if (/"error"|event: error/.test(chunk)) {
            const code = /"code":"([^"]+)"[^}]*"message":"([^"]{0,120})/.exec(chunk);
            finish({ ok: false, error: code ? `error event ${code[1]}: ${code[2]}` : 'error event' });
          }
        });
        res.on('end', () =>
          firstAt === undefined
            ? finish({ ok: false, error: 'no token' })
            : finish({
                ok: true,
                ttftMs: firstAt - started,
                gaps,
                tokens,
                durationMs: performance.now() - started,
              }),
        );
        res.on('error', (error) => finish({ ok: false, error: error.message }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish({ ok: false, error: 'timeout' });
    }, timeoutMs);
    req.on('error', (error) => finish({ ok: false, error: error.message }));
    req.end(payload);
  });
}

/** `total` streams with `concurrency` in flight at a time; returns every stream's result and the wall time. */
export async function runStreams({ url, headers = {}, body, concurrency, total, timeoutMs }) {
  const agent = agentFor(concurrency);
  const results = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      results.push(await oneStream({ url, headers, body, agent, timeoutMs }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  agent.destroy();
  return { results, wallMs };
}

/**
 * Opens `count` streams that the upstream holds open after one token, in batches (a burst of 10,000
 * connects at once would overflow the listen backlog, which measures the kernel, not the server).
 * Resolves once every stream has its first token or has failed.
 */
export async function openIdleStreams({ url, headers = {}, body, count, batch = 250 }) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const requests = [];
  let opened = 0;
  let failed = 0;
  const openOne = () =>
    new Promise((resolve) => {
      const target = new URL(url);
      const payload = JSON.stringify(body);
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            ...headers,
          },
        },
        (res) => {
          let counted = false;
          res.on('data', (chunk) => {
            if (!counted && String(chunk).includes('tok')) {
              counted = true;
              opened++;
              resolve();
            }
          });
          res.on('error', () => undefined);
          res.on('end', () => {
            if (!counted) {
              failed++;
              resolve();
            }
          });
        },
      );
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end(payload);
      requests.push(req);
    });
  for (let i = 0; i < count; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - i) }, openOne));
  }
  return { opened, failed, close: () => requests.forEach((req) => req.destroy()) };
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
