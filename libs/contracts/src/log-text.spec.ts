import { boundForLog, LOG_TEXT_MAX } from './log-text';

describe('boundForLog', () => {
  it('leaves short text alone', () => {
    expect(boundForLog('GET /api/conversations')).toBe('GET /api/conversations');
    expect(boundForLog('x'.repeat(LOG_TEXT_MAX))).toBe('x'.repeat(LOG_TEXT_MAX));
  });

  it('cuts long text and says how much was cut', () => {
    expect(boundForLog('x'.repeat(LOG_TEXT_MAX + 10))).toBe(
      `${'x'.repeat(LOG_TEXT_MAX)}…[10 more characters]`,
    );
    expect(boundForLog('abcdef', 3)).toBe('abc…[3 more characters]');
    expect(boundForLog('y'.repeat(1_000_000)).length).toBeLessThan(LOG_TEXT_MAX + 40);
  });

  it('never splits a surrogate pair', () => {
    expect(boundForLog('ab🦙cd', 3)).toBe('ab…[4 more characters]');
    expect(boundForLog('ab🦙cd', 4)).toBe('ab🦙…[2 more characters]');
  });
});
