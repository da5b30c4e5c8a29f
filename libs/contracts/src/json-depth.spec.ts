import fc from 'fast-check';
import { exceedsJsonDepth, MAX_JSON_DEPTH, refuseDeepJson } from './json-depth';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

/** The real nesting depth of a parsed value, to check the scanner against. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((deepest, child) => Math.max(deepest, depthOf(child)), 0);
}

describe('exceedsJsonDepth', () => {
  it('allows the limit and refuses one level more', () => {
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(exceedsJsonDepth('{"a":'.repeat(MAX_JSON_DEPTH) + '1' + '}'.repeat(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsJsonDepth('{"a":'.repeat(MAX_JSON_DEPTH + 1) + '1' + '}'.repeat(MAX_JSON_DEPTH + 1))).toBe(
      true,
    );
    expect(exceedsJsonDepth('[{"a":[{}]}]', 3)).toBe(true);
    expect(exceedsJsonDepth('[{"a":[{}]}]', 4)).toBe(false);
  });

  it('counts siblings once, not added up', () => {
    expect(exceedsJsonDepth(`[${Array.from({ length: 1000 }, () => nested(10)).join(',')}]`)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes and escaped backslashes included', () => {
    const brackets = '['.repeat(1000);
    expect(exceedsJsonDepth(JSON.stringify({ text: brackets }))).toBe(false);
    expect(exceedsJsonDepth(JSON.stringify({ text: `"${brackets}\\"${brackets}` }))).toBe(false);
    // `"\\"` ends the string after an escaped backslash: the brackets after it do count.
    expect(exceedsJsonDepth(`["\\\\", ${nested(MAX_JSON_DEPTH)}]`)).toBe(true);
    expect(exceedsJsonDepth(`["\\"", ${nested(MAX_JSON_DEPTH - 1)}]`)).toBe(false);
  });

  it('agrees with the depth of the parsed value', () => {
    const samples = [
      {
        model: 'x',
        tools: [{ function: { parameters: { type: 'object', properties: { a: { type: 'array' } } } } }],
      },
      [[1, [2, [3, { a: [4, { b: '[[[{{{' }] }]]]],
      { '}': ['{', { ']': '\\' }] },
      'plain string',
      42,
      null,
    ];
    for (const sample of samples) {
      const depth = depthOf(sample);
      const text = JSON.stringify(sample);
      expect(exceedsJsonDepth(text, depth)).toBe(false);
      if (depth > 0) expect(exceedsJsonDepth(text, depth - 1)).toBe(true);
    }
  });

  it('agrees with the depth of any JSON value, whatever its strings hold', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12, stringUnit: 'binary' }), (value) => {
        const depth = depthOf(value);
        const text = JSON.stringify(value);
        return !exceedsJsonDepth(text, depth) && (depth === 0 || exceedsJsonDepth(text, depth - 1));
      }),
      { seed: 20_240_601, numRuns: 500 },
    );
  });
});

describe('refuseDeepJson', () => {
  it('refuses a deep body with the given error before the parser sees it, and passes the rest on', () => {
    const seen: string[] = [];
    const results: [Error | null, unknown][] = [];
    const parser = refuseDeepJson(
      (_request: unknown, body: string, done: (error: Error | null, value?: unknown) => void) => {
        seen.push(body);
        done(null, JSON.parse(body));
      },
      () => new Error('too deep'),
    );
    const done = (error: Error | null, value?: unknown) => void results.push([error, value]);
    parser({}, '[[1]]', done);
    parser({}, '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1), done);
    expect(seen).toEqual(['[[1]]']);
    expect(results).toEqual([
      [null, [[1]]],
      [new Error('too deep'), undefined],
    ]);
  });
});
