import { ChunkBuilder, newCompletionId } from './chat-response.builder';

interface ParsedChunk {
  choices: { delta: { tool_calls: { index: number }[] }; finish_reason: string | null }[];
}
const parse = (text: string) => JSON.parse(text) as ParsedChunk;

/** The object form every chunk must equal once parsed (OpenAI's field order, docs/wire-formats.md#openai-chunks). */
function expected(
  builder: ChunkBuilder,
  model: string,
  includeUsage: boolean,
  delta: object,
  finish: string | null,
) {
  return {
    id: builder.id,
    object: 'chat.completion.chunk',
    created: builder.created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  };
}

describe.each([true, false])('ChunkBuilder (include_usage %s)', (includeUsage) => {
  const model = 'team/"quoted" model\u2028';
  const builder = new ChunkBuilder(model, includeUsage);

  it('writes the role chunk, text and reasoning deltas as OpenAI does, in its field order', () => {
    const role = builder.role();
    expect(JSON.parse(role)).toEqual(
      expected(builder, model, includeUsage, { role: 'assistant', content: '' }, null),
    );
    expect(role).toBe(
      JSON.stringify(expected(builder, model, includeUsage, { role: 'assistant', content: '' }, null)),
    );
    const tricky = 'line\nbreak "quotes" \\ back \u0000 nul 😀 \u2028';
    expect(builder.text(tricky)).toBe(
      JSON.stringify(expected(builder, model, includeUsage, { content: tricky }, null)),
    );
    expect(builder.reasoning('hmm')).toBe(
      JSON.stringify(expected(builder, model, includeUsage, { reasoning: 'hmm' }, null)),
    );
  });

  it('numbers tool calls in order, each whole in one fragment', () => {
    const fresh = new ChunkBuilder(model, includeUsage);
    const first = parse(fresh.toolCall({ id: 'call_1', name: 'a', arguments: '{"x":1}' }));
    const second = parse(fresh.toolCall({ id: 'call_2', name: 'b', arguments: '{}' }));
    expect(first.choices[0]!.delta.tool_calls).toEqual([
      { index: 0, id: 'call_1', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
    ]);
    expect(second.choices[0]!.delta.tool_calls[0]!.index).toBe(1);
  });

  it('ends with an empty delta and the finish reason (unknown reasons become stop)', () => {
    expect(builder.finish('length')).toBe(
      JSON.stringify(expected(builder, model, includeUsage, {}, 'length')),
    );
    expect(parse(builder.finish('other')).choices[0]!.finish_reason).toBe('stop');
  });

  it('puts usage in a last chunk with no choices, zeros where the upstream said nothing', () => {
    expect(JSON.parse(builder.usage({ promptTokens: 5 }))).toEqual({
      id: builder.id,
      object: 'chat.completion.chunk',
      created: builder.created,
      model,
      choices: [],
      usage: { prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 },
    });
  });
});

it('completion ids look like OpenAI ids and do not repeat', () => {
  const ids = new Set(Array.from({ length: 1000 }, newCompletionId));
  expect(ids.size).toBe(1000);
  for (const id of ids) expect(id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
});
