import { apiErrorFromResponse, networkError, type ApiError } from './api-error.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Methods that change state and so must carry the CSRF token. */
const STATE_CHANGING: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const CSRF_HEADER = 'X-CSRF-Token';

export interface ApiClientOptions {
  /** Defaults to the global `fetch` (looked up on each call, so tests can stub it). */
  fetch?: typeof fetch;
  /** Prefix for every path; '' (same origin) by default. */
  baseUrl?: string;
  /** Called when a request outside `/api/auth/` answers 401: the session has ended. */
  onUnauthenticated?: (error: ApiError) => void;
}

/**
 * Thin JSON-over-fetch client for the Bastion API. It sends the session cookie (same origin only),
 * remembers the CSRF token the server hands out at sign-in and sends it on every state-changing
 * request, and turns failures into `ApiError` whose message can be shown to users.
 */
export class ApiClient {
  #csrfToken: string | null = null;
  readonly #options: ApiClientOptions;

  constructor(options: ApiClientOptions = {}) {
    this.#options = options;
  }

  get csrfToken(): string | null {
    return this.#csrfToken;
  }

  /** Set from the `csrfToken` of `/api/auth/me` or `/api/auth/login`; null after sign-out. */
  setCsrfToken(token: string | null): void {
    this.#csrfToken = token;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T = void>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  delete<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** Sends one request; resolves with the parsed JSON body (undefined for 204 or an empty body). */
  async request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    // No Content-Type without a body: Fastify refuses an empty body declared as JSON.
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (STATE_CHANGING.has(method) && this.#csrfToken !== null) headers[CSRF_HEADER] = this.#csrfToken;

    const doFetch = this.#options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await doFetch(`${this.#options.baseUrl ?? ''}${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (cause) {
      throw networkError(cause);
    }

    if (!response.ok) {
      const error = await apiErrorFromResponse(response);
      if (error.status === 401 && !path.startsWith('/api/auth/')) this.#options.onUnauthenticated?.(error);
      throw error;
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}
