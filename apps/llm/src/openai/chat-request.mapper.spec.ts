import { type OpenAiHttpError } from './openai-error';
import { toLlmRequest } from './chat-request.mapper';
import { chatRequestSchema } from './wire/chat-request.schema';
import { parseBody } from './wire/parse-body';

const caller = { requestId: 'req-1', userId: 'user-7', signal: new AbortController().signal };
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('toLlmRequest', () => {
  it('maps the sampling fields to the call options', () => {
    const body = parseBody(chatRequestSchema, {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      max_tokens: 10,
      max_completion_tokens: 20,
      stop: 'END',
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      user: null,
    });
    expect(toLlmRequest(body, caller)).toMatchObject({
      model: 'm',
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      maxTokens: 20,
      stop: ['END'],
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      user: 'user-7',
      headers: { 'x-request-id': 'req-1' },
      signal: caller.signal,
    });
  });

  it('maps roles, content parts, images, tool calls and tool results', () => {
    const body = parseBody(chatRequestSchema, {
      model: 'm',
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'Be brief.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'text', text: 'And the weather?' },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '12°C' },
      ],
    });
    expect(toLlmRequest(body, caller).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is this?\nAnd the weather?', images: [PNG] },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }],
      },
      { role: 'tool', content: '12°C', toolCallId: 'call_1', toolName: 'weather' },
    ]);
  });

  it('maps tools, tool_choice and both JSON response formats', () => {
    const tools = [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }];
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const request = toLlmRequest(
      parseBody(chatRequestSchema, {
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
        tools: [...tools, { type: 'function', function: { name: 'noargs' } }],
        tool_choice: { type: 'function', function: { name: 'weather' } },
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } },
      }),
      caller,
    );
    expect(request.tools).toEqual([
      { name: 'weather', parameters: { type: 'object' } },
      { name: 'noargs', parameters: { type: 'object', properties: {} } },
    ]);
    expect(request.toolChoice).toEqual({ name: 'weather' });
    expect(request.responseFormat).toEqual({ type: 'json', name: 'answer', schema, strict: true });
    const jsonObject = parseBody(chatRequestSchema, {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_object' },
    });
    expect(toLlmRequest(jsonObject, caller).responseFormat).toEqual({ type: 'json' });
  });

  it('refuses remote image URLs: the gateway fetches nothing for a caller', () => {
    const body = parseBody(chatRequestSchema, {
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [{ type: 'image_url', image_url: { url: 'http://169.254.169.254/x.png' } }],
        },
      ],
    });
    expect(() => toLlmRequest(body, caller)).toThrow(
      expect.objectContaining({ status: 400, param: 'messages[0].content[0].image_url.url' }),
    );
  });
});

describe('chat request validation', () => {
  const invalid = (body: unknown): OpenAiHttpError => {
    try {
      parseBody(chatRequestSchema, body);
    } catch (error) {
      return error as OpenAiHttpError;
    }
    throw new Error('accepted');
  };

  it('names the parameter at fault, as OpenAI does', () => {
    expect(invalid({ model: 'm', messages: [] })).toMatchObject({ status: 400, param: 'messages' });
    expect(invalid({ model: 'm', messages: [{ role: 'user', content: 5 }] })).toMatchObject({
      param: 'messages[0].content',
      type: 'invalid_request_error',
    });
    expect(invalid({ messages: [{ role: 'user', content: 'x' }] })).toMatchObject({ param: 'model' });
    expect(invalid({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 3 })).toMatchObject(
      {
        param: 'temperature',
      },
    );
  });

  it('refuses what it cannot honour instead of ignoring it', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    expect(invalid({ ...base, n: 2 })).toMatchObject({ param: 'n' });
    expect(invalid({ ...base, logprobs: true })).toMatchObject({ param: 'logprobs' });
    expect(invalid({ ...base, stream_options: { include_usage: true } })).toMatchObject({
      param: 'stream_options',
    });
    expect(invalid({ ...base, stop: ['a', 'b', 'c', 'd', 'e'] })).toMatchObject({ param: 'stop' });
    expect(invalid({ ...base, tool_choice: { type: 'function', function: { name: 'nope' } } })).toMatchObject(
      {
        param: 'tool_choice',
      },
    );
  });

  it('accepts explicit nulls and fields it does not know', () => {
    expect(() =>
      parseBody(chatRequestSchema, {
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
        temperature: null,
        stop: null,
        parallel_tool_calls: true,
        metadata: { a: 'b' },
      }),
    ).not.toThrow();
  });

  it('wants a JSON object for a body', () => {
    expect(invalid('text')).toMatchObject({ status: 400, param: null });
    expect(invalid(undefined)).toMatchObject({ status: 400 });
  });
});
