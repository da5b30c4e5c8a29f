// A fast fake model server for the benchmark: OpenAI-compatible SSE (`/v1/chat/completions`) and
// Ollama NDJSON (`/api/chat`) streams of a set number of tokens at a set interval, built from
// pre-encoded chunks so the upstream itself costs next to nothing. `stall` mode sends the first token
// and then holds the stream open (idle-stream memory); the time of the last client abort is kept for
// the abort-latency figure. Run: node upstream.mjs <port> (prints "ready <port>").
import http from 'node:http';

const MODEL = 'bench-model';
const epochMs = () => performance.timeOrigin + performance.now();

let lastAbortAt = 0;
let streamsOpen = 0;
// Set by the runner between phases (POST /__bench/config): the hops in between forward no custom headers.
let settings = { tokens: 10, intervalMs: 5, stall: false };

function settingsFrom() {
  return settings;
}

const openaiChunk = (delta, finish) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: MODEL,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  })}\n\n`;
const OPENAI_HEAD = openaiChunk({ role: 'assistant', content: '' }, null);
const OPENAI_TAIL =
  openaiChunk({}, 'stop') +
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: MODEL, choices: [], usage: { prompt_tokens: 5, completion_tokens: 10, total_tokens: 15 } })}\n\n` +
  'data: [DONE]\n\n';
const openaiToken = (i) => openaiChunk({ content: `tok${i} ` }, null);

const ollamaToken = (i) =>
  `${JSON.stringify({ model: MODEL, created_at: '2026-01-01T00:00:00.000000000Z', message: { role: 'assistant', content: `tok${i} ` }, done: false })}\n`;
const OLLAMA_TAIL = `${JSON.stringify({ model: MODEL, created_at: '2026-01-01T00:00:00.000000000Z', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', total_duration: 1000, prompt_eval_count: 5, eval_count: 10, eval_duration: 1000 })}\n`;

function stream(req, res, format) {
  const { tokens, intervalMs, stall } = settingsFrom(req);
  const sse = format === 'openai';
  res.writeHead(200, {
    'content-type': sse ? 'text/event-stream' : 'application/x-ndjson',
    'cache-control': 'no-cache',
  });
  if (sse) res.write(OPENAI_HEAD);
  streamsOpen++;
  let i = 0;
  let timer;
  let finished = false;
  const done = () => {
    if (finished) return;
    finished = true;
    streamsOpen--;
    clearTimeout(timer);
  };
  res.on('close', () => {
    if (!res.writableFinished) lastAbortAt = epochMs();
    done();
  });
  const next = () => {
    if (res.destroyed) return done();
    res.write(sse ? openaiToken(i) : ollamaToken(i));
    i++;
    if (stall) return; // held open until the client goes
    if (i < tokens) timer = setTimeout(next, intervalMs);
    else {
      res.end(sse ? OPENAI_TAIL : OLLAMA_TAIL);
      done();
    }
  };
  timer = setTimeout(next, intervalMs);
}

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && path === '/__bench/last-abort')
    return json(res, 200, { lastAbortAt, streamsOpen });
  if (req.method === 'POST' && path === '/__bench/config') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      settings = { ...settings, ...JSON.parse(body) };
      json(res, 200, settings);
    });
    return;
  }
  if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
    return json(res, 200, {
      object: 'list',
      data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'bench' }],
    });
  }
  if (req.method === 'GET' && path === '/api/tags') {
    return json(res, 200, {
      models: [
        { name: MODEL, model: MODEL, modified_at: '2026-01-01T00:00:00Z', size: 1, digest: 'x', details: {} },
      ],
    });
  }
  if (req.method === 'GET' && path === '/api/version') return json(res, 200, { version: '0.0.0-bench' });
  if (
    req.method === 'POST' &&
    (path === '/v1/chat/completions' || path === '/chat/completions' || path === '/api/chat')
  ) {
    // The body is read (and dropped) before answering, as a real server would.
    req.on('data', () => undefined);
    req.on('end', () => stream(req, res, path === '/api/chat' ? 'ollama' : 'openai'));
    return;
  }
  json(res, 404, {
    error: {
      message: `no route ${req.method} ${path}`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  });
});
server.keepAliveTimeout = 60_000;
server.maxConnections = 100_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`ready ${server.address().port}`);
});
