import OpenAI from 'openai';
import { startFakeOllama, startFakeVllm, type FakeOllama, type FakeVllm } from '@sluice/llm-provider/testing';
import { AUTH, postJson, readEvents } from './support/http';
import { eventually, requestLines, startGateway, TOKEN, type TestGateway } from './support/gateway';

const SECRET_PROMPT = 'the launch code is PROMPT-7f3c9a';

/** One sample of the Prometheus text: `name{labels} value`. */
function sample(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0] ?? '';
    if (wanted.every((pair) => labelText.includes(pair))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

describe('operations', () => {
  let ollama: FakeOllama;
  let vllm: FakeVllm;
  let gateway: TestGateway;
  let client: OpenAI;

  beforeAll(async () => {
    [ollama, vllm] = await Promise.all([startFakeOllama(), startFakeVllm()]);
    gateway = await startGateway({
      env: { OLLAMA_BASE_URL: ollama.url, VLLM_BASE_URL: `${vllm.url}/v1`, LLM_MAX_RETRIES: '0' },
    });
    client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: TOKEN,
      maxRetries: 0,
      defaultHeaders: { 'x-sluice-user': 'user-42' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([ollama?.close(), vllm?.close()]);
  });
  beforeEach(() => {
    ollama.reset();
    vllm.reset();
  });

  describe('health', () => {
    it('answers liveness without looking at upstreams', async () => {
      ollama.unhealthy = true;
      vllm.unhealthy = true;
      const live = await fetch(`${gateway.url}/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok' });
    });

    it('is ready while any upstream is, and lists each one', async () => {
      const ready = await fetch(`${gateway.url}/health/ready`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { status: string; upstreams: Record<string, unknown>[] };
      expect(body.status).toBe('ok');
      expect(body.upstreams).toEqual([
        {
          provider: 'ollama',
          kind: 'ollama',
          ok: true,
          latencyMs: expect.any(Number),
          circuit: 'closed',
          inFlight: 0,
          queued: 0,
        },
        {
          provider: 'vllm',
          kind: 'vllm',
          ok: true,
          latencyMs: expect.any(Number),
          circuit: 'closed',
          inFlight: 0,
          queued: 0,
        },
      ]);
      // Public: no internal address in it.
      expect(JSON.stringify(body)).not.toContain('127.0.0.1');

      vllm.unhealthy = true;
      expect(await (await fetch(`${gateway.url}/health/ready`)).json()).toMatchObject({ status: 'degraded' });
      ollama.unhealthy = true;
      const none = await fetch(`${gateway.url}/health/ready`);
      expect(none.status).toBe(503);
      expect(await none.json()).toMatchObject({ status: 'unavailable' });
    });
  });

  describe('metrics', () => {
    it('counts requests by outcome, observes time to first token, duration and tokens', async () => {
      ollama.script(
        { tokens: ['a', 'b', 'c'], usage: { promptTokens: 10, completionTokens: 3 } },
        { tokens: ['d'], usage: { promptTokens: 7, completionTokens: 1 } },
        { httpError: { status: 429, retryAfter: 60 } },
      );
      const stream = await client.chat.completions.create({
        model: 'llama3.2:latest',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      });
      for await (const _ of stream) {
        // drain
      }
      await client.chat.completions.create({
        model: 'llama3.2:latest',
        messages: [{ role: 'user', content: 'x' }],
      });
      await client.chat.completions
        .create({ model: 'llama3.2:latest', messages: [{ role: 'user', content: 'x' }] })
        .catch(() => undefined);
      await client.embeddings.create({ model: 'nomic-embed-text:latest', input: 'x' });
      await eventually(() =>
        requestLines(gateway).filter((l) => l.endpoint).length >= 4 ? true : undefined,
      );

      const response = await fetch(`${gateway.url}/metrics`);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const metrics = await response.text();
      const chat = { model: 'llama3.2:latest', provider: 'ollama' };
      expect(
        sample(metrics, 'sluice_llm_requests_total', {
          ...chat,
          endpoint: 'chat_completions',
          outcome: 'ok',
        }),
      ).toBe(2);
      expect(
        sample(metrics, 'sluice_llm_requests_total', {
          ...chat,
          endpoint: 'chat_completions',
          outcome: 'rate_limited',
        }),
      ).toBe(1);
      expect(
        sample(metrics, 'sluice_llm_requests_total', {
          model: 'nomic-embed-text:latest',
          provider: 'ollama',
          endpoint: 'embeddings',
          outcome: 'ok',
        }),
      ).toBe(1);
      expect(sample(metrics, 'sluice_llm_time_to_first_token_seconds_count', chat)).toBe(1);
      expect(sample(metrics, 'sluice_llm_time_to_first_token_seconds_sum', chat)).toBeGreaterThan(0);
      expect(sample(metrics, 'sluice_llm_request_duration_seconds_count', chat)).toBe(3);
      expect(sample(metrics, 'sluice_llm_tokens_total', { ...chat, kind: 'prompt' })).toBe(17);
      expect(sample(metrics, 'sluice_llm_tokens_total', { ...chat, kind: 'completion' })).toBe(4);
      expect(sample(metrics, 'sluice_llm_streams_in_flight', {})).toBe(0);
      expect(metrics).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
      // The user id is in the logs, never a label (one series per user would not scale).
      expect(metrics).not.toContain('user-42');
    });

    it('shows a stream in flight while it runs, and an abort as its outcome', async () => {
      ollama.script({ tokens: Array.from({ length: 50 }, () => 'x'), delayMs: 40 });
      const controller = new AbortController();
      const response = await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'llama3.2:latest', messages: [{ role: 'user', content: 'x' }], stream: true },
        AUTH,
        controller.signal,
      );
      const reader = response.body!.getReader();
      await reader.read();
      const during = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(sample(during, 'sluice_llm_streams_in_flight', {})).toBe(1);
      controller.abort();
      await ollama.waitForAbort(ollama.calls[0]!, 1_000);
      const after = await eventually(async () => {
        const text = await (await fetch(`${gateway.url}/metrics`)).text();
        return sample(text, 'sluice_llm_streams_in_flight', {}) === 0 ? text : undefined;
      });
      expect(
        sample(after, 'sluice_llm_requests_total', { endpoint: 'chat_completions', outcome: 'aborted' }),
      ).toBe(1);
    });
  });

  describe('logs', () => {
    it('writes one JSON line per request with ids, model, outcome, timings and tokens', async () => {
      ollama.script({ tokens: ['o', 'k'], usage: { promptTokens: 6, completionTokens: 2 } });
      const response = await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'llama3.2:latest', messages: [{ role: 'user', content: SECRET_PROMPT }], stream: true },
        { ...AUTH, 'x-request-id': 'req-log-1', 'x-sluice-user': 'user-7' },
      );
      await readEvents(response);
      const lines = await eventually(() => {
        const found = requestLines(gateway).filter((line) => line.requestId === 'req-log-1');
        return found.length > 0 ? found : undefined;
      });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 30,
        requestId: 'req-log-1',
        userId: 'user-7',
        method: 'POST',
        route: '/v1/chat/completions',
        status: 200,
        outcome: 'ok',
        stream: true,
        model: 'llama3.2:latest',
        provider: 'ollama',
        finishReason: 'stop',
        ttftMs: expect.any(Number),
        durationMs: expect.any(Number),
        promptTokens: 6,
        completionTokens: 2,
      });
    });

    it('never writes a prompt, a token or a header', async () => {
      await client.chat.completions.create({
        model: 'llama3.2:latest',
        messages: [{ role: 'user', content: SECRET_PROMPT }],
      });
      const wrong = 'an-attacker-guessing-tokens-123';
      await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'x', messages: [] },
        { authorization: `Bearer ${wrong}` },
      );
      await eventually(() => (requestLines(gateway).some((l) => l.status === 401) ? true : undefined));
      const raw = gateway.rawLogs();
      expect(raw).not.toContain('PROMPT-7f3c9a');
      expect(raw).not.toContain(TOKEN);
      expect(raw).not.toContain(wrong);
      expect(raw.toLowerCase()).not.toContain('authorization');
      expect(requestLines(gateway).find((l) => l.status === 401)).toMatchObject({ outcome: 'unauthorized' });
    });
  });
});

describe('LLM_LOG_PROMPTS=true', () => {
  it('logs the prompt on the request line, and still no token', async () => {
    const ollama = await startFakeOllama();
    const gateway = await startGateway({ env: { OLLAMA_BASE_URL: ollama.url, LLM_LOG_PROMPTS: 'true' } });
    try {
      await postJson(`${gateway.url}/v1/chat/completions`, {
        model: 'llama3.2:latest',
        messages: [
          { role: 'system', content: 'be nice' },
          { role: 'user', content: SECRET_PROMPT },
        ],
      });
      const line = await eventually(() =>
        requestLines(gateway).find((l) => l.endpoint === 'chat_completions'),
      );
      expect(line.prompt).toEqual([
        { role: 'system', text: 'be nice' },
        { role: 'user', text: SECRET_PROMPT },
      ]);
      expect(gateway.rawLogs()).not.toContain(TOKEN);
    } finally {
      await gateway.close();
      await ollama.close();
    }
  });
});

describe('shutdown', () => {
  it('lets streams finish within the grace period, then ends the rest with a retryable error', async () => {
    const ollama = await startFakeOllama();
    const gateway = await startGateway({
      env: { OLLAMA_BASE_URL: ollama.url, LLM_SHUTDOWN_GRACE_MS: '300' },
    });
    try {
      ollama.script({ tokens: ['a', 'b'], stallAfter: { tokens: 1, ms: Infinity } });
      const response = await postJson(`${gateway.url}/v1/chat/completions`, {
        model: 'llama3.2:latest',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      });
      const body = readEvents(response);
      const started = performance.now();
      await gateway.close();
      expect(performance.now() - started).toBeLessThan(2_000);
      const { text } = await body;
      expect(text).toContain('"content":"a"');
      expect(text).toContain('"code":"upstream_unavailable"');
      expect(text).toContain('The LLM gateway is restarting; send the request again.');
      expect(text).not.toContain('[DONE]');
    } finally {
      await ollama.close();
    }
  });
});
