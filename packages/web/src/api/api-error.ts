import type { ApiErrorBody } from '../../../protocol/src/api-types.js';
import { shortenIds } from '../format/resource-ids.js';

/** Codes the client makes up itself when the server's answer carries none. */
export const CLIENT_ERROR_CODES = {
  network: 'BST_CLIENT_NETWORK',
  http: 'BST_CLIENT_HTTP',
} as const;

/**
 * A failed API call. `message` is meant for users: it is the server's own message when the body has the
 * contract's `{ error: { code, message } }` shape, otherwise a plain description of what went wrong.
 */
export class ApiError extends Error {
  /** HTTP status; 0 when no answer arrived at all. */
  readonly status: number;
  /** `BST_ERR_*` from the server, or one of `CLIENT_ERROR_CODES`. */
  readonly code: string;
  /** From `Retry-After` (seconds), when the server sent one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: string, message: string, options?: { retryAfterSeconds?: number | undefined; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

export const isApiError = (value: unknown): value is ApiError => value instanceof ApiError;

/** True when `value` has the contract's error shape (extra fields are allowed). */
export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && code !== '' && typeof message === 'string' && message !== '';
}

/** What to tell users when the body is not the contract's error shape (a proxy's HTML page, an empty body). */
export function fallbackMessage(status: number): string {
  if (status === 502 || status === 503 || status === 504) return `The Bastion server is not reachable right now (HTTP ${status}). Try again in a moment.`;
  if (status === 401) return 'Sign in first.';
  if (status === 403) return 'You do not have access to this.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  return `The request failed (HTTP ${status}).`;
}

/** Seconds from a `Retry-After` header (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Builds the ApiError for a non-2xx response from its status, headers and body text. */
export function apiErrorFrom(status: number, bodyText: string, retryAfterHeader: string | null = null): ApiError {
  const retryAfterSeconds = parseRetryAfter(retryAfterHeader);
  let body: unknown;
  try {
    body = bodyText === '' ? undefined : JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  if (isApiErrorBody(body)) return new ApiError(status, body.error.code, body.error.message, { retryAfterSeconds });
  return new ApiError(status, CLIENT_ERROR_CODES.http, fallbackMessage(status), { retryAfterSeconds });
}

/** Reads a failed `Response` into an ApiError (never throws). */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The body could not be read; the status alone will do.
  }
  return apiErrorFrom(response.status, text, response.headers.get('Retry-After'));
}

/** The error for a request that got no answer (offline, DNS, TLS, server down). */
export const networkError = (cause: unknown): ApiError =>
  new ApiError(0, CLIENT_ERROR_CODES.network, 'Could not reach the Bastion server. Check your connection and try again.', { cause });

/** A message fit for users from anything thrown. */
export const userMessage = (error: unknown): string =>
  // Resource IDs in the server's text become names ("virtualMachines/web01"): people read those.
  error instanceof ApiError ? shortenIds(error.message) : 'Something went wrong. Reload the page and try again.';
