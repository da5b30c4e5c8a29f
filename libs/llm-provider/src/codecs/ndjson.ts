import { LineDecoder } from './lines';

/** A line that is not JSON: a stream must never skip a record silently. */
export class NdjsonSyntaxError extends Error {
  override readonly name = 'NdjsonSyntaxError';
  constructor(readonly line: string) {
    super(`malformed NDJSON line: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`);
  }
}

/**
 * Parses newline-delimited JSON whatever the chunking; blank lines are allowed. A line that is not JSON
 * stops the decoder: the records before it are still returned, `failure` says which line it was, and
 * nothing after it is read (fed chunk by chunk, so a caller delivers what came before, then fails).
 */
export class NdjsonDecoder {
  private readonly lines = new LineDecoder();
  failure: NdjsonSyntaxError | undefined;

  push(chunk: Uint8Array | string): unknown[] {
    return this.failure ? [] : this.parse(this.lines.push(chunk));
  }

  /** At EOF: the last record, when it had no newline after it. */
  end(): unknown[] {
    return this.failure ? [] : this.parse(this.lines.end());
  }

  private parse(lines: string[]): unknown[] {
    const records: unknown[] = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        this.failure = new NdjsonSyntaxError(line);
        break;
      }
    }
    return records;
  }
}

export function encodeNdjson(record: unknown): string {
  return `${JSON.stringify(record)}\n`;
}
