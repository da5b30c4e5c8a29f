import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { Exchange } from './fake-exchange';
import type { FakeModel, FakeScript, RecordedRequest } from './fake-script';
import { parseJson } from './fake-util';

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>` (the OpenAI/vLLM base URL for clients is `url + '/v1'`). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order of arrival of its complete body (all paths). */
  readonly requests: RecordedRequest[];
  /** Requests to model-call endpoints only (chat, generate, embeddings). */
  readonly calls: RecordedRequest[];
  /** The models the server serves; push to it to serve more. */
  readonly models: FakeModel[];
  /** Used when the queue is empty (default `{}`). */
  defaultScript: FakeScript;
  /** Queues scripts, consumed FIFO by the next model calls that pass validation (auth, model, body). */
  script(...scripts: FakeScript[]): void;
  /** Resolves with the first `count` model calls once that many have arrived; rejects on timeout (default 2 s). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /**
   * Resolves when the client disconnected before the response ended; rejects on timeout (default 2 s),
   * or at once when that response already ended without an abort.
   */
  waitForAbort(request: RecordedRequest, timeoutMs?: number): Promise<RecordedRequest>;
  /** Health endpoints answer their server's "unhealthy" form (see each server). */
  unhealthy: boolean;
  /** Clears the queue, the recorded requests and `unhealthy` (not `defaultScript`). */
  reset(): void;
  /** Closes the server and destroys every open socket (a stalled stream does not keep it open). */
  close(): Promise<void>;
}

interface RequestWaiter {
  check(): boolean;
  fail(error: Error): void;
}

interface AbortWaiter {
  request: RecordedRequest;
  settle(): void;
  fail(error: Error): void;
}

const DEFAULT_WAIT_MS = 2_000;

/** The HTTP plumbing shared by the fakes: recording, the script queue, waiting, and a clean close. */
export abstract class FakeServer implements FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  readonly calls: RecordedRequest[] = [];
  readonly models: FakeModel[];
  defaultScript: FakeScript = {};
  unhealthy = false;

  private listeningPort = 0;
  private readonly queue: FakeScript[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly exchanges = new Set<Exchange>();
  private readonly requestWaiters = new Set<RequestWaiter>();
  private readonly abortWaiters = new Set<AbortWaiter>();
  private closing: Promise<void> | undefined;

  protected constructor(models: FakeModel[]) {
    this.models = models.map((model) => ({ ...model }));
    this.server = createServer((req, res) => this.accept(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.listeningPort}`;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Model calls whose response is still open. */
  protected get activeCalls(): number {
    let count = 0;
    for (const ex of this.exchanges) if (ex.isCall) count++;
    return count;
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listeningPort = (this.server.address() as { port: number }).port;
    return this;
  }

  script(...scripts: FakeScript[]): void {
    this.queue.push(...scripts);
  }

  reset(): void {
    this.queue.length = 0;
    this.requests.length = 0;
    this.calls.length = 0;
    this.unhealthy = false;
    this.onReset();
  }

  waitForRequests(count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<RecordedRequest[]> {
    if (this.calls.length >= count) return Promise.resolve(this.calls.slice(0, count));
    if (this.closing) return Promise.reject(new Error('waitForRequests: the fake server is closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          waiter.fail(
            new Error(
              `waitForRequests(${count}): only ${this.calls.length} model call(s) arrived in ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      const waiter: RequestWaiter = {
        check: () => {
          if (this.calls.length < count) return false;
          clearTimeout(timer);
          this.requestWaiters.delete(waiter);
          resolve(this.calls.slice(0, count));
          return true;
        },
        fail: (error) => {
          clearTimeout(timer);
          this.requestWaiters.delete(waiter);
          reject(error);
        },
      };
      this.requestWaiters.add(waiter);
    });
  }

  waitForAbort(request: RecordedRequest, timeoutMs = DEFAULT_WAIT_MS): Promise<RecordedRequest> {
    const describe = `${request.method} ${request.path}`;
    if (request.aborted) return Promise.resolve(request);
    if (request.endedAt !== undefined) {
      return Promise.reject(
        new Error(`waitForAbort: the response to ${describe} ended without a client abort`),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          waiter.fail(
            new Error(`waitForAbort: the client did not disconnect from ${describe} in ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      const waiter: AbortWaiter = {
        request,
        settle: () => {
          if (request.aborted) {
            clearTimeout(timer);
            this.abortWaiters.delete(waiter);
            resolve(request);
          } else if (request.endedAt !== undefined) {
            waiter.fail(new Error(`waitForAbort: the response to ${describe} ended without a client abort`));
          }
        },
        fail: (error) => {
          clearTimeout(timer);
          this.abortWaiters.delete(waiter);
          reject(error);
        },
      };
      this.abortWaiters.add(waiter);
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const ex of this.exchanges) ex.shutdown();
      for (const socket of this.sockets) socket.destroy();
      const closed = new Error('the fake server was closed');
      for (const waiter of [...this.requestWaiters]) waiter.fail(closed);
      for (const waiter of [...this.abortWaiters]) waiter.fail(closed);
    });
    return this.closing;
  }

  /** Does this method and path call the model (recorded in `calls`)? */
  protected abstract isModelCall(method: string, path: string): boolean;

  /** Answers one request (its body is read and recorded). Must end, cut or reset the response. */
  protected abstract route(ex: Exchange): Promise<void>;

  /** Extra state to clear on `reset()`. */
  protected onReset(): void {
    // nothing by default
  }

  /** Headers on every response of this server. */
  protected commonHeaders(_ex: Exchange): OutgoingHttpHeaders {
    return {};
  }

  /**
   * The next queued script, else the called model's own (`FakeModel.script`), else the default one;
   * its `writeChunkBytes` applies to the rest of the response.
   */
  protected takeScript(ex: Exchange): FakeScript {
    const script = this.queue.shift() ?? this.modelScript(ex.record.body) ?? this.defaultScript;
    ex.chunkWrites(script.writeChunkBytes);
    return script;
  }

  /** `resetConnection` and `headerDelayMs`; `false` when the response must not go on. */
  protected async prelude(ex: Exchange, script: FakeScript): Promise<boolean> {
    if (script.resetConnection) {
      ex.reset();
      return false;
    }
    if (script.headerDelayMs !== undefined && !(await ex.sleep(script.headerDelayMs))) return false;
    return !ex.closed;
  }

  /** A complete response with a Content-Length. */
  protected async send(
    ex: Exchange,
    status: number,
    contentType: string | undefined,
    body: string,
    headers: OutgoingHttpHeaders = {},
  ): Promise<void> {
    const bytes = Buffer.from(body, 'utf8');
    const head: OutgoingHttpHeaders = {
      ...this.commonHeaders(ex),
      ...headers,
      'content-length': bytes.length,
    };
    if (contentType !== undefined) head['content-type'] = contentType;
    if (!ex.writeHead(status, head)) return;
    if (await ex.write(bytes)) await ex.end();
  }

  /**
   * A non-streamed 200 body played by a script: `cutAfterTokens` sends half of it and closes the
   * connection; `malformedAfterTokens` sends only its first half (a body that is not JSON).
   */
  protected async sendScripted(
    ex: Exchange,
    script: FakeScript,
    contentType: string,
    body: string,
    headers: OutgoingHttpHeaders = {},
  ): Promise<void> {
    let bytes = Buffer.from(body, 'utf8');
    if (script.malformedAfterTokens !== undefined) bytes = bytes.subarray(0, Math.floor(bytes.length / 2));
    const head = {
      ...this.commonHeaders(ex),
      ...headers,
      'content-type': contentType,
      'content-length': bytes.length,
    };
    if (!ex.writeHead(200, head)) return;
    if (script.cutAfterTokens !== undefined) {
      if (await ex.write(bytes.subarray(0, Math.floor(bytes.length / 2)))) ex.cut();
      return;
    }
    if (await ex.write(bytes)) await ex.end();
  }

  /** Sends 200 headers for a stream right away. */
  protected openStream(ex: Exchange, contentType: string, headers: OutgoingHttpHeaders = {}): boolean {
    if (!ex.writeHead(200, { ...this.commonHeaders(ex), ...headers, 'content-type': contentType }))
      return false;
    ex.flushHeaders();
    return true;
  }

  private modelScript(body: unknown): FakeScript | undefined {
    const model = (body as { model?: unknown } | undefined)?.model;
    return typeof model === 'string' ? this.models.find((m) => m.id === model)?.script : undefined;
  }

  private accept(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      headers: { ...req.headers },
      body: undefined,
      rawBody: '',
      receivedAt: performance.now(),
      aborted: false,
    };
    const ex = new Exchange(req, res, record, this.isModelCall(method, url.pathname));
    this.exchanges.add(ex);
    res.on('finish', () => {
      record.endedAt ??= performance.now();
    });
    res.on('close', () => {
      const now = performance.now();
      this.exchanges.delete(ex);
      record.endedAt ??= now;
      if (!res.writableFinished && !ex.destroyedByServer && !this.closing) {
        record.aborted = true;
        record.abortedAt = now;
      }
      ex.shutdown();
      for (const waiter of [...this.abortWaiters]) if (waiter.request === record) waiter.settle();
    });
    void this.process(ex).catch((error: unknown) => {
      console.error('fake upstream: the handler failed', error);
      if (ex.writeHead(500, { 'content-type': 'text/plain' })) ex.res.end(String(error));
      else ex.cut();
    });
  }

  private async process(ex: Exchange): Promise<void> {
    const raw = await ex.readBody();
    ex.record.rawBody = raw;
    ex.record.body = parseJson(raw);
    this.requests.push(ex.record);
    if (ex.isCall) {
      this.calls.push(ex.record);
      for (const waiter of [...this.requestWaiters]) waiter.check();
    }
    if (ex.closed) return;
    await this.route(ex);
  }
}
