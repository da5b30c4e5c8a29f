import OpenAI from 'openai';
import { MockLlmProvider } from '@sluice/llm-provider/testing';
import { postJson } from './support/http';
import { OTHER_TOKEN, startGateway, TOKEN, type TestGateway } from './support/gateway';

const CHAT = { model: 'mock-model', messages: [{ role: 'user', content: 'hi' }] };
const UNAUTHORIZED = {
  error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
};

describe('service-to-service auth', () => {
  let provider: MockLlmProvider;
  let gateway: TestGateway;
  const chatUrl = () => `${gateway.url}/v1/chat/completions`;

  beforeAll(async () => {
    provider = new MockLlmProvider({ id: 'ollama', models: ['mock-model'] });
    gateway = await startGateway({
      env: { LLM_GATEWAY_TOKEN: undefined, LLM_GATEWAY_TOKENS: `${TOKEN},${OTHER_TOKEN}` },
      providers: [provider],
    });
  });
  afterAll(() => gateway?.close());
  beforeEach(() => {
    provider.calls.length = 0;
  });

  it('refuses a wrong token with 401 in OpenAI shape (AuthenticationError in the client)', async () => {
    const client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'not-the-gateway-token',
      maxRetries: 0,
    });
    const failure = await client.chat.completions
      .create({ ...CHAT, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    const auth = failure as InstanceType<typeof OpenAI.AuthenticationError>;
    expect(auth.status).toBe(401);
    expect(auth.error).toEqual(UNAUTHORIZED.error);
    expect(provider.calls).toHaveLength(0);
  });

  it('refuses a missing token, and other schemes, with 401', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      { authorization: 'Bearer' },
    ];
    for (const headers of attempts) {
      const response = await postJson(chatUrl(), CHAT, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toEqual(UNAUTHORIZED);
    }
    const models = await fetch(`${gateway.url}/v1/models`);
    expect(models.status).toBe(401);
  });

  it('accepts every token of a rotation', async () => {
    for (const apiKey of [TOKEN, OTHER_TOKEN]) {
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
      const completion = await client.chat.completions.create({
        ...CHAT,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(completion.choices[0]!.message.content).toBe('Hello world');
    }
  });

  it('needs a token for unknown routes too, whatever their spelling', async () => {
    for (const path of ['/v1/nothing', '/v2/chat/completions', '/%761/models', '//v1/models', '/V1/models']) {
      const response = await fetch(`${gateway.url}${path}`);
      expect(response.status).toBe(401);
    }
    const known = await fetch(`${gateway.url}/v1/nothing`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(known.status).toBe(404);
  });

  it('leaves the health probes and the metrics public', async () => {
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(200);
  });

  it('passes the request id upstream and the user id as the call user; echoes the request id', async () => {
    const response = await postJson(chatUrl(), CHAT, {
      authorization: `Bearer ${TOKEN}`,
      'x-request-id': 'req-42.a_b:c',
      'x-sluice-user': 'user-42@example.com',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-42.a_b:c');
    expect(provider.calls[0]).toMatchObject({
      user: 'user-42@example.com',
      headers: { 'x-request-id': 'req-42.a_b:c' },
    });
  });

  it('replaces a malformed request id, and refuses a malformed user id with 400', async () => {
    const replaced = await postJson(chatUrl(), CHAT, {
      authorization: `Bearer ${TOKEN}`,
      'x-request-id': 'no spaces {allowed}',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const refused = await postJson(chatUrl(), CHAT, {
      authorization: `Bearer ${TOKEN}`,
      'x-sluice-user': 'x'.repeat(200),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        param: 'x-sluice-user',
        code: null,
      },
    });
    expect(provider.calls).toHaveLength(1);
  });
});

describe('LLM_GATEWAY_ALLOW_NO_AUTH=true (development)', () => {
  it('serves /v1 without a token, and says so in the log', async () => {
    const gateway = await startGateway({
      env: { LLM_GATEWAY_TOKEN: undefined, LLM_GATEWAY_ALLOW_NO_AUTH: 'true' },
      providers: [new MockLlmProvider({ id: 'ollama', models: ['mock-model'] })],
    });
    try {
      const response = await postJson(`${gateway.url}/v1/chat/completions`, CHAT, {});
      expect(response.status).toBe(200);
      expect(gateway.logs.some((line) => String(line.msg).includes('without a token'))).toBe(true);
    } finally {
      await gateway.close();
    }
  });
});
