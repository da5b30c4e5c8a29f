import { LineDecoder } from './lines';

/** Thrown for a line that is not JSON: a stream must never skip a record silently. */
export class NdjsonSyntaxError extends Error {
  override readonly name = 'NdjsonSyntaxError';
  constructor(readonly line: string) {
    super(`malformed NDJSON line: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`);
  }
}

/** Parses newline-delimited JSON whatever the chunking; blank lines are allowed, bad ones throw. */
export class NdjsonDecoder {
  private readonly lines = new LineDecoder();

  push(chunk: Uint8Array | string): unknown[] {
    return this.parse(this.lines.push(chunk));
  }

  end(): unknown[] {
    return this.parse(this.lines.end());
  }

  private parse(lines: string[]): unknown[] {
    const records: unknown[] = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        throw new NdjsonSyntaxError(line);
      }
    }
    return records;
  }
}

export async function* readNdjson(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<unknown> {
  const decoder = new NdjsonDecoder();
  for await (const chunk of body) yield* decoder.push(chunk);
  yield* decoder.end();
}

export function encodeNdjson(record: unknown): string {
  return `${JSON.stringify(record)}\n`;
}
