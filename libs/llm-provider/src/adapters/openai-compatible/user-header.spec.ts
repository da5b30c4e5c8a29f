import { startFakeOpenAI, type FakeOpenAI } from '../../testing';
import { OpenAICompatibleProvider } from './openai-compatible-provider';

describe('forwarding the end user', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI({ apiKey: 'sk-internal-token-123456' });
  });
  afterAll(() => fake.close());

  const call = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user' as const, content: 'hi' }],
    user: 'user-42',
  };

  it('sends the user id in the configured header (the Sluice gateway)', async () => {
    const gateway = new OpenAICompatibleProvider({
      id: 'gateway',
      baseUrl: `${fake.url}/v1`,
      apiKey: 'sk-internal-token-123456',
      sluiceGateway: true,
    });
    for await (const _ of gateway.stream(call));
    await gateway.chat(call);
    expect(fake.calls.map((c) => c.headers['x-sluice-user'])).toEqual(['user-42', 'user-42']);
  });

  it('never sends it to a server that was not configured for it', async () => {
    fake.reset();
    const openai = new OpenAICompatibleProvider({
      id: 'openai',
      baseUrl: `${fake.url}/v1`,
      apiKey: 'sk-internal-token-123456',
    });
    for await (const _ of openai.stream(call));
    expect(fake.calls[0]!.headers['x-sluice-user']).toBeUndefined();
    expect(JSON.stringify(fake.calls[0]!.body)).not.toContain('user-42');
  });
});
