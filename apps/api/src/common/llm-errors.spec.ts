import { Logger } from '@nestjs/common';
import { LLM_ERROR_CODES, LlmError } from '@sluice/llm-provider';
import { HTTP_STATUS_BY_CODE } from './api-exception.filter';
import { API_CODE_BY_LLM_CODE, describeLlmError, llmErrorToException } from './llm-errors';

describe('LLM error mapping', () => {
  it('maps every library code (aborted to nothing)', () => {
    expect(Object.keys(API_CODE_BY_LLM_CODE).sort()).toEqual([...LLM_ERROR_CODES].sort());
    expect(API_CODE_BY_LLM_CODE).toEqual({
      unavailable: 'llm_unavailable',
      timeout: 'llm_timeout',
      rate_limited: 'rate_limited',
      bad_request: 'llm_bad_request',
      auth: 'llm_unavailable',
      model_not_found: 'model_not_found',
      context_length: 'context_length_exceeded',
      upstream: 'llm_error',
      aborted: null,
    });
    expect(describeLlmError(new LlmError('aborted', 'gone'))).toBeNull();
  });

  it('says what failed in plain words: no address, no upstream text', () => {
    const cases = [
      new LlmError('unavailable', 'cannot reach ollama at http://10.1.2.3:11434 (ECONNREFUSED)', {
        url: 'http://10.1.2.3:11434',
      }),
      new LlmError('upstream', 'gateway answered 502: ollama answered 500: llama runner terminated'),
      new LlmError('unavailable', 'ollama at http://10.1.2.3:11434 is failing: circuit open', {
        retryAfterMs: 20_000,
      }),
    ];
    expect(cases.map((error) => describeLlmError(error))).toEqual([
      { code: 'llm_unavailable', message: 'The model server is not available right now.', retryable: true },
      { code: 'llm_error', message: 'The model server failed while answering.', retryable: true },
      {
        code: 'llm_unavailable',
        message: 'The model server is not available right now.',
        retryable: true,
        retryAfterMs: 20_000,
      },
    ]);
  });

  it('hides our credential problems from the caller, and logs them', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const described = describeLlmError(
      new LlmError('auth', 'invalid api key sk-123', { provider: 'openai' }),
    );
    expect(described?.code).toBe('llm_unavailable');
    expect(described?.message).not.toContain('sk-123');
    expect(logged).toHaveBeenCalledTimes(1);
    logged.mockRestore();
  });

  it('becomes an HTTP error with its status and Retry-After', () => {
    const exception = llmErrorToException(new LlmError('rate_limited', 'slow down', { retryAfterMs: 1500 }));
    expect(exception.code).toBe('rate_limited');
    expect(HTTP_STATUS_BY_CODE[exception.code]).toBe(429);
    expect(exception.headers).toEqual({ 'retry-after': '2' });
    expect(HTTP_STATUS_BY_CODE[llmErrorToException(new LlmError('timeout', 'slow')).code]).toBe(504);
  });
});
