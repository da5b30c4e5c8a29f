import { createHash, randomUUID } from 'node:crypto';
import { startFakeOllama, type FakeOllama } from '@sluice/llm-provider/testing';
import { AUTH, postJson, readEvents } from './support/http';
import {
  eventually,
  OTHER_TOKEN,
  requestLines,
  startGateway,
  TOKEN,
  type TestGateway,
} from './support/gateway';

const MODEL = 'llama3.2:latest';
const USER = [{ role: 'user' as const, content: 'Say hello' }];

const chat = (gateway: TestGateway, headers: Record<string, string> = AUTH, extra: object = {}) =>
  postJson(`${gateway.url}/v1/chat/completions`, { model: MODEL, messages: USER, ...extra }, headers);
const asUser = (user: string, token = TOKEN) => ({ authorization: `Bearer ${token}`, 'x-sluice-user': user });

async function metricsOf(gateway: TestGateway): Promise<string> {
  return (await fetch(`${gateway.url}/metrics`)).text();
}

describe('rate limits', () => {
  let ollama: FakeOllama;
  const gateways: TestGateway[] = [];
  const boot = async (env: Record<string, string>) => {
    const gateway = await startGateway({
      env: { LLM_PROVIDER: 'ollama', OLLAMA_BASE_URL: ollama.url, LLM_MAX_RETRIES: '0', ...env },
    });
    gateways.push(gateway);
    return gateway;
  };

  beforeAll(async () => {
    ollama = await startFakeOllama();
  });

  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await ollama?.close();
  });

  beforeEach(() => ollama.reset());

  it('refuses a user past LLM_USER_RPM with 429 and retry-after, leaving other users alone', async () => {
    const gateway = await boot({ LLM_USER_RPM: '2' });

    const first = await chat(gateway, asUser('alice'));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(ms|s|m\d+s)$/);
    // The body's user is the same end user as the header's.
    const second = await chat(gateway, AUTH, { user: 'alice' });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-ratelimit-remaining-requests')).toBe('0');

    // Both endpoints count against the same budget.
    const refused = await postJson(
      `${gateway.url}/v1/embeddings`,
      { model: 'nomic-embed-text:latest', input: 'hi' },
      asUser('alice'),
    );
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(await refused.json()).toEqual({
      error: {
        message: expect.stringContaining('user:alice') as unknown,
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    expect((await chat(gateway, asUser('alice'))).status).toBe(429);

    const bob = await chat(gateway, asUser('bob'));
    expect(bob.status).toBe(200);
    expect(bob.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    // No user, no per-user limit (and no headers: nothing limits this call).
    const anonymous = await chat(gateway);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('x-ratelimit-limit-requests')).toBeNull();

    const metrics = await eventually(async () => {
      const text = await metricsOf(gateway);
      return /sluice_llm_requests_total\{[^}]*endpoint="chat_completions",outcome="rate_limited"\} 1/.test(
        text,
      )
        ? text
        : undefined;
    });
    expect(metrics).toMatch(
      /sluice_llm_requests_total\{[^}]*endpoint="embeddings",outcome="rate_limited"\} 1/,
    );
    expect(
      ollama.requests.filter((r) => r.path === '/api/embed' || r.path === '/api/embeddings'),
    ).toHaveLength(0);
  });

  it('limits each caller token on its own (LLM_CALLER_RPM), never naming the token', async () => {
    const gateway = await boot({ LLM_GATEWAY_TOKENS: `${TOKEN},${OTHER_TOKEN}`, LLM_CALLER_RPM: '2' });
    const a = { authorization: `Bearer ${TOKEN}` };
    const b = { authorization: `Bearer ${OTHER_TOKEN}` };

    expect((await chat(gateway, a)).status).toBe(200);
    expect((await chat(gateway, asUser('carol', TOKEN))).status).toBe(200);
    const refused = await chat(gateway, asUser('dave', TOKEN));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = (await refused.json()) as { error: { message: string; type: string; code: string } };
    const digest = createHash('sha256').update(TOKEN).digest('hex').slice(0, 12);
    expect(body.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(body.error.message).toContain(`caller:${digest}`);
    expect(body.error.message).not.toContain(TOKEN);

    const other = await chat(gateway, b);
    expect(other.status).toBe(200);
    expect(other.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    await eventually(() => (requestLines(gateway).length >= 4 ? true : undefined));
    expect(gateway.rawLogs()).not.toContain(TOKEN);
  });

  it('refuses a user whose streamed usage went past LLM_USER_TPM; streams carry the headers', async () => {
    const gateway = await boot({ LLM_USER_TPM: '30', LLM_USER_RPM: '10' });
    ollama.script({ tokens: ['Hel', 'lo'], usage: { promptTokens: 20, completionTokens: 15 } });

    const stream = await chat(gateway, asUser('erin'), { stream: true });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    expect(stream.headers.get('x-ratelimit-limit-tokens')).toBe('30');
    expect(stream.headers.get('x-ratelimit-remaining-tokens')).toBe('30');
    expect(stream.headers.get('x-ratelimit-limit-requests')).toBe('10');
    expect(stream.headers.get('x-ratelimit-remaining-requests')).toBe('9');
    const { text } = await readEvents(stream);
    expect(text).toContain('data: [DONE]');
    // The tokens are counted when the response closes, as its log line is written.
    await eventually(() => (requestLines(gateway).length >= 1 ? true : undefined));

    const refused = await chat(gateway, asUser('erin'), { stream: true });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ error: { type: 'tokens', code: 'rate_limit_exceeded' } });

    expect((await chat(gateway, asUser('frank'))).status).toBe(200);
  });

  it('fails open when Redis is unreachable: calls go through, with a warning and a metric', async () => {
    // Port 1 refuses connections at once.
    const gateway = await boot({ LLM_USER_RPM: '1', REDIS_URL: 'redis://127.0.0.1:1' });
    for (let i = 0; i < 3; i++) {
      const response = await chat(gateway, asUser('grace'));
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    }
    expect(await metricsOf(gateway)).toMatch(
      /sluice_llm_rate_limit_store_errors_total\{operation="admit"\} 3/,
    );
    expect(gateway.rawLogs()).toContain('requests go through unlimited until Redis is back');
  });
});

const redisUrl = process.env.REDIS_URL;
// Needs a real Redis: CI sets REDIS_URL. Without one this suite is reported as skipped, not passed.
(redisUrl ? describe : describe.skip)('rate limits shared through Redis (REDIS_URL)', () => {
  let ollama: FakeOllama;
  let replicas: TestGateway[] = [];

  beforeAll(async () => {
    ollama = await startFakeOllama();
    const env = {
      LLM_PROVIDER: 'ollama',
      OLLAMA_BASE_URL: ollama.url,
      REDIS_URL: redisUrl!,
      LLM_RATE_LIMIT_REDIS_PREFIX: `sluice:test:${randomUUID()}:`,
      LLM_USER_RPM: '3',
    };
    replicas = await Promise.all([startGateway({ env }), startGateway({ env })]);
  });

  afterAll(async () => {
    await Promise.all(replicas.map((gateway) => gateway.close()));
    await ollama?.close();
  });

  it('two gateway instances enforce one per-user limit together', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await chat(replicas[i % 2]!, asUser('heidi'));
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
    // Both replicas refused some: the count is shared, not per process.
    expect(new Set(statuses.slice(3))).toEqual(new Set([429]));

    // Another user has a budget of their own on either replica.
    expect((await chat(replicas[1]!, asUser('ivan'))).status).toBe(200);
  });
});
