import fc from 'fast-check';
import { fuzzRequests, RawJson, shapedBodyText, toJsonText } from './fuzz-bodies';

describe('fuzz bodies', () => {
  it('writes RawJson as it is, inside otherwise ordinary JSON', () => {
    expect(toJsonText({ a: 1, deep: new RawJson('[[1e400]]'), b: ['\u0000'] })).toBe(
      '{"a":1,"deep":[[1e400]],"b":["\\u0000"]}',
    );
    expect(toJsonText('plain')).toBe('"plain"');
  });

  it('shapes bodies after the fields, valid ones among them', () => {
    const fields = { title: fc.string({ maxLength: 5 }), model: fc.constant('llama3.2') };
    const bodies = fc.sample(shapedBodyText(fields, ['title']), { numRuns: 300, seed: 42 });
    const parsed = bodies.map((text) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    });
    const valid = parsed.filter(
      (body) =>
        typeof body === 'object' &&
        body !== null &&
        typeof (body as { title?: unknown }).title === 'string' &&
        Object.keys(body).every((key) => key === 'title' || key === 'model'),
    );
    expect(valid.length).toBeGreaterThan(50);
    expect(valid.length).toBeLessThan(300);
  });

  it('makes every kind of request, with and without a JSON content type', () => {
    const kinds = new Set(
      fc.sample(fuzzRequests({ a: fc.string() }), { numRuns: 500, seed: 7 }).map((request) => request.kind),
    );
    expect([...kinds].sort()).toEqual(['content type', 'json value', 'not json', 'odd json', 'shaped']);
  });
});
