import { LLM_ERROR_CODES, LlmError } from '@sluice/llm-provider';
import { fromLlmError } from './openai-error';

const context = { requestId: 'req-1', maxRetryAfterMs: 10_000 };

describe('fromLlmError', () => {
  it('maps every library code to a status and an OpenAI error type and code', () => {
    const mapped = Object.fromEntries(
      LLM_ERROR_CODES.map((code) => {
        const error = fromLlmError(new LlmError(code, `${code} happened`), context);
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

  it('tells clients not to retry what the gateway already retried', () => {
    for (const code of LLM_ERROR_CODES) {
      expect(fromLlmError(new LlmError(code, code), context).headers['x-should-retry']).toBe('false');
    }
    const busy = fromLlmError(new LlmError('rate_limited', 'slow down', { retryAfterMs: 1_500 }), context);
    expect(busy.headers).toEqual({ 'x-should-retry': 'false', 'retry-after': '2', 'retry-after-ms': '1500' });
  });

  it('lets a client retry a 429 whose wait is longer than the gateway waits itself', () => {
    const long = fromLlmError(new LlmError('rate_limited', 'window', { retryAfterMs: 60_000 }), context);
    expect(long.headers).toEqual({
      'x-should-retry': 'true',
      'retry-after': '60',
      'retry-after-ms': '60000',
    });
  });

  it('never says "retry after 0 s"', () => {
    const open = fromLlmError(new LlmError('unavailable', 'circuit open', { retryAfterMs: 20 }), context);
    expect(open.headers['retry-after']).toBe('1');
  });

  it('tells an exhausted quota from a rate limit', () => {
    const quota = fromLlmError(new LlmError('rate_limited', 'quota', { retryable: false }), context);
    expect(quota).toMatchObject({ status: 429, type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(quota.headers['x-should-retry']).toBe('false');
  });

  it("says what failed in plain words and the request id, never an address or the upstream's words", () => {
    const cases = [
      new LlmError('unavailable', 'cannot reach ollama at http://10.0.0.7:11434 (ECONNREFUSED)', {
        url: 'http://10.0.0.7:11434',
      }),
      new LlmError('auth', 'openai answered 401: Incorrect API key provided: sk-abc***xyz', {
        provider: 'openai',
      }),
      new LlmError('upstream', 'ollama answered 500: llama runner process has terminated: exit status 2'),
    ];
    for (const cause of cases) {
      const error = fromLlmError(cause, context);
      expect(error.message).toMatch(/^The model server .+\. \(request id req-1\)$/);
      expect(error.message).not.toMatch(/10\.0\.0\.7|11434|sk-|runner|ECONN|ollama|openai/);
    }
  });
});
