import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import { createBastion, type Bastion } from '../bastion.js';
import { DEFAULT_CONFIG, validateConfig, type BastionConfig } from '../config/index.js';

/**
 * Test helper (not used by the server): a Bastion on a fresh temporary data folder (SQLite + generated
 * TLS material), driven with `app.inject()` — no sockets. `overrides` are merged over the defaults one
 * level deep (`security`, `server`, … are replaced per key).
 */
export interface TestBastion extends Bastion {
  dataDir: string;
  /**
   * Every route the app registered (one entry per method; HEAD routes Fastify adds for GET included),
   * recorded by an onRoute hook attached when the Fastify instance is created, before any route exists.
   */
  routes: RouteOptions[];
  /** Closes the app and the store, then removes the temporary folder. */
  dispose(): Promise<void>;
}

export async function createTestBastion(overrides: Partial<BastionConfig> = {}, opts: { logger?: object; webRoot?: string } = {}): Promise<TestBastion> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bastion-http-'));
  const config = validateConfig({ ...structuredClone(DEFAULT_CONFIG), ...structuredClone(overrides), dataDir }, 'test configuration');
  // Fastify announces each new instance on this channel before anything is registered on it.
  const routes: RouteOptions[] = [];
  const onInstance = (message: unknown): void => {
    (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ ...route, method });
    });
  };
  subscribe('fastify.initialization', onInstance);
  let bastion: Bastion;
  try {
    // webRoot: a folder without index.html, so the tests never depend on a built web client.
    bastion = await createBastion(config, { logger: opts.logger ?? false, webRoot: opts.webRoot ?? join(dataDir, 'no-web') });
  } finally {
    unsubscribe('fastify.initialization', onInstance);
  }
  return {
    ...bastion,
    dataDir,
    routes,
    dispose: async () => {
      await bastion.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A signed-in browser: the session cookie and the CSRF token sent back on state-changing requests. */
export interface Session {
  cookie: string;
  csrfToken: string;
  username: string;
}

/** The value of the bastion_session cookie set by a response (undefined when none was set). */
export function sessionCookieOf(res: LightMyRequestResponse): string | undefined {
  return res.cookies.find((c) => c.name === 'bastion_session')?.value;
}

/** Signs in; throws with the response body when the sign-in does not answer 200. */
export async function signIn(app: FastifyInstance, username: string, password: string, extra: Partial<InjectOptions> = {}): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, ...extra });
  if (res.statusCode !== 200) throw new Error(`sign-in as ${username} answered ${res.statusCode}: ${res.body}`);
  const cookie = sessionCookieOf(res);
  if (!cookie) throw new Error(`sign-in as ${username} set no session cookie`);
  return { cookie, csrfToken: (res.json() as { csrfToken: string }).csrfToken, username };
}

/** inject() as a signed-in user: the cookie always, X-CSRF-Token on every request (harmless on GET). */
export function as(app: FastifyInstance, session: Session, opts: InjectOptions): Promise<LightMyRequestResponse> {
  return app.inject({
    ...opts,
    cookies: { bastion_session: session.cookie, ...(opts.cookies ?? {}) },
    headers: { 'x-csrf-token': session.csrfToken, ...(opts.headers ?? {}) },
  });
}

/** The new password the first admin sets in the tests. */
export const ADMIN_PASSWORD = 'Admin-Test-Pass-1';

/** Signs in as the first admin and replaces the one-time password: an administrator ready to work. */
export async function signInAsReadyAdmin(bastion: Bastion): Promise<Session> {
  const first = bastion.firstAdmin;
  if (!first) throw new Error('this data folder has no first admin one-time password');
  const session = await signIn(bastion.app, first.username, first.password, { remoteAddress: '127.0.0.250' });
  const res = await as(bastion.app, session, { method: 'POST', url: '/api/auth/password', payload: { currentPassword: first.password, newPassword: ADMIN_PASSWORD } });
  if (res.statusCode !== 204) throw new Error(`password change answered ${res.statusCode}: ${res.body}`);
  return session;
}

/**
 * A route pattern with every `:param` replaced by the value named by the segment before it
 * (`'virtualMachines/:name'`); throws naming a parameter the caller has no value for.
 */
export function fillRoute(url: string, values: Record<string, string>, encode: (value: string) => string = encodeURIComponent): string {
  const parts = url.split('/');
  return parts
    .map((seg, i) => {
      if (!seg.startsWith(':')) return seg;
      const value = values[`${parts[i - 1]}/${seg}`];
      if (value === undefined) throw new Error(`no value for ${seg} after "${parts[i - 1]}/" in ${url}: add one to the test's values`);
      return encode(value);
    })
    .join('/');
}
