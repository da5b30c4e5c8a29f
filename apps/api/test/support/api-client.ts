import { randomBytes } from 'node:crypto';
import type { AuthResponse, ErrorResponse } from '@sluice/contracts';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

let counter = 0;

/** A tiny JSON client over real HTTP (global fetch). */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  withToken(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      headers: response.headers,
      body: (type.includes('json') && text !== '' ? JSON.parse(text) : text) as T,
    };
  }

  get<T = unknown>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }
  patch<T = unknown>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = unknown>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}@example.com`;
}

/** Random, so it passes the strength rule (and no test depends on a guessable literal). */
export const PASSWORD = strongPassword();

/** A fresh password the sign-up rule accepts: 12 random bytes, base64url (96 bits). */
export function strongPassword(): string {
  return `pw-${randomBytes(12).toString('base64url')}`;
}

/** Registers a new user and returns a client that carries its token. */
export async function registerUser(
  baseUrl: string,
  email = uniqueEmail(),
): Promise<{ api: ApiClient; auth: AuthResponse }> {
  const response = await new ApiClient(baseUrl).post<AuthResponse>('/api/auth/register', {
    email,
    password: PASSWORD,
  });
  if (response.status !== 201)
    throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { api: new ApiClient(baseUrl, response.body.accessToken), auth: response.body };
}

/** Asserts the one error shape and returns it. */
export function expectError(
  response: ApiResponse,
  status: number,
  code: ErrorResponse['error']['code'],
): ErrorResponse['error'] {
  const body = response.body as ErrorResponse;
  if (response.status !== status || body?.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${response.status} ${JSON.stringify(response.body)}`);
  }
  if (typeof body.requestId !== 'string' || body.requestId === '')
    throw new Error('the error has no requestId');
  return body.error;
}
