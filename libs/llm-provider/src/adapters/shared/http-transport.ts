import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';

/** One keep-alive pool per protocol for every adapter in the process. */
export const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: Infinity }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: Infinity }),
} as const;

export function transportFor(url: URL): typeof http | typeof https | undefined {
  return url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, not yet read; destroying the request (or aborting its signal) ends it. */
  body: IncomingMessage;
}

/** Where requests go, parsed once (Node would otherwise turn a URL into options on every request). */
export interface HttpTarget {
  transport: typeof http | typeof https;
  agent: http.Agent;
  protocol: string;
  hostname: string;
  port: number;
  path: string;
}

export function httpTarget(url: URL): HttpTarget {
  const transport = transportFor(url);
  if (!transport) throw new TypeError(`unsupported protocol ${url.protocol}`);
  return {
    transport,
    agent: agents[url.protocol as keyof typeof agents],
    protocol: url.protocol,
    // Node wants an IPv6 literal without its brackets.
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
    path: url.pathname + url.search,
  };
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Told once the connection is open, for a server that sends its headers only when it has an answer. */
  connected?: () => void;
}

/**
 * One request over Node's own http client, resolving once the answer's headers are in. The abort signal
 * destroys the request at any point, the body's read included, which closes the upstream socket.
 */
export function send(target: HttpTarget, call: HttpRequest): Promise<HttpAnswer> {
  const { signal, body } = call;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const request = target.transport.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        method: call.method,
        headers:
          body === undefined
            ? call.headers
            : { ...call.headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: target.agent,
      },
      (response) =>
        resolve({ status: response.statusCode ?? 502, headers: response.headers, body: response }),
    );
    if (call.connected) whenConnected(request, call.connected);
    // One listener for the whole exchange, gone when the request closes (after its body is read);
    // Node's `signal` option would also watch the request with its end-of-stream helpers.
    const onAbort = () => request.destroy(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    request.once('close', () => signal.removeEventListener('abort', onAbort));
    request.on('error', reject);
    request.end(body);
  });
}

/** A POST of a JSON (or other text) body; see `send`. */
export function post(
  target: HttpTarget,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  return send(target, { method: 'POST', headers, body, signal });
}

/** Header names in lower case, as Node sends them and as a later spread must match to override. */
export function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

/** Calls back once the request's connection is open: at once for a kept-alive socket. */
function whenConnected(request: ClientRequest, callback: () => void): void {
  request.once('socket', (socket) => {
    if (socket.connecting) socket.once('connect', callback);
    else callback();
  });
}

/** The error Node's own `signal` option destroys a request with. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted'), {
    name: 'AbortError',
    code: 'ABORT_ERR',
    cause: signal.reason as unknown,
  });
}

/**
 * Reads a (small) body as text; an error answer never needs more than `limit` bytes to explain itself.
 * A server that answers early and closes (a 413 while we were still sending) may cut the body short:
 * what arrived is the answer then.
 */
export async function readText(body: IncomingMessage, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of bodyChunks(body)) {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    }
  } catch (error) {
    if (chunks.length === 0) throw error;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a whole body (a JSON answer); a body cut before its end throws, as `bodyChunks` does. */
export async function readAll(body: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of bodyChunks(body)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Chunks read ahead of the consumer before the body is paused. */
const READ_AHEAD = 16;

/**
 * A response body's chunks, from its `data` events. Node's own async iterator over a stream costs a
 * `readable` event, a `read()` and end-of-stream bookkeeping per chunk: twice this, measured on a
 * token stream. The body pauses while `READ_AHEAD` chunks wait; a body cut before its end throws
 * (as Node's iterator does); stopping early (`return`) destroys the body, which closes the request.
 */
export function bodyChunks(body: IncomingMessage): AsyncIterableIterator<Buffer> {
  return new BodyChunks(body);
}

const DONE: IteratorResult<Buffer> = { value: undefined, done: true };

class BodyChunks implements AsyncIterableIterator<Buffer> {
  private readonly queue: Buffer[] = [];
  private ended = false;
  private failure: Error | undefined;
  private waiting: { resolve(step: IteratorResult<Buffer>): void; reject(error: Error): void } | undefined;

  constructor(private readonly body: IncomingMessage) {
    body.on('data', (chunk: Buffer) => {
      this.queue.push(chunk);
      if (this.queue.length >= READ_AHEAD) body.pause();
      this.settle();
    });
    body.once('end', () => {
      this.ended = true;
      this.settle();
    });
    body.once('error', (error: Error) => {
      this.failure ??= error;
      this.settle();
    });
    body.once('close', () => {
      if (!this.ended) {
        this.failure ??= Object.assign(new Error('the response closed before its end'), {
          code: 'ECONNRESET',
        });
      }
      this.settle();
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift() as Buffer;
      if (this.body.isPaused() && this.queue.length < READ_AHEAD / 2) this.body.resume();
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(DONE);
    if (this.body.isPaused()) this.body.resume();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Buffer>> {
    this.ended = true;
    this.queue.length = 0;
    if (!this.body.complete) this.body.destroy();
    return Promise.resolve(DONE);
  }

  /** Hands the waiting read what came: a chunk, the failure, or the end. */
  private settle(): void {
    const waiter = this.waiting;
    if (!waiter) return;
    if (this.queue.length > 0) {
      this.waiting = undefined;
      waiter.resolve({ value: this.queue.shift() as Buffer, done: false });
    } else if (this.failure) {
      this.waiting = undefined;
      waiter.reject(this.failure);
    } else if (this.ended) {
      this.waiting = undefined;
      waiter.resolve(DONE);
    }
  }
}
