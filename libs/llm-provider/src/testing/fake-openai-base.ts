import type { OutgoingHttpHeaders } from 'node:http';
import { encodeSse } from '../codecs';
import type { Exchange } from './fake-exchange';
import type { FakeHttpError, FakeModel, FakeScript } from './fake-script';
import { FakeServer, type FakeUpstream } from './fake-server';
import { playStream, type StreamRenderer } from './fake-stream';
import {
  fakeEmbedding,
  float32Base64,
  nonStreamWaitMs,
  planOf,
  retryHeaders,
  type ScriptPlan,
} from './fake-util';

export interface FakeOpenAIStyle extends FakeUpstream {
  /** The key clients must send as `Authorization: Bearer <key>`; `undefined` turns auth off. */
  apiKey: string | undefined;
}

export interface ErrorDetails {
  type?: string;
  param?: string | null;
  code?: string | null;
}

/** Everything one model call needs to render its answer. */
export interface CallContext {
  ex: Exchange;
  script: FakeScript;
  plan: ScriptPlan;
  /** The model name to echo back. */
  model: string;
  body: Record<string, unknown>;
}

export interface EmbeddingsRequest {
  model: string;
  texts: string[];
  base64: boolean;
}

export const SSE_TYPE = 'text/event-stream; charset=utf-8';
export const sse = (data: string) => encodeSse({ data });
export const SSE_DONE = sse('[DONE]');

/** The OpenAI-shaped surface (`/v1/chat/completions`, `/v1/embeddings`) shared by OpenAI and vLLM. */
export abstract class OpenAIStyleServer extends FakeServer implements FakeOpenAIStyle {
  apiKey: string | undefined;

  protected constructor(models: FakeModel[], apiKey: string | undefined) {
    super(models);
    this.apiKey = apiKey;
  }

  protected isModelCall(method: string, path: string): boolean {
    return method === 'POST' && (path === '/v1/chat/completions' || path === '/v1/embeddings');
  }

  protected find(model: string): FakeModel | undefined {
    return this.models.find((m) => m.id === model);
  }

  protected authorized(ex: Exchange): boolean {
    return this.apiKey === undefined || ex.record.headers.authorization === `Bearer ${this.apiKey}`;
  }

  /** Sends this server's error object with `status`. */
  protected abstract sendError(
    ex: Exchange,
    status: number,
    message: string,
    details?: ErrorDetails,
    headers?: OutgoingHttpHeaders,
  ): Promise<void>;

  /** The message of a scripted error that names none. */
  protected abstract defaultErrorMessage(status: number): string;

  /** The in-stream (and non-stream 500) error message when the script names none. */
  protected abstract readonly defaultStreamError: string;

  /** Validates a chat body, answering the error itself; returns the model to echo, or `undefined`. */
  protected abstract validateChat(
    ex: Exchange,
    body: unknown,
  ): Promise<{ model: string; body: Record<string, unknown> } | undefined>;

  protected abstract validateEmbeddings(
    ex: Exchange,
    body: unknown,
  ): Promise<(EmbeddingsRequest & { body: Record<string, unknown> }) | undefined>;

  protected abstract chatStream(ctx: CallContext): StreamRenderer;

  protected abstract chatCompletion(ctx: CallContext): unknown;

  /** `vectors` are float arrays, or base64 strings when the request asked for base64. */
  protected abstract embeddingsResponse(ctx: CallContext, vectors: (number[] | string)[]): unknown;

  protected scriptedError(ex: Exchange, error: FakeHttpError): Promise<void> {
    return this.sendError(
      ex,
      error.status,
      error.message ?? this.defaultErrorMessage(error.status),
      { type: error.type, code: error.code },
      retryHeaders(error),
    );
  }

  protected async chatCompletions(ex: Exchange): Promise<void> {
    const valid = await this.validateChat(ex, ex.record.body);
    if (!valid) return;
    const script = this.takeScript(ex);
    if (!(await this.prelude(ex, script))) return;
    if (script.httpError) return this.scriptedError(ex, script.httpError);
    const ctx: CallContext = { ex, script, plan: planOf(script), ...valid };
    if (valid.body.stream !== true) {
      if (!(await ex.sleep(nonStreamWaitMs(script, ctx.plan)))) return;
      if (script.errorAfterTokens !== undefined) {
        return this.sendError(ex, 500, script.streamErrorMessage ?? this.defaultStreamError);
      }
      return this.sendScripted(ex, script, 'application/json', JSON.stringify(this.chatCompletion(ctx)));
    }
    if (!this.openStream(ex, SSE_TYPE)) return;
    await playStream(ex, script, ctx.plan, this.chatStream(ctx), this.defaultStreamError);
  }

  protected async embeddings(ex: Exchange): Promise<void> {
    const valid = await this.validateEmbeddings(ex, ex.record.body);
    if (!valid) return;
    const script = this.takeScript(ex);
    if (!(await this.prelude(ex, script))) return;
    if (script.httpError) return this.scriptedError(ex, script.httpError);
    const ctx: CallContext = { ex, script, plan: planOf(script), model: valid.model, body: valid.body };
    if (!(await ex.sleep(nonStreamWaitMs(script, ctx.plan)))) return;
    if (script.errorAfterTokens !== undefined) {
      return this.sendError(ex, 500, script.streamErrorMessage ?? this.defaultStreamError);
    }
    const requested = valid.body.dimensions;
    const dimensions = script.embeddingDimensions ?? (typeof requested === 'number' ? requested : undefined);
    const vectors = valid.texts.map((text) => fakeEmbedding(text, dimensions));
    const encoded = valid.base64 ? vectors.map(float32Base64) : vectors;
    return this.sendScripted(
      ex,
      script,
      'application/json',
      JSON.stringify(this.embeddingsResponse(ctx, encoded)),
    );
  }
}
