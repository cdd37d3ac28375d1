import { describe, expect, it } from 'vitest';
import { ApiError, CLIENT_ERROR_CODES, apiErrorFrom, isApiErrorBody, parseRetryAfter, userMessage } from './api-error.js';

describe('isApiErrorBody', () => {
  it('accepts the contract shape, with or without statusCode', () => {
    expect(isApiErrorBody({ error: { code: 'BST_ERR_CSRF', message: 'Missing or invalid CSRF token.', statusCode: 403 } })).toBe(true);
    expect(isApiErrorBody({ error: { code: 'BST_ERR_CSRF', message: 'x' } })).toBe(true);
  });

  it.each([null, 'text', {}, { error: null }, { error: { code: 1, message: 'x' } }, { error: { code: 'X', message: '' } }, { message: 'x' }])(
    'rejects %j',
    (body) => expect(isApiErrorBody(body)).toBe(false),
  );
});

describe('apiErrorFrom', () => {
  it('uses the server code and message', () => {
    const e = apiErrorFrom(400, JSON.stringify({ error: { code: 'BST_ERR_VALIDATION', message: 'username is required', statusCode: 400 } }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 400, code: 'BST_ERR_VALIDATION', message: 'username is required', retryAfterSeconds: undefined });
  });

  it('copes with empty and non-JSON bodies', () => {
    expect(apiErrorFrom(404, '')).toMatchObject({ code: CLIENT_ERROR_CODES.http, message: 'Not found.' });
    expect(apiErrorFrom(500, 'oops').message).toBe('The request failed (HTTP 500).');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120')).toBe(120);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('userMessage', () => {
  it('shows ApiError messages and hides anything else', () => {
    expect(userMessage(new ApiError(429, 'BST_ERR_LOGIN_RATE_LIMITED', 'Wait 15 minutes.'))).toBe('Wait 15 minutes.');
    expect(userMessage(new Error('stack-ish internals'))).not.toContain('internals');
  });
});
