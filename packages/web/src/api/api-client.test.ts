import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, CSRF_HEADER } from './api-client.js';
import { ApiError, CLIENT_ERROR_CODES } from './api-error.js';
import { bastionApi } from './bastion-api.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

/** Stubs the global fetch; returns the mock so calls can be inspected. */
function stubFetch(...responses: Array<Response | Error>) {
  const mock = vi.fn<typeof fetch>();
  for (const r of responses) {
    if (r instanceof Error) mock.mockRejectedValueOnce(r);
    else mock.mockResolvedValueOnce(r);
  }
  vi.stubGlobal('fetch', mock);
  return mock;
}

const sentHeaders = (mock: ReturnType<typeof stubFetch>, call = 0): Record<string, string> =>
  (mock.mock.calls[call]?.[1]?.headers ?? {}) as Record<string, string>;

const SESSION = {
  user: { id: 'u1', username: 'admin', displayName: 'Admin', isAdmin: true, mustChangePassword: false, groups: [] },
  csrfToken: 'tok-123',
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('ApiClient: CSRF token', () => {
  it('keeps the token from /api/auth/me and sends it on POST, PUT, PATCH and DELETE', async () => {
    const mock = stubFetch(json(200, SESSION), new Response(null, { status: 204 }), json(200, {}), json(200, {}), new Response(null, { status: 204 }));
    const api = bastionApi(new ApiClient());
    await api.me();
    await api.client.post('/api/things', { a: 1 });
    await api.client.put('/api/things/x', { a: 2 });
    await api.client.patch('/api/things/x', { a: 3 });
    await api.client.delete('/api/things/x');
    expect(sentHeaders(mock, 0)[CSRF_HEADER]).toBeUndefined();
    for (const call of [1, 2, 3, 4]) expect(sentHeaders(mock, call)[CSRF_HEADER]).toBe('tok-123');
  });

  it('keeps the token from login and does not send it on GET', async () => {
    const mock = stubFetch(json(200, SESSION), json(200, { value: [] }));
    const api = bastionApi(new ApiClient());
    await api.login({ username: 'admin', password: 'pw' });
    await api.users();
    expect(api.client.csrfToken).toBe('tok-123');
    expect(sentHeaders(mock, 1)[CSRF_HEADER]).toBeUndefined();
  });

  it('forgets the token after sign-out, even when the server call fails', async () => {
    stubFetch(json(200, SESSION), json(500, { error: { code: 'BST_ERR_INTERNAL', message: 'Internal error.', statusCode: 500 } }));
    const api = bastionApi(new ApiClient());
    await api.me();
    await expect(api.logout()).rejects.toBeInstanceOf(ApiError);
    expect(api.client.csrfToken).toBeNull();
  });

  it('sends cookies same-origin only, JSON bodies with a content type, and no content type without a body', async () => {
    const mock = stubFetch(new Response(null, { status: 204 }), new Response(null, { status: 204 }));
    const client = new ApiClient();
    await client.post('/api/auth/password', { currentPassword: 'a', newPassword: 'b' });
    await client.post('/api/auth/logout');
    const [url, init] = mock.mock.calls[0]!;
    expect(url).toBe('/api/auth/password');
    expect(init?.credentials).toBe('same-origin');
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe('{"currentPassword":"a","newPassword":"b"}');
    expect(sentHeaders(mock, 0)['Content-Type']).toBe('application/json');
    expect(mock.mock.calls[1]?.[1]?.body).toBeUndefined();
    expect(sentHeaders(mock, 1)['Content-Type']).toBeUndefined();
  });
});

describe('ApiClient: errors', () => {
  it("turns the contract's error body into an ApiError carrying the server's message", async () => {
    stubFetch(json(401, { error: { code: 'BST_ERR_LOGIN_FAILED', message: 'Invalid username or password.', statusCode: 401 } }));
    const error = await bastionApi(new ApiClient()).login({ username: 'a', password: 'b' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: 'BST_ERR_LOGIN_FAILED', message: 'Invalid username or password.' });
  });

  it('reads Retry-After on 429', async () => {
    const body = { error: { code: 'BST_ERR_LOGIN_RATE_LIMITED', message: 'Too many failed sign-in attempts. Try again in 15 minutes.', statusCode: 429 } };
    stubFetch(json(429, body, { 'Retry-After': '900' }));
    const error = await new ApiClient().post('/api/auth/login', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, code: 'BST_ERR_LOGIN_RATE_LIMITED', retryAfterSeconds: 900 });
    expect((error as Error).message).toContain('15 minutes');
  });

  it('falls back to a plain message when the body is not the error shape', async () => {
    stubFetch(new Response('<html>Bad gateway</html>', { status: 502 }));
    const error = await new ApiClient().get('/api/users').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: CLIENT_ERROR_CODES.http });
    expect((error as Error).message).toMatch(/not reachable.*502/);
  });

  it('reports a network failure as status 0', async () => {
    stubFetch(new TypeError('Failed to fetch'));
    const error = await new ApiClient().get('/api/users').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: CLIENT_ERROR_CODES.network });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it('tells the owner when a session has ended, but not for /api/auth/* answers', async () => {
    const unauth = () => json(401, { error: { code: 'BST_ERR_UNAUTHENTICATED', message: 'Sign in first.', statusCode: 401 } });
    stubFetch(unauth(), unauth());
    const onUnauthenticated = vi.fn();
    const client = new ApiClient({ onUnauthenticated });
    await expect(client.get('/api/auth/me')).rejects.toThrow('Sign in first.');
    expect(onUnauthenticated).not.toHaveBeenCalled();
    await expect(client.get('/api/users')).rejects.toThrow('Sign in first.');
    expect(onUnauthenticated).toHaveBeenCalledOnce();
  });
});

describe('bastionApi lists', () => {
  it('unwraps { value } and builds the ARM paths', async () => {
    const mock = stubFetch(json(200, { value: [{ subscriptionId: 's 1', displayName: 'Bastion' }] }), json(200, { value: [] }));
    const api = bastionApi(new ApiClient());
    expect(await api.subscriptions()).toEqual([{ subscriptionId: 's 1', displayName: 'Bastion' }]);
    expect(await api.virtualMachines('s 1')).toEqual([]);
    expect(mock.mock.calls[1]?.[0]).toBe('/api/subscriptions/s%201/providers/Microsoft.Compute/virtualMachines');
  });
});
