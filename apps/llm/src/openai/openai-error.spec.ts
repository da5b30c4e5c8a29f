import { LLM_ERROR_CODES, LlmError } from '@sluice/llm-provider';
import { fromLlmError } from './openai-error';

describe('fromLlmError', () => {
  it('maps every library code to a status and an OpenAI error type and code', () => {
    const mapped = Object.fromEntries(
      LLM_ERROR_CODES.map((code) => {
        const error = fromLlmError(new LlmError(code, `${code} happened`));
        return [code, [error.status, error.type, error.code]];
      }),
    );
    expect(mapped).toEqual({
      bad_request: [400, 'invalid_request_error', null],
      context_length: [400, 'invalid_request_error', 'context_length_exceeded'],
      model_not_found: [404, 'invalid_request_error', 'model_not_found'],
      rate_limited: [429, 'requests', 'rate_limit_exceeded'],
      unavailable: [503, 'server_error', 'upstream_unavailable'],
      timeout: [504, 'server_error', 'upstream_timeout'],
      upstream: [502, 'server_error', 'upstream_error'],
      auth: [502, 'server_error', 'upstream_auth_failed'],
      aborted: [499, 'invalid_request_error', 'request_aborted'],
    });
  });

  it('sends the retry hints openai-node obeys', () => {
    const limited = fromLlmError(new LlmError('rate_limited', 'slow down', { retryAfterMs: 1_500 }));
    expect(limited.headers).toEqual({
      'x-should-retry': 'true',
      'retry-after': '2',
      'retry-after-ms': '1500',
    });
    expect(fromLlmError(new LlmError('bad_request', 'no')).headers).toEqual({ 'x-should-retry': 'false' });
  });

  it('tells an exhausted quota from a rate limit', () => {
    const quota = fromLlmError(new LlmError('rate_limited', 'quota', { retryable: false }));
    expect(quota).toMatchObject({ status: 429, type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(quota.headers['x-should-retry']).toBe('false');
  });

  it("never repeats the upstream's words about our credentials", () => {
    const error = fromLlmError(
      new LlmError('auth', 'openai answered 401: Incorrect API key provided: sk-abc***xyz', {
        provider: 'openai',
      }),
    );
    expect(error.message).toBe("the upstream openai refused the gateway's credentials");
    expect(error.toBody()).toEqual({
      error: { message: error.message, type: 'server_error', param: null, code: 'upstream_auth_failed' },
    });
  });
});
