import { LineDecoder } from '../../codecs';
import type { LlmError } from '../../contract';

export interface NdjsonChecks {
  /** Inspects each record; returning an error ends the body with it. */
  record(record: unknown): LlmError | undefined;
  /** Called at EOF; returning an error means the body ended too early. */
  end(): LlmError | undefined;
  malformed(line: string): LlmError;
}

/**
 * Wraps an NDJSON body so that a bad line, an `{"error":…}` record or a missing final record errors
 * the stream instead of being skipped: the `ollama` package logs and skips lines it cannot parse,
 * and ends quietly on some truncations. Records before the failure are still delivered first.
 */
export function strictNdjsonBody(
  body: ReadableStream<Uint8Array>,
  checks: NdjsonChecks,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const lines = new LineDecoder();
  const encoder = new TextEncoder();
  let pending: LlmError | undefined;

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending) {
          controller.error(pending);
          return;
        }
        for (;;) {
          const { done, value } = await reader.read();
          let out = '';
          for (const line of done ? lines.end() : lines.push(value)) {
            if (line.trim() === '') continue;
            let record: unknown;
            try {
              record = JSON.parse(line);
            } catch {
              pending = checks.malformed(line);
              break;
            }
            pending = checks.record(record);
            if (pending) break;
            out += `${line}\n`;
          }
          if (done && !pending) pending = checks.end();
          if (out !== '') controller.enqueue(encoder.encode(out));
          if (pending) {
            if (out === '') controller.error(pending);
            void reader.cancel().catch(() => undefined);
            return;
          }
          if (done) {
            controller.close();
            return;
          }
          if (out !== '') return;
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
