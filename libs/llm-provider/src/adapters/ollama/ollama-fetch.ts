import { LlmError } from '../../contract';
import { classifyHttpFailure } from '../shared/classify';
import { nodeFetch, nodeFetchReporting } from '../shared/node-fetch';
import { strictNdjsonBody } from './strict-ndjson-body';

type Fetch = typeof fetch;

interface OllamaRecord {
  done?: boolean;
  status?: string;
  error?: unknown;
}

/**
 * The fetch the `ollama` client is given for one call: it carries the call's abort signal (the
 * package sends none on non-streamed requests), turns an HTTP error into a classified LlmError with
 * its status and Retry-After (the package keeps only the message), and makes NDJSON bodies strict.
 */
export function ollamaFetch(context: {
  provider: string;
  baseUrl: string;
  signal: AbortSignal;
  /** Told when the connection is open (Ollama's headers come only with its first record). */
  connected?: () => void;
}): Fetch {
  const transport = context.connected ? nodeFetchReporting(context.connected) : nodeFetch;
  return async (input, init) => {
    const signal = init?.signal ? AbortSignal.any([init.signal, context.signal]) : context.signal;
    const response = await transport(input, { ...init, signal });
    if (!response.ok) throw await httpError(response, context);
    const type = response.headers.get('content-type') ?? '';
    if (!response.body || !type.includes('application/x-ndjson')) return response;
    let finished = false;
    const body = strictNdjsonBody(response.body, {
      malformed: (line) =>
        new LlmError('upstream', `${context.provider} sent a line that is not JSON: ${line.slice(0, 120)}`, {
          provider: context.provider,
          url: context.baseUrl,
        }),
      record: (value) => {
        const record = value as OllamaRecord;
        if (record.error !== undefined) return inStreamError(record.error, context);
        if (record.done === true || record.status === 'success') finished = true;
        return undefined;
      },
      end: () =>
        finished
          ? undefined
          : new LlmError(
              'upstream',
              `${context.provider} ended the stream without its final record (truncated)`,
              {
                provider: context.provider,
                url: context.baseUrl,
              },
            ),
    });
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

async function httpError(
  response: Response,
  context: { provider: string; baseUrl: string },
): Promise<LlmError> {
  const text = await response.text().catch(() => '');
  let message = text.trim() || response.statusText || 'no body';
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
  } catch {
    // A plain-text body: keep it as the message.
  }
  return classifyHttpFailure({
    status: response.status,
    message,
    headers: response.headers,
    provider: context.provider,
    url: context.baseUrl,
  });
}

/** Ollama reports a failure after the 200 as a last `{"error": "..."}` line. */
function inStreamError(error: unknown, context: { provider: string; baseUrl: string }): LlmError {
  const message = typeof error === 'string' ? error : JSON.stringify(error);
  const failure = classifyHttpFailure({
    status: 500,
    message,
    provider: context.provider,
    url: context.baseUrl,
  });
  return new LlmError(failure.code, `${context.provider} failed mid-stream: ${message}`, {
    provider: context.provider,
    url: context.baseUrl,
  });
}
