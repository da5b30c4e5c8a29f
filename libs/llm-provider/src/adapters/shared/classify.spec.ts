import { classifyHttpFailure, parseRetryAfter } from './classify';

const base = { provider: 'gateway', url: 'http://127.0.0.1:3100/v1' };

describe('classifyHttpFailure', () => {
  it('reads the class of failure from a Sluice gateway code when a stream has no status', () => {
    expect(classifyHttpFailure({ ...base, status: 500, message: 'x', code: 'upstream_timeout' }).code).toBe(
      'timeout',
    );
    expect(
      classifyHttpFailure({ ...base, status: 500, message: 'x', code: 'upstream_unavailable' }).code,
    ).toBe('unavailable');
    expect(classifyHttpFailure({ ...base, status: 500, message: 'x', code: 'upstream_error' }).code).toBe(
      'upstream',
    );
  });

  it('obeys x-should-retry', () => {
    const no = classifyHttpFailure({
      ...base,
      status: 503,
      message: 'x',
      headers: { 'x-should-retry': 'false' },
    });
    expect(no).toMatchObject({ code: 'unavailable', retryable: false });
    const yes = classifyHttpFailure({
      ...base,
      status: 400,
      message: 'x',
      headers: { 'x-should-retry': 'true' },
    });
    expect(yes).toMatchObject({ code: 'bad_request', retryable: true });
  });

  it('treats an exhausted quota as a rate limit no retry fixes', () => {
    expect(
      classifyHttpFailure({ ...base, status: 429, message: 'x', code: 'insufficient_quota' }),
    ).toMatchObject({
      code: 'rate_limited',
      retryable: false,
    });
  });
});

describe('parseRetryAfter', () => {
  it('prefers retry-after-ms, then seconds, then an HTTP date', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' })).toBe(250);
    expect(parseRetryAfter(new Headers({ 'retry-after': '3' }))).toBe(3000);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(parseRetryAfter({ 'retry-after': inTenSeconds })).toBeGreaterThan(8_000);
    expect(parseRetryAfter({ 'retry-after': 'soon' })).toBeUndefined();
  });
});
