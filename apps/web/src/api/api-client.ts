import {
  type AuthResponse,
  authResponseSchema,
  type AuthSessionList,
  authSessionListSchema,
  type ChangePasswordBody,
  type DeleteAccountBody,
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
  /** The refresh cookie bought a new access token (the caller keeps it, in memory only). */
  onRenewed?: (answer: AuthResponse) => void;
  /** A 401 on a call that carried a token, and the refresh cookie could not renew it: the session is over. */
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
  /** The refresh in flight: every call that needs one waits for the same. */
  private renewal: Promise<AuthResponse | null> | null = null;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl ?? '';
    // Looked up at each call (not bound once), so a test can replace the global.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  register(body: RegisterBody): Promise<AuthResponse> {
    return this.signIn('/api/auth/register', body);
  }

  login(body: LoginBody): Promise<AuthResponse> {
    return this.signIn('/api/auth/login', body);
  }

  /**
   * Trades the refresh cookie (HttpOnly: this code never sees it) for a new access token; null when
   * there is no session. One at a time in this tab, and across tabs through a Web Lock: the cookie is
   * good for one use, and two tabs spending it at once would end the session.
   */
  renewSession(): Promise<AuthResponse | null> {
    this.renewal ??= this.withRefreshLock(async () => {
      try {
        const answer = await this.signIn('/api/auth/refresh', undefined);
        this.options.onRenewed?.(answer);
        return answer;
      } catch (error) {
        if (error instanceof ApiError && error.code === 'unauthorized') return null;
        throw error;
      }
    }).finally(() => (this.renewal = null));
    return this.renewal;
  }

  /**
   * Ends this session on the server (its refresh cookie is cleared). An access token that ran out
   * (a laptop back from sleep) is renewed once for the purpose, without handing the new one to the
   * app: signing out must never sign the user back in, nor leave the cookie able to.
   */
  async logout(): Promise<void> {
    const logout = (token: string | null) => this.send(null, '/api/auth/logout', { method: 'POST' }, token);
    try {
      await logout(this.options.getToken());
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'unauthorized') throw error;
      const renewed = await this.withRefreshLock(() => this.signIn('/api/auth/refresh', undefined)).catch(
        () => null,
      );
      if (renewed !== null) await logout(renewed.accessToken);
    }
  }

  /** Every other session ends; this one goes on. */
  async changePassword(body: ChangePasswordBody): Promise<void> {
    await this.request(null, '/api/auth/password', { method: 'POST', body });
  }

  listSessions(signal?: AbortSignal): Promise<AuthSessionList> {
    return this.request(authSessionListSchema, '/api/auth/sessions', { signal });
  }

  async endSession(id: string): Promise<void> {
    await this.request(null, `/api/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  /** The account and all its data, for good. */
  async deleteAccount(body: DeleteAccountBody): Promise<void> {
    await this.request(null, '/api/auth/me', { method: 'DELETE', body });
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
  sendMessage(
    conversationId: string,
    body: SendMessageBody,
    options: SendOptions = {},
  ): Promise<ChatStreamResult> {
    return this.authorized((token) =>
      streamChat({
        url: `${this.baseUrl}/api/conversations/${encodeURIComponent(conversationId)}/messages`,
        body,
        token,
        fetch: this.fetchImpl,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
        ...(options.lastEventId === undefined ? {} : { lastEventId: options.lastEventId }),
      }),
    );
  }

  private async request<S extends z.ZodType>(
    schema: S,
    path: string,
    options?: RequestOptions,
  ): Promise<z.output<S>>;
  private async request(schema: null, path: string, options?: RequestOptions): Promise<undefined>;
  private request(schema: z.ZodType | null, path: string, options: RequestOptions = {}): Promise<unknown> {
    return this.authorized((token) => this.send(schema, path, options, token));
  }

  /**
   * Runs a call with the current access token. An expired or ended token (401 on a call that carried
   * one) is renewed once through the refresh cookie and the call sent again; when that fails too, the
   * session is over (`onUnauthorized`). A 401 without a token (a wrong password) is just an error.
   */
  private async authorized<T>(call: (token: string | null) => Promise<T>): Promise<T> {
    const token = this.options.getToken();
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'unauthorized' || token === null) throw error;
      const renewed = await this.renewSession().catch(() => null);
      if (renewed === null) {
        this.options.onUnauthorized?.(error);
        throw error;
      }
      return call(renewed.accessToken);
    }
  }

  /** The routes that answer a session: no bearer token, and a 401 is their answer, not an expiry. */
  private async signIn(path: string, body: unknown): Promise<AuthResponse> {
    const options: RequestOptions = { method: 'POST', ...(body === undefined ? {} : { body }) };
    return (await this.send(authResponseSchema, path, options, null)) as AuthResponse;
  }

  private async withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
    const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
    return locks === undefined ? work() : locks.request('sluice.refresh', work);
  }

  private async send(
    schema: z.ZodType | null,
    path: string,
    options: RequestOptions,
    token: string | null,
  ): Promise<unknown> {
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

    if (!response.ok) throw await ApiError.fromResponse(response);
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
}
