import { encodeSse, encodeSseComment, readSse, SseDecoder } from './sse';

/** Feeds the text cut at every possible byte position and returns what the decoder produced. */
function decodeSplitAt(bytes: Uint8Array, cut: number) {
  const decoder = new SseDecoder();
  return [...decoder.push(bytes.slice(0, cut)), ...decoder.push(bytes.slice(cut)), ...decoder.end()];
}

describe('SseDecoder', () => {
  it('reads OpenAI-style events and the [DONE] sentinel as data', () => {
    const decoder = new SseDecoder();
    const events = decoder.push('data: {"a":1}\n\ndata: [DONE]\n\n');
    expect(events).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'message', data: '[DONE]' },
    ]);
  });

  it('accepts CRLF, bare CR, comments, multi-line data, event names and ids', () => {
    const text = ': keep-alive\r\nevent: delta\r\nid: 7\r\ndata: line one\rdata:line two\r\n\r\n';
    const events = new SseDecoder().push(text);
    expect(events).toEqual([{ event: 'delta', id: '7', data: 'line one\nline two' }]);
  });

  it('gives the same events however the bytes are cut, even inside a UTF-8 character', () => {
    const bytes = new TextEncoder().encode('event: delta\ndata: {"text":"héllo 世界 🙂"}\n\ndata: b\r\n\r\n');
    const whole = decodeSplitAt(bytes, bytes.length);
    expect(whole).toHaveLength(2);
    for (let cut = 1; cut < bytes.length; cut++) expect(decodeSplitAt(bytes, cut)).toEqual(whole);
  });

  it('drops an event left unfinished at EOF (a cut stream is not a complete event)', () => {
    const decoder = new SseDecoder();
    expect(decoder.push('data: complete\n\ndata: half')).toHaveLength(1);
    expect(decoder.end()).toEqual([]);
  });

  it('remembers the last event id for Last-Event-ID', () => {
    const decoder = new SseDecoder();
    decoder.push('id: 3\ndata: x\n\nid: 4\ndata: y\n\n');
    expect(decoder.lastEventId).toBe('4');
  });

  it('reads an async byte stream', async () => {
    async function* body() {
      yield new TextEncoder().encode('data: 1\n');
      yield '\ndata: 2\n\n';
    }
    const events = [];
    for await (const event of readSse(body())) events.push(event.data);
    expect(events).toEqual(['1', '2']);
  });
});

describe('encodeSse', () => {
  it('round-trips through the decoder, multi-line data included', () => {
    const frames = [
      { event: 'delta', id: 1, data: '{"text":"a"}' },
      { event: 'done', id: 2, data: 'first\nsecond\r\nthird' },
    ];
    const decoder = new SseDecoder();
    const events = decoder.push(frames.map(encodeSse).join('') + encodeSseComment('ping'));
    expect(events).toEqual([
      { event: 'delta', id: '1', data: '{"text":"a"}' },
      { event: 'done', id: '2', data: 'first\nsecond\nthird' },
    ]);
  });

  it('writes the exact OpenAI framing', () => {
    expect(encodeSse({ data: '[DONE]' })).toBe('data: [DONE]\n\n');
    expect(encodeSseComment('keep-alive')).toBe(': keep-alive\n\n');
  });
});
