import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createTestBastion, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Regression (HTTP fuzz, issue #12): a plain GET on a WebSocket route that passed every check answered a
 * bare 404 without a body; it now answers the catalogue's error shape, and the routes stay out of OpenAPI.
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

describe('a WebSocket route asked without an upgrade', () => {
  it('answers 404 BST_ERR_NOT_FOUND in the JSON error shape, naming the WebSocket endpoint', async () => {
    const bearer = (await b.app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username: 'admin', password: 'Admin-Test-Pass-1' }, remoteAddress: '127.0.0.249' })).json() as { token: string };
    for (const url of ['/api/ssh/connect', '/api/ssh/connect-ip?ticket=x']) {
      const res = await b.app.inject({ url, headers: { authorization: `Bearer ${bearer.token}`, origin: 'https://localhost:80' } });
      expect({ status: res.statusCode, body: res.json() }, url).toEqual({ status: 404, body: { error: { code: 'BST_ERR_NOT_FOUND', message: expect.stringContaining('WebSocket endpoint'), statusCode: 404 } } });
    }
    const viaCookie = await as(b.app, admin, { url: '/api/rdp/relay', headers: { origin: 'https://localhost:80' } });
    expect({ status: viaCookie.statusCode, code: (viaCookie.json() as { error: { code: string } }).error.code }).toEqual({ status: 404, code: 'BST_ERR_NOT_FOUND' });
  });

  it('answers HEAD with a status and no body, as before', async () => {
    const res = await b.app.inject({ method: 'HEAD', url: '/api/ssh/connect' });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).toBe('');
  });

  it('keeps the WebSocket routes out of the OpenAPI document', async () => {
    const doc = (await b.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    for (const path of ['/api/ssh/connect', '/api/ssh/connect-ip', '/api/rdp/relay', '/api/tunnel', '/api/share/connect']) expect(Object.keys(doc.paths)).not.toContain(path);
  });
});
