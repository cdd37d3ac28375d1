import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createTestBastion, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * The HTTP surface every client sees first: health, the OpenAPI document, security headers, the error
 * shape, and robustness against hostile input. Identity and inventory flows live in auth.test.ts and
 * inventory.test.ts.
 */
let b: TestBastion;
let admin: Session;

beforeAll(async () => {
  b = await createTestBastion();
  admin = await signInAsReadyAdmin(b);
});
afterAll(async () => {
  await b?.dispose();
});

const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string; statusCode: number } }).error;
const healthy = async (): Promise<void> => {
  const res = await b.app.inject({ url: '/healthz' });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ status: 'ok' });
};

describe('health and API description', () => {
  it('answers /healthz and /readyz without signing in', async () => {
    await healthy();
    const ready = await b.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('publishes an OpenAPI document listing the identity and inventory routes', async () => {
    const res = await b.app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.paths);
    const has = (fragment: string, method?: string): void => {
      const hit = paths.filter((p) => p.includes(fragment));
      expect(hit, `no path containing ${fragment}`).not.toHaveLength(0);
      if (method) expect(hit.some((p) => method in doc.paths[p]!), `no ${method.toUpperCase()} on ${fragment}`).toBe(true);
    };
    has('/api/auth/login', 'post');
    has('/api/auth/me', 'get');
    has('/api/auth/logout', 'post');
    has('/api/auth/password', 'post');
    has('/api/users', 'get');
    has('/api/users', 'post');
    has('/api/groups', 'get');
    has('/api/audit', 'get');
    has('/api/subscriptions', 'get');
    has('/resourceGroups/', 'put');
    has('virtualMachines', 'put');
    has('virtualNetworks', 'put');
    has('/subnets/', 'put');
    has('networkInterfaces', 'put');
    has('bastionHosts', 'put');
    has('virtualNetworkPeerings', 'put');
    // Documented error shape and the cookie/CSRF security schemes.
    expect(JSON.stringify(doc)).toContain('bastion_session');
    expect(JSON.stringify(doc)).toContain('X-CSRF-Token');
  });
});

describe('security headers', () => {
  it('sends CSP, HSTS, X-Frame-Options and no-store on API answers, successful or not', async () => {
    const responses = [
      await as(b.app, admin, { url: '/api/auth/me' }),
      await b.app.inject({ url: '/api/users' }), // 401
      await b.app.inject({ url: '/api/no-such-route' }), // 404 whoever asks: an unmatched URL is no route to guard
      await b.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'x' }, remoteAddress: '10.0.0.77' }),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 401, 404, 401]);
    for (const res of responses) {
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('sends them on /healthz too', async () => {
    const res = await b.app.inject({ url: '/healthz' });
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['x-frame-options']).toBe('DENY');
  });
});

describe('error shape', () => {
  it('answers unknown routes with BST_ERR_NOT_FOUND (signed in) in the documented shape', async () => {
    const res = await as(b.app, admin, { url: '/api/no-such-route' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'BST_ERR_NOT_FOUND', message: expect.stringContaining('/api/no-such-route'), statusCode: 404 } });
    const page = await b.app.inject({ url: '/portal/vms' }); // no web client built in tests
    expect(page.statusCode).toBe(404);
    expect(errorOf(page).code).toBe('BST_ERR_NOT_FOUND');
  });

  it('answers a URL with broken percent-encoding with a 400 in the same shape, with the security headers', async () => {
    const res = await as(b.app, admin, { url: `/api/subscriptions/${b.subscriptionId}/resourceGroups/%E0%A4%A` });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toEqual({ code: 'BST_ERR_VALIDATION', message: expect.stringMatching(/URL/), statusCode: 400 });
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['x-frame-options']).toBe('DENY');
    await healthy();
  });

  it('answers a wrong subscription or an unknown resource type with 404 naming it', async () => {
    const sub = await as(b.app, admin, { url: '/api/subscriptions/not-mine/resourceGroups' });
    expect(sub.statusCode).toBe(404);
    expect(errorOf(sub).message).toContain('not-mine');
    const type = await as(b.app, admin, { url: `/api/subscriptions/${b.subscriptionId}/providers/Microsoft.Foo/bars` });
    expect(type.statusCode).toBe(404);
    expect(errorOf(type).message).toContain('Microsoft.Foo/bars');
  });
});

describe('hostile input', () => {
  const big = JSON.stringify({ username: 'admin', password: 'x'.repeat(1024 * 1024) });

  it('refuses a 1 MB body with 413 BST_ERR_PAYLOAD_TOO_LARGE, signed in or not, and keeps answering', async () => {
    const anonymous = await b.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: big, remoteAddress: '10.0.0.78' });
    expect(anonymous.statusCode).toBe(413);
    expect(errorOf(anonymous)).toEqual({ code: 'BST_ERR_PAYLOAD_TOO_LARGE', message: 'The request body is too large.', statusCode: 413 });
    const signedIn = await as(b.app, admin, {
      method: 'PUT',
      url: `/api/subscriptions/${b.subscriptionId}/resourceGroups/rg-big`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ tags: { a: 'x'.repeat(1024 * 1024) } }),
    });
    expect(signedIn.statusCode).toBe(413);
    expect(errorOf(signedIn).code).toBe('BST_ERR_PAYLOAD_TOO_LARGE');
    await healthy();
  });

  it('refuses a very long username with 400 before any password work, and keeps answering', async () => {
    const res = await b.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'u'.repeat(100_000), password: 'whatever' }, remoteAddress: '10.0.0.79' });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe('BST_ERR_VALIDATION');
    // The portal shows this text as is: words, not Ajv's "body.username must NOT have more than 128 characters".
    expect(errorOf(res).message).toBe('User names are at most 128 characters.');
    await healthy();
  });

  it('refuses bodies of the wrong shape or type with 400 naming the problem', async () => {
    const login = (payload: string, contentType = 'application/json') =>
      b.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': contentType }, payload, remoteAddress: '10.0.0.80' });
    const notJson = await login('{"username": "admin", ');
    expect(notJson.statusCode).toBe(400);
    expect(errorOf(notJson).code).toBe('BST_ERR_BAD_JSON');
    const array = await login('[1,2,3]');
    expect(array.statusCode).toBe(400);
    expect(errorOf(array).code).toBe('BST_ERR_VALIDATION');
    const extra = await login(JSON.stringify({ username: 'admin', password: 'x', isAdmin: true }));
    expect(extra.statusCode).toBe(400);
    expect(errorOf(extra).message).toContain('isAdmin');
    const wrongType = await login(JSON.stringify({ username: { $ne: null }, password: 'x' }));
    expect(wrongType.statusCode).toBe(400);
    expect(errorOf(wrongType).message).toBe('User name must be text.');
    const text = await login('username=admin&password=x', 'application/x-www-form-urlencoded');
    expect(text.statusCode).toBeGreaterThanOrEqual(400);
    expect(text.statusCode).toBeLessThan(500);
    expect(errorOf(text).code).toBe('BST_ERR_VALIDATION');
    await healthy();
  });

  it('ignores a garbage or oversized session cookie (401, not 500)', async () => {
    for (const cookie of ['garbage', 'x'.repeat(4096), '%%%']) {
      const res = await b.app.inject({ url: '/api/auth/me', cookies: { bastion_session: cookie } });
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).code).toBe('BST_ERR_UNAUTHENTICATED');
    }
  });

  it('refuses out-of-range query values with 400', async () => {
    const res = await as(b.app, admin, { url: '/api/audit?limit=100000' });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toMatch(/limit/);
  });
});
