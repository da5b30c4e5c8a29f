import { failureScope } from '../../resilience';
import {
  classifyHttpFailure,
  classifyLocalFailure,
  classifyNetworkFailure,
  parseRetryAfter,
} from './classify';

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

describe('which circuit a classified failure counts against', () => {
  const network = (code: string, started = false) =>
    classifyNetworkFailure(Object.assign(new Error(code), { code }), { ...base, started })!;

  it('counts a server that does not answer against the server, a failed answer against the model', () => {
    expect(failureScope(network('ECONNREFUSED'))).toBe('server');
    expect(failureScope(network('ECONNRESET', true))).toBe('model');
    expect(failureScope(classifyHttpFailure({ ...base, status: 503, message: 'x' }))).toBe('server');
    expect(failureScope(classifyHttpFailure({ ...base, status: 500, message: 'runner died' }))).toBe('model');
  });

  it('never counts what the caller caused or what a gateway in front already counted', () => {
    // The server closed while we were still sending: it refused the body (a 413 under way).
    expect(failureScope(network('EPIPE'))).toBe('none');
    expect(failureScope(classifyHttpFailure({ ...base, status: 413, message: 'too large' }))).toBe('none');
    for (const code of ['upstream_unavailable', 'upstream_error', 'upstream_timeout']) {
      expect(failureScope(classifyHttpFailure({ ...base, status: 503, message: 'x', code }))).toBe('none');
    }
    const local = classifyLocalFailure(new RangeError('Maximum call stack size exceeded'), 'ollama');
    expect(local).toMatchObject({ code: 'bad_request', retryable: false });
    expect(failureScope(local!)).toBe('none');
    expect(classifyLocalFailure(new Error('something else'), 'ollama')).toBeUndefined();
  });

  it("keeps a gateway's relayed failure retryable later, whatever x-should-retry says about now", () => {
    const relayed = classifyHttpFailure({
      ...base,
      status: 503,
      message: 'x',
      code: 'upstream_unavailable',
      headers: { 'x-should-retry': 'false' },
    });
    expect(relayed).toMatchObject({ code: 'unavailable', retryable: true });
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
