import { NdjsonDecoder } from '../../codecs';
import { LlmError } from '../../contract';
import { classifyHttpFailure } from '../shared/classify';
import type { OllamaChatRecord } from './ollama-wire';

export interface OllamaWireContext {
  provider: string;
  url: string;
}

/**
 * The records of a streamed `/api/chat` answer, read strictly (docs/wire-formats.md#ollama-reading):
 * framing independent of reads, a line that is not JSON and an `{"error":…}` record are failures
 * rather than skipped, the `done` record ends the answer. Fed chunk by chunk like `ChatChunkReader`;
 * the caller keeps reading after `done` so the socket goes back to the pool.
 */
export class OllamaChatReader {
  private readonly decoder = new NdjsonDecoder();
  /** The final record (`"done":true`) has been read: anything after it is ignored. */
  done = false;
  /**
   * What ended the stream (an error record, a line that is not JSON): the records before it are
   * returned first, so the caller delivers them and then throws this.
   */
  failure: LlmError | undefined;

  constructor(private readonly context: OllamaWireContext) {}

  push(bytes: Uint8Array): OllamaChatRecord[] {
    return this.done || this.failure ? [] : this.take(this.decoder.push(bytes));
  }

  /** At EOF: the last record, when it had no newline after it. */
  end(): OllamaChatRecord[] {
    return this.done || this.failure ? [] : this.take(this.decoder.end());
  }

  private take(values: unknown[]): OllamaChatRecord[] {
    const records: OllamaChatRecord[] = [];
    for (const value of values) {
      const record = (typeof value === 'object' && value !== null ? value : {}) as OllamaChatRecord;
      if (record.error !== undefined) {
        this.failure = inStreamError(record.error, this.context);
        return records;
      }
      records.push(record);
      if (record.done === true) {
        this.done = true;
        return records;
      }
    }
    const malformed = this.decoder.failure;
    if (malformed) {
      this.failure = new LlmError(
        'upstream',
        `${this.context.provider} sent a line that is not JSON: ${malformed.line.slice(0, 120)}`,
        { provider: this.context.provider, url: this.context.url, cause: malformed },
      );
    }
    return records;
  }
}

/** Ollama reports a failure after the 200 as a last `{"error":"…"}` line: a server failure. */
function inStreamError(error: unknown, context: OllamaWireContext): LlmError {
  const message = typeof error === 'string' ? error : JSON.stringify(error);
  const failure = classifyHttpFailure({ status: 500, message, provider: context.provider, url: context.url });
  return new LlmError(failure.code, `${context.provider} failed mid-stream: ${message}`, {
    provider: context.provider,
    url: context.url,
  });
}
