import { createServer } from 'node:net';
import OpenAI from 'openai';
import { startFakeOllama, startFakeVllm, type FakeOllama, type FakeVllm } from '@sluice/llm-provider/testing';
import { AUTH, postJson, readEvents } from './support/http';
import { eventually, requestLines, startGateway, TOKEN, type TestGateway } from './support/gateway';

const USER = [{ role: 'user' as const, content: 'hi' }];

/** A port nothing listens on: connections to it are refused at once. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('fault isolation', () => {
  describe('an upstream that refuses connections (library defaults: retries with backoff)', () => {
    let gateway: TestGateway;

    beforeAll(async () => {
      gateway = await startGateway({ env: { OLLAMA_BASE_URL: `http://127.0.0.1:${await deadPort()}` } });
    });
    afterAll(() => gateway?.close());

    it('answers 503 JSON in under a second, streamed or not; then fast from the open circuit', async () => {
      const retryAfter: (string | null)[] = [];
      for (const stream of [true, false, true]) {
        const { value: response, ms } = await timed(() =>
          postJson(`${gateway.url}/v1/chat/completions`, {
            model: 'llama3.2:latest',
            messages: USER,
            stream,
          }),
        );
        expect(ms).toBeLessThan(1_000);
        expect(response.status).toBe(503);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        // The gateway retried already: a client must not multiply the calls.
        expect(response.headers.get('x-should-retry')).toBe('false');
        retryAfter.push(response.headers.get('retry-after'));
        const body = (await response.json()) as { error: { message: string } };
        expect(body).toEqual({
          error: {
            message: expect.stringMatching(/^The model server is not available right now\. \(request id /),
            type: 'server_error',
            param: null,
            code: 'upstream_unavailable',
          },
        });
        // Where the upstream is and what the socket said stay in the log.
        expect(body.error.message).not.toMatch(/127\.0\.0\.1|ECONN|circuit/);
      }
      const errors = await eventually(() => {
        const lines = requestLines(gateway);
        return lines.length >= 3 ? lines.map((line) => String(line.error)) : undefined;
      });
      expect(errors[0]).toContain('ECONNREFUSED');
      // Three attempts per call (LLM_MAX_RETRIES=2), five failures open the circuit.
      expect(errors[2]).toContain('circuit open');
      // The breaker knows when it lets a probe through: callers learn when to come back.
      expect(Number(retryAfter[2])).toBeGreaterThanOrEqual(1);
    });

    it('fails embeddings and model listing the same way, and reports not ready', async () => {
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
      const { value: failure, ms } = await timed(() =>
        client.embeddings.create({ model: 'nomic-embed-text', input: 'x' }).catch((error: unknown) => error),
      );
      expect(ms).toBeLessThan(1_000);
      expect(failure).toBeInstanceOf(OpenAI.InternalServerError);
      expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(503);

      const models = await fetch(`${gateway.url}/v1/models`, { headers: AUTH });
      expect(models.status).toBe(503);

      const ready = await fetch(`${gateway.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: 'unavailable',
        upstreams: [{ provider: 'ollama', ok: false, error: 'unavailable' }],
      });
      expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
    });
  });

  describe('a hung upstream', () => {
    let ollama: FakeOllama;
    let gateway: TestGateway;

    beforeAll(async () => {
      ollama = await startFakeOllama();
      gateway = await startGateway({
        env: {
          OLLAMA_BASE_URL: ollama.url,
          LLM_CONNECT_TIMEOUT_MS: '300',
          LLM_FIRST_TOKEN_TIMEOUT_MS: '400',
          LLM_IDLE_TIMEOUT_MS: '300',
          LLM_MAX_RETRIES: '0',
        },
      });
    });
    afterAll(async () => {
      await gateway?.close();
      await ollama?.close();
    });
    beforeEach(() => ollama.reset());

    it('answers 504 when no headers come within the connect timeout', async () => {
      ollama.script({ headerDelayMs: 5_000 });
      const { value: response, ms } = await timed(() =>
        postJson(`${gateway.url}/v1/chat/completions`, {
          model: 'llama3.2:latest',
          messages: USER,
          stream: true,
        }),
      );
      expect(ms).toBeLessThan(1_000);
      expect(response.status).toBe(504);
      expect(await response.json()).toMatchObject({
        error: { type: 'server_error', code: 'upstream_timeout' },
      });
    });

    it('answers 504 when the first token never comes', async () => {
      ollama.script({ stallBeforeFirstTokenMs: Infinity });
      const { value: response, ms } = await timed(() =>
        postJson(`${gateway.url}/v1/chat/completions`, {
          model: 'llama3.2:latest',
          messages: USER,
          stream: true,
        }),
      );
      expect(ms).toBeLessThan(1_000);
      expect(response.status).toBe(504);
      const upstream = ollama.calls[0]!;
      await expect(ollama.waitForAbort(upstream, 1_000)).resolves.toMatchObject({ aborted: true });
    });

    it('ends a stream that stalls mid-way with an in-stream timeout error', async () => {
      ollama.script({ tokens: ['a', 'b'], stallAfter: { tokens: 1, ms: Infinity } });
      const { value: read, ms } = await timed(async () => {
        const response = await postJson(`${gateway.url}/v1/chat/completions`, {
          model: 'llama3.2:latest',
          messages: USER,
          stream: true,
        });
        return readEvents(response);
      });
      const { text, cut } = read;
      expect(ms).toBeLessThan(1_000);
      expect(cut).toBe(true);
      expect(text).toContain('"content":"a"');
      expect(text).toContain('"code":"upstream_timeout"');
      expect(text).not.toContain('[DONE]');
    });
  });

  describe('one upstream down among several', () => {
    let ollama: FakeOllama;
    let vllm: FakeVllm;
    let gateway: TestGateway;

    beforeAll(async () => {
      [ollama, vllm] = await Promise.all([startFakeOllama(), startFakeVllm()]);
      gateway = await startGateway({ env: { OLLAMA_BASE_URL: ollama.url, VLLM_BASE_URL: `${vllm.url}/v1` } });
    });
    afterAll(async () => {
      await gateway?.close();
      await Promise.all([ollama?.close(), vllm?.close()]);
    });

    it('keeps serving the healthy one, lists its models and reports degraded readiness', async () => {
      vllm.unhealthy = true;
      const ready = await fetch(`${gateway.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'degraded',
        upstreams: expect.arrayContaining([
          expect.objectContaining({ provider: 'ollama', ok: true, circuit: 'closed' }),
          expect.objectContaining({ provider: 'vllm', ok: false }),
        ]),
      });

      const chat = await postJson(`${gateway.url}/v1/chat/completions`, {
        model: 'llama3.2:latest',
        messages: USER,
      });
      expect(chat.status).toBe(200);
    });
  });
});
