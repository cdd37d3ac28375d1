import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBastion, type Bastion } from '../bastion.js';
import { DEFAULT_CONFIG, validateConfig } from '../config/index.js';
import { as, signInAsReadyAdmin, type Session } from './test-app.js';

/**
 * Issue #12: every answer, whatever produced it (a route, the error handler, the router's own errors,
 * the static files of the portal, a refused WebSocket upgrade), carries helmet-level security headers.
 */
const EXPECTED: Record<string, string | RegExp> = {
  'strict-transport-security': /^max-age=\d{8,}/,
  'content-security-policy': /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; .*object-src 'none'.*frame-ancestors 'none'/,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
};
const DENIED_FEATURES = ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'serial', 'hid', 'display-capture'];

let parent = '';
let b: Bastion;
let admin: Session;

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), 'bastion-headers-'));
  // A stand-in for the built portal, so that its static files and deep links are served.
  const web = join(parent, 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Bastion</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(web, 'assets', 'app.js'), 'console.log("portal");');
  const config = validateConfig({ ...structuredClone(DEFAULT_CONFIG), dataDir: join(parent, 'data') }, 'test configuration');
  b = await createBastion(config, { logger: false, webRoot: web });
  admin = await signInAsReadyAdmin(b);
});
afterAll(async () => {
  await b?.close();
  if (parent) rmSync(parent, { recursive: true, force: true });
});

type Headers = Record<string, string | string[] | number | undefined>;
const expectSecurityHeaders = (what: string, headers: Headers): void => {
  for (const [name, value] of Object.entries(EXPECTED)) {
    const got = headers[name];
    if (typeof value === 'string') expect(got, `${what}: ${name}`).toBe(value);
    else expect(String(got), `${what}: ${name}`).toMatch(value);
  }
  const policy = String(headers['permissions-policy']);
  for (const feature of DENIED_FEATURES) expect(policy, `${what}: Permissions-Policy ${feature}`).toContain(`${feature}=()`);
  // The SSH and RDP clients copy and paste, and the desktop goes fullscreen: for this origin only.
  for (const feature of ['clipboard-read', 'clipboard-write', 'fullscreen']) expect(policy, `${what}: Permissions-Policy ${feature}`).toContain(`${feature}=(self)`);
};

describe('security headers', () => {
  it('are on API answers, errors of every origin, and 404s', async () => {
    const answers = {
      'API JSON': await as(b.app, admin, { url: '/api/auth/me' }),
      'unauthenticated': await b.app.inject({ url: '/api/users' }),
      'validation error': await as(b.app, admin, { method: 'POST', url: '/api/users', payload: { username: 'x' } }),
      'API 404': await b.app.inject({ url: '/api/no-such-route' }),
      'router error (bad percent-encoding)': await b.app.inject({ url: '/api/users/%E0%A4%A' }),
      'health check': await b.app.inject({ url: '/healthz' }),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.statusCode]))).toEqual({ 'API JSON': 200, 'unauthenticated': 401, 'validation error': 400, 'API 404': 404, 'router error (bad percent-encoding)': 400, 'health check': 200 });
    for (const [what, res] of Object.entries(answers)) expectSecurityHeaders(what, res.headers);
  });

  it('are on the portal: its page, its static files, its deep links', async () => {
    const answers = {
      'portal /': await b.app.inject({ url: '/' }),
      'static file': await b.app.inject({ url: '/assets/app.js' }),
      'deep link': await b.app.inject({ url: '/portal/vms' }),
    };
    expect(Object.values(answers).map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(answers['static file'].body).toContain('portal');
    for (const [what, res] of Object.entries(answers)) expectSecurityHeaders(what, res.headers);
  });

  it('are on a refused WebSocket upgrade (a foreign Origin), over a real loopback socket', async () => {
    await b.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (b.app.server.address() as { port: number }).port;
    const answer = await new Promise<{ status: number; headers: Headers }>((resolve, reject) => {
      const req = httpsRequest({
        host: '127.0.0.1',
        port,
        path: '/api/rdp/relay',
        // The test's own self-signed certificate, on loopback.
        rejectUnauthorized: false,
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'), origin: 'https://evil.example', cookie: `bastion_session=${admin.cookie}` },
      });
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      });
      req.on('upgrade', (_res, socket) => {
        socket.destroy();
        reject(new Error('the upgrade from a foreign origin was accepted'));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(403);
    expectSecurityHeaders('WebSocket refusal', answer.headers);
  });
});
