/**
 * The one catalogue of error codes (Fastify's lib/errors.js habit): a stable code, an HTTP status and a
 * default message. Routes and services throw `BastionError`; the error handler turns it into
 * `{ error: { code, message, statusCode } }`. Codes are part of the API: never rename one.
 */
export const ERROR_CATALOGUE = {
  BST_ERR_VALIDATION: { status: 400, message: 'The request is not valid.' },
  BST_ERR_BAD_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  BST_ERR_UNAUTHENTICATED: { status: 401, message: 'Sign in first.' },
  BST_ERR_LOGIN_FAILED: { status: 401, message: 'Invalid username or password.' },
  BST_ERR_ACCOUNT_DISABLED: { status: 403, message: 'This account is disabled. Ask an administrator to enable it.' },
  BST_ERR_CSRF: { status: 403, message: 'Missing or invalid CSRF token.' },
  BST_ERR_ORIGIN: { status: 403, message: 'Cross-origin request refused.' },
  BST_ERR_FORBIDDEN: { status: 403, message: 'You do not have access to this.' },
  BST_ERR_PASSWORD_CHANGE_REQUIRED: { status: 403, message: 'Set a new password before continuing.' },
  BST_ERR_NOT_FOUND: { status: 404, message: 'Not found.' },
  BST_ERR_UNKNOWN_HOST: { status: 421, message: 'This bastion does not answer to that host name.' },
  BST_ERR_CONFLICT: { status: 409, message: 'The resource already exists or is in use.' },
  BST_ERR_LAST_OWNER: { status: 409, message: 'This would remove the last Owner at scope "/".' },
  BST_ERR_LINK_INVALID: { status: 410, message: 'This link is no longer valid: it was revoked or has expired.' },
  BST_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  BST_ERR_LOGIN_RATE_LIMITED: { status: 429, message: 'Too many failed sign-in attempts.' },
  BST_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests: wait and try again.' },
  BST_ERR_INTERNAL: { status: 500, message: 'Internal error.' },
  BST_ERR_CONFIG: { status: 500, message: 'Invalid configuration.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class BastionError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Extra headers for the response (e.g. Retry-After). */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; headers?: Record<string, string> }) {
    super(message ?? ERROR_CATALOGUE[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BastionError';
    this.code = code;
    this.statusCode = ERROR_CATALOGUE[code].status;
    this.headers = options?.headers ?? {};
  }
}

export const validationError = (message: string): BastionError => new BastionError('BST_ERR_VALIDATION', message);
export const notFound = (what: string): BastionError => new BastionError('BST_ERR_NOT_FOUND', `${what} was not found.`);
export const conflict = (message: string): BastionError => new BastionError('BST_ERR_CONFLICT', message);
