import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RecordedRequest } from './fake-script';

/** setTimeout cannot wait longer than this; anything longer is treated as "forever". */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One request and its response. Every write and every wait goes through here, so that once the
 * client is gone (or the fake closes) nothing is written any more and no timer stays alive.
 */
export class Exchange {
  private over = false;
  private destroyedByFake = false;
  private chunkBytes = 0;
  private carry: Buffer = Buffer.alloc(0);
  private readonly shutdownHooks = new Set<() => void>();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly record: RecordedRequest,
    readonly isCall: boolean,
  ) {}

  /** The response is over: finished, the socket closed, or the fake is closing. */
  get closed(): boolean {
    return this.over;
  }

  /** The fake itself destroyed the socket (a scripted reset or cut), so a close is not a client abort. */
  get destroyedByServer(): boolean {
    return this.destroyedByFake;
  }

  /** Re-cut every body byte written from now on into writes of `bytes` bytes. */
  chunkWrites(bytes: number | undefined): void {
    this.chunkBytes = bytes !== undefined && bytes > 0 ? Math.floor(bytes) : 0;
  }

  /** Stops everything: pending waits resolve `false`, pending writes resolve `false`. */
  shutdown(): void {
    if (this.over) return;
    this.over = true;
    const hooks = [...this.shutdownHooks];
    this.shutdownHooks.clear();
    for (const hook of hooks) hook();
  }

  private onShutdown(hook: () => void): () => void {
    this.shutdownHooks.add(hook);
    return () => this.shutdownHooks.delete(hook);
  }

  readBody(): Promise<string> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        off();
        resolve(Buffer.concat(chunks).toString('utf8'));
      };
      const off = this.onShutdown(done);
      this.req.on('data', (chunk: Buffer) => chunks.push(chunk));
      this.req.on('end', done);
      this.req.on('error', done);
    });
  }

  /** Resolves `true` after `ms`, or `false` as soon as the exchange is over. `Infinity` waits forever. */
  sleep(ms: number): Promise<boolean> {
    if (this.over) return Promise.resolve(false);
    if (!(ms > 0)) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const off = this.onShutdown(() => {
        if (timer) clearTimeout(timer);
        resolve(false);
      });
      if (ms <= MAX_TIMER_MS) {
        timer = setTimeout(() => {
          off();
          resolve(true);
        }, ms);
      }
    });
  }

  writeHead(status: number, headers: OutgoingHttpHeaders): boolean {
    if (this.over || this.res.headersSent) return false;
    this.res.writeHead(status, headers);
    return true;
  }

  /** Sends the status line and headers now, before any body byte. */
  flushHeaders(): void {
    if (!this.over) this.res.flushHeaders();
  }

  /**
   * Writes body bytes; resolves once they are handed to the socket (`false` if the exchange is over).
   * With chunked writes the bytes (plus the carry-over of the previous write) go out in N-byte pieces
   * and what is left over waits for the next write or the end.
   */
  async write(data: string | Buffer): Promise<boolean> {
    if (this.over) return false;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const size = this.chunkBytes;
    if (size === 0) return this.rawWrite(bytes);
    const pending = this.carry.length > 0 ? Buffer.concat([this.carry, bytes]) : bytes;
    let offset = 0;
    while (pending.length - offset >= size) {
      if (!(await this.rawWrite(pending.subarray(offset, offset + size)))) return false;
      offset += size;
    }
    this.carry = Buffer.from(pending.subarray(offset));
    return true;
  }

  private rawWrite(bytes: Buffer): Promise<boolean> {
    if (this.over) return Promise.resolve(false);
    if (bytes.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const off = this.onShutdown(() => resolve(false));
      this.res.write(bytes, (error) => {
        off();
        resolve(!error && !this.over);
      });
    });
  }

  /** Flushes the carry-over and ends the response cleanly. */
  async end(): Promise<void> {
    if (this.carry.length > 0) {
      const rest = this.carry;
      this.carry = Buffer.alloc(0);
      if (!(await this.rawWrite(rest))) return;
    }
    if (this.over) return;
    await new Promise<void>((resolve) => {
      const off = this.onShutdown(resolve);
      this.res.end(() => {
        off();
        resolve();
      });
    });
  }

  /** Closes the connection mid-body (FIN, then gone): what was written stays written. */
  cut(): void {
    if (this.over) return;
    this.destroyedByFake = true;
    this.req.socket.destroy();
  }

  /** Resets the connection (RST), as a crashed or unreachable server would. */
  reset(): void {
    if (this.over) return;
    this.destroyedByFake = true;
    this.req.socket.resetAndDestroy();
  }
}
