import {
  type AuthResponse,
  authResponseSchema,
  type Conversation,
  type ConversationPage,
  conversationPageSchema,
  conversationSchema,
  type CreateConversationBody,
  type LoginBody,
  type Message,
  messageListSchema,
  type ModelList,
  modelListSchema,
  type RegisterBody,
  type SendMessageBody,
  type UpdateConversationBody,
  type UsageQuery,
  type UsageReport,
  usageReportSchema,
  type User,
  userSchema,
} from '@sluice/contracts';
import type { z } from 'zod';
import { type ChatStreamResult, type FetchLike, type StreamedEvent, streamChat } from '../stream/chat-stream';
import { ApiError, isAbortError } from './api-error';

export interface ApiClientOptions {
  /** Prefix of every route; empty when the API serves the app (the same origin). */
  baseUrl?: string;
  /** The current access token, read at each call. */
  getToken: () => string | null;
  /** A 401 on a call that carried a token: the session is over. */
  onUnauthorized?: (error: ApiError) => void;
  fetch?: FetchLike;
}

export interface SendOptions {
  signal?: AbortSignal;
  onEvent?: (event: StreamedEvent) => void;
  lastEventId?: string;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal | undefined;
}

/** The one typed client of the API: every route the app uses, answers checked against the contracts. */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl ?? '';
    // Looked up at each call (not bound once), so a test can replace the global.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  register(body: RegisterBody): Promise<AuthResponse> {
    return this.request(authResponseSchema, '/api/auth/register', { method: 'POST', body });
  }

  login(body: LoginBody): Promise<AuthResponse> {
    return this.request(authResponseSchema, '/api/auth/login', { method: 'POST', body });
  }

  me(signal?: AbortSignal): Promise<User> {
    return this.request(userSchema, '/api/auth/me', { signal });
  }

  listConversations(
    page: { cursor?: string; limit?: number } = {},
    signal?: AbortSignal,
  ): Promise<ConversationPage> {
    return this.request(conversationPageSchema, '/api/conversations', {
      query: { cursor: page.cursor, limit: page.limit },
      signal,
    });
  }

  createConversation(body: CreateConversationBody = {}): Promise<Conversation> {
    return this.request(conversationSchema, '/api/conversations', { method: 'POST', body });
  }

  getConversation(id: string, signal?: AbortSignal): Promise<Conversation> {
    return this.request(conversationSchema, `/api/conversations/${encodeURIComponent(id)}`, { signal });
  }

  updateConversation(id: string, body: UpdateConversationBody): Promise<Conversation> {
    return this.request(conversationSchema, `/api/conversations/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body,
    });
  }

  async deleteConversation(id: string): Promise<void> {
    await this.request(null, `/api/conversations/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  async listMessages(conversationId: string, signal?: AbortSignal): Promise<Message[]> {
    const list = await this.request(
      messageListSchema,
      `/api/conversations/${encodeURIComponent(conversationId)}/messages`,
      { signal },
    );
    return list.items;
  }

  listModels(signal?: AbortSignal): Promise<ModelList> {
    return this.request(modelListSchema, '/api/models', { signal });
  }

  usage(query: UsageQuery = {}, signal?: AbortSignal): Promise<UsageReport> {
    return this.request(usageReportSchema, '/api/usage', {
      query: { from: query.from, to: query.to },
      signal,
    });
  }

  /** Sends a message and streams the answer; see `streamChat` for how it ends. */
  async sendMessage(
    conversationId: string,
    body: SendMessageBody,
    options: SendOptions = {},
  ): Promise<ChatStreamResult> {
    const token = this.options.getToken();
    try {
      return await streamChat({
        url: `${this.baseUrl}/api/conversations/${encodeURIComponent(conversationId)}/messages`,
        body,
        token,
        fetch: this.fetchImpl,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
        ...(options.lastEventId === undefined ? {} : { lastEventId: options.lastEventId }),
      });
    } catch (error) {
      if (error instanceof ApiError) this.noticeUnauthorized(error, token);
      throw error;
    }
  }

  private async request<S extends z.ZodType>(
    schema: S,
    path: string,
    options?: RequestOptions,
  ): Promise<z.output<S>>;
  private async request(schema: null, path: string, options?: RequestOptions): Promise<undefined>;
  private async request(
    schema: z.ZodType | null,
    path: string,
    options: RequestOptions = {},
  ): Promise<unknown> {
    const token = this.options.getToken();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, options.query), {
        method: options.method ?? 'GET',
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        cache: 'no-store',
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw ApiError.network(error);
    }

    if (!response.ok) {
      const error = await ApiError.fromResponse(response);
      this.noticeUnauthorized(error, token);
      throw error;
    }
    if (schema === null) return undefined;

    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new ApiError('bad_response', `${path} answered something that is not JSON`, { cause: error });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ApiError('bad_response', `${path} answered an unexpected shape: ${parsed.error.message}`, {
        status: response.status,
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  private url(path: string, query: RequestOptions['query']): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  private noticeUnauthorized(error: ApiError, tokenSent: string | null): void {
    // A wrong password on the sign-in form is a 401 too; only a rejected token ends the session.
    if (error.code === 'unauthorized' && tokenSent !== null) this.options.onUnauthorized?.(error);
  }
}
