import { NdjsonDecoder, NdjsonSyntaxError, encodeNdjson } from './ndjson';

describe('NdjsonDecoder', () => {
  it('parses records however the bytes are cut, and a last record without a newline', () => {
    const text = '{"message":{"content":"日本"},"done":false}\n{"done":true,"eval_count":2}';
    const bytes = new TextEncoder().encode(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const decoder = new NdjsonDecoder();
      const records = [
        ...decoder.push(bytes.slice(0, cut)),
        ...decoder.push(bytes.slice(cut)),
        ...decoder.end(),
      ];
      expect(records).toEqual([
        { message: { content: '日本' }, done: false },
        { done: true, eval_count: 2 },
      ]);
    }
  });

  it('stops at a line that is not JSON instead of skipping it, after the records before it', () => {
    const decoder = new NdjsonDecoder();
    expect(decoder.push('{"ok":1}\nnot json\n{"ok":2}\n')).toEqual([{ ok: 1 }]);
    expect(decoder.failure).toBeInstanceOf(NdjsonSyntaxError);
    expect(decoder.failure?.line).toBe('not json');
    expect(decoder.push('{"ok":3}\n')).toEqual([]);
    expect(decoder.end()).toEqual([]);
  });

  it('reads a last line cut before its end as a line that is not JSON', () => {
    const decoder = new NdjsonDecoder();
    expect([...decoder.push('{"a":1}\n{"b":'), ...decoder.end()]).toEqual([{ a: 1 }]);
    expect(decoder.failure?.line).toBe('{"b":');
  });

  it('skips blank lines and accepts CRLF', () => {
    expect(new NdjsonDecoder().push('{"a":1}\r\n\r\n{"b":2}\n')).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('encodes one record per line', () => {
    expect(encodeNdjson({ done: true })).toBe('{"done":true}\n');
  });
});
