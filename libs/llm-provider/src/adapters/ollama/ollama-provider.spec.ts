import type { LlmStreamEvent } from '../../contract';
import { startFakeOllama, type FakeOllama } from '../../testing';
import { OllamaProvider } from './ollama-provider';

const toolCallIds = (events: LlmStreamEvent[]) =>
  events.flatMap((event) => (event.type === 'tool-call' ? [event.call.id] : []));

describe('OllamaProvider tool calls from a server that sends no ids', () => {
  let ollama: FakeOllama;
  let provider: OllamaProvider;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    provider = new OllamaProvider({ id: 'ollama', baseUrl: ollama.url });
  });
  afterAll(() => ollama.close());

  it('gives every call an id of its own, across the turns of a conversation', async () => {
    const twoCalls = {
      tokens: [],
      omitToolCallIds: true,
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Oslo' } },
        { name: 'get_weather', arguments: { city: 'Rome' } },
      ],
    };
    ollama.script(twoCalls, twoCalls);
    const ids: string[] = [];
    for (let turn = 0; turn < 2; turn++) {
      const events: LlmStreamEvent[] = [];
      for await (const event of provider.stream({
        model: 'llama3.2:latest',
        messages: [{ role: 'user', content: 'Weather?' }],
      })) {
        events.push(event);
      }
      ids.push(...toolCallIds(events));
    }
    ollama.script({ ...twoCalls, tokens: ['ok'] });
    const result = await provider.chat({
      model: 'llama3.2:latest',
      messages: [{ role: 'user', content: 'Weather?' }],
    });
    ids.push(...result.toolCalls.map((call) => call.id));

    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    for (const id of ids) expect(id).toMatch(/^call_[A-Za-z0-9_-]{16}$/);
  });
});
