import { startFakeOpenAI, type FakeOpenAI } from '../../testing';
import { OpenAICompatibleProvider } from './openai-compatible-provider';

describe('the end user', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI({ apiKey: 'sk-internal-token-123456' });
  });
  afterAll(() => fake.close());

  it('never goes to a third-party server, in a header or the body (SluiceGatewayProvider sends it)', async () => {
    const openai = new OpenAICompatibleProvider({
      id: 'openai',
      baseUrl: `${fake.url}/v1`,
      apiKey: 'sk-internal-token-123456',
    });
    const call = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: 'hi' }],
      user: 'user-42',
    };
    for await (const _ of openai.stream(call));
    await openai.chat(call);
    for (const sent of fake.calls) {
      expect(sent.headers['x-sluice-user']).toBeUndefined();
      expect(sent.rawBody).not.toContain('user-42');
    }
  });
});
