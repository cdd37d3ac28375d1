import type { InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, as, createTestBastion, signIn, signInAsReadyAdmin, type Session, type TestBastion } from '../test-app.js';
import { createRng, fuzzBody, fuzzQuery, oddString, seedFromEnv, type Rng, type SchemaLike } from './generators.js';
import { FUZZ_CONFIG, PASSWORD, RG, describeAttempt, fillUrl, problemWith, snapshotState, type Attempt } from './fuzz-fixture.js';

/**
 * Security issue #12: a seeded, bounded fuzz over every route the app registered (recorded by
 * createTestBastion, so a route added tomorrow is fuzzed too), as every kind of caller. Hostile bodies,
 * query strings and path parameters must never crash the process or get a 5xx; every error keeps the
 * catalogue's `{ error: { code, message, statusCode } }` shape; and callers who may not change anything
 * (nobody signed in, no role, a Reader, a browser without its CSRF token or from another origin) change
 * nothing in the database. Replay a failure with BASTION_FUZZ_SEED=<the printed seed>.
 */
const SEED = seedFromEnv();
/** Requests per route for each caller (× ~90 routes × 8 callers ≈ 4000 requests). */
const PER_ROUTE = Number(process.env.BASTION_FUZZ_PER_ROUTE ?? 6);
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let b: TestBastion;
let extraValues: Record<string, string>;
const failures: string[] = [];
let sent = 0;

/** A caller: how its requests are dressed. */
interface Caller {
  name: string;
  send(opts: InjectOptions): Promise<LightMyRequestResponse>;
}

const bearer = (token: string) => (opts: InjectOptions) => b.app.inject({ ...opts, headers: { authorization: `Bearer ${token}`, ...(opts.headers ?? {}) } });
/**
 * A signed-in browser's cookie in a forged request: no CSRF token, a wrong one, or the right one sent
 * from another origin. None of them may change anything.
 */
const forged = (s: Session, rng: Rng) => (opts: InjectOptions) => {
  const variant = rng.int(4);
  const csrf = variant === 1 ? { 'x-csrf-token': wire(oddString(rng).slice(0, 80)) } : variant === 2 ? { 'x-csrf-token': s.csrfToken } : {};
  const origin = variant >= 2 ? { origin: rng.pick(['https://evil.example', 'null', 'https://localhost:80.evil.example', 'http://localhost:80']) } : {};
  return b.app.inject({ ...opts, cookies: { bastion_session: s.cookie }, headers: { ...csrf, ...origin, ...(opts.headers ?? {}) } });
};
/** A header value as the bytes a client would put on the wire (a header cannot carry UTF-16). */
const wire = (s: string) => Buffer.from(s, 'utf8').toString('latin1').replace(/[\r\n\0]/g, '');
/** No credentials; now and then a made-up cookie or bearer. */
const anonymous = (rng: Rng) => (opts: InjectOptions) => {
  const junk = rng.int(4);
  const headers = junk === 1 ? { cookie: `bastion_session=${wire(oddString(rng).slice(0, 200))}` } : junk === 2 ? { authorization: `Bearer bst_${wire(oddString(rng).slice(0, 60))}` } : junk === 3 ? { authorization: wire(oddString(rng).slice(0, 60)) } : {};
  return b.app.inject({ ...opts, headers: { ...headers, ...(opts.headers ?? {}) } });
};

/** Routes that end the caller's own session or token go last, so the rest are fuzzed signed in. */
const sessionEnding = (r: RouteOptions) => (r.method === 'POST' && r.url === '/api/auth/logout') || (r.method === 'DELETE' && r.url === '/api/auth/tokens/:id');
const ordered = () => [...b.routes.filter((r) => !sessionEnding(r)), ...b.routes.filter(sessionEnding)];

/** One hostile request for `route`. */
function attemptFor(rng: Rng, who: string, route: RouteOptions): Attempt {
  const method = String(route.method) as NonNullable<InjectOptions['method']>;
  const schema = (route.schema ?? {}) as { body?: SchemaLike; querystring?: SchemaLike };
  const query = rng.chance(0.5) ? fuzzQuery(rng, schema.querystring) : '';
  const url = fillUrl(rng, route.url, extraValues) + (query ? `?${query}` : '');
  const opts: InjectOptions = { method, url };
  let kind = 'none';
  if (WRITES.has(method) || rng.chance(0.1)) {
    const body = fuzzBody(rng, schema.body);
    opts.payload = body.payload;
    opts.headers = body.contentType === undefined ? {} : { 'content-type': body.contentType };
    kind = body.kind;
  }
  return { who, route, opts, kind };
}

async function fuzz(caller: Caller, rng: Rng, perRoute: number, onAnswer?: (a: Attempt, res: LightMyRequestResponse) => string | undefined): Promise<void> {
  for (const route of ordered()) {
    for (let i = 0; i < perRoute; i++) {
      const attempt = attemptFor(rng, caller.name, route);
      let res: LightMyRequestResponse | undefined;
      try {
        res = await caller.send(attempt.opts);
      } catch (err) {
        failures.push(describeAttempt(attempt, undefined, `inject threw ${(err as Error).message}`));
        continue;
      }
      sent++;
      const problem = problemWith(res, String(attempt.opts.method)) ?? onAnswer?.(attempt, res);
      if (problem && failures.length < 50) failures.push(describeAttempt(attempt, res, problem));
    }
  }
}

/** Non-public /api routes never succeed for someone who is not signed in. */
const guardedApi = (r: RouteOptions) => r.url.startsWith('/api/') && !r.config?.public;
const noSuccessWithoutSignIn = (a: Attempt, res: LightMyRequestResponse) => (guardedApi(a.route) && res.statusCode < 400 ? `a caller who is not signed in got ${res.statusCode}` : undefined);
/** Resource and "somewhere" routes never succeed for someone who holds no role (self and public ones may). */
const noSuccessWithoutRole = (a: Attempt, res: LightMyRequestResponse) => {
  const kind = a.route.config?.access?.kind;
  return guardedApi(a.route) && kind !== 'self' && res.statusCode < 400 ? `a user without any role got ${res.statusCode}` : undefined;
};

let admin: Session;
let before: Record<string, string>;

beforeAll(async () => {
  console.log(`http fuzz seed: ${SEED} (replay with BASTION_FUZZ_SEED=${SEED})`);
  b = await createTestBastion(FUZZ_CONFIG);
  admin = await signInAsReadyAdmin(b);
  const kv = `/api${RG}/providers/Microsoft.KeyVault/vaults/kv-fz`;
  expect((await as(b.app, admin, { method: 'PUT', url: kv, payload: {} })).statusCode).toBe(201);
  expect((await as(b.app, admin, { method: 'PUT', url: `${kv}/secrets/pw-fz`, payload: { properties: { contentType: 'password', value: 'Fuzz-Secret-1' } } })).statusCode).toBe(200);
  const role = await as(b.app, admin, { method: 'POST', url: '/api/roleDefinitions', payload: { name: 'Fuzz Reader', actions: ['*/read'], assignableScopes: ['/'] } });
  expect(role.statusCode, role.body).toBe(201);
  const assignments = (await as(b.app, admin, { url: `/api/roleAssignments?scope=${encodeURIComponent(RG)}` })).json() as { value: Array<{ id: string }> };
  const link = await as(b.app, admin, { method: 'POST', url: `/api${RG}/providers/Microsoft.Network/bastionHosts/bas-fz/createShareableLinks`, payload: { vms: [{ vm: { id: `${RG}/providers/Microsoft.Compute/virtualMachines/vm-fz` } }] } });
  const secret = /\/share\/([A-Za-z0-9_-]+)/.exec(link.body)?.[1];
  extraValues = { 'roleDefinitions/:id': (role.json() as { id: string }).id, 'roleAssignments/:id': assignments.value[0]?.id ?? 'x', ...(secret ? { 'share/:secret': secret } : {}) };
});

afterAll(async () => {
  await b?.dispose();
});

describe(`HTTP fuzz over every route (seed ${SEED})`, () => {
  it('covers the whole route table, WebSocket routes included', () => {
    const keys = b.routes.map((r) => `${String(r.method)} ${r.url}`);
    for (const k of ['POST /api/auth/login', 'GET /api/ssh/connect', 'GET /api/tunnel', 'GET /api/share/connect', 'PUT /api/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Compute/virtualMachines/:name']) expect(keys).toContain(k);
    expect(b.routes.length).toBeGreaterThan(60);
  });

  it('callers who may not change anything get no 5xx, catalogue errors only, and change nothing', async () => {
    const rng = createRng(SEED);
    const reader = await signIn(b.app, 'reader', PASSWORD);
    const nobody = await signIn(b.app, 'nobody', PASSWORD);
    const token = (await b.app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username: 'reader', password: PASSWORD } })).json() as { token: string };
    const forgedAdmin = await signIn(b.app, 'admin', ADMIN_PASSWORD, { remoteAddress: '127.0.0.251' });
    before = await snapshotState(b);
    await fuzz({ name: 'anonymous', send: anonymous(rng) }, rng, PER_ROUTE, noSuccessWithoutSignIn);
    await fuzz({ name: 'no-role', send: (o) => as(b.app, nobody, o) }, rng, PER_ROUTE, noSuccessWithoutRole);
    await fuzz({ name: 'reader', send: (o) => as(b.app, reader, o) }, rng, PER_ROUTE);
    await fuzz({ name: 'reader-bearer', send: bearer(token.token) }, rng, PER_ROUTE);
    await fuzz({ name: 'admin-without-csrf-or-foreign-origin', send: forged(forgedAdmin, rng) }, rng, Math.ceil(PER_ROUTE / 2), (a, res) => (WRITES.has(String(a.opts.method)) && guardedApi(a.route) && res.statusCode < 400 ? `a forged write got ${res.statusCode}` : undefined));
    console.log(`http fuzz: ${sent} requests from callers who may not change anything`);
    expect(failures).toEqual([]);
    const after = await snapshotState(b);
    for (const table of Object.keys(before)) expect(after[table], `table ${table} changed`).toEqual(before[table]);
    expect(({} as Record<string, unknown>).polluted, 'Object.prototype was polluted').toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin, 'Object.prototype was polluted').toBeUndefined();
  }, 120_000);

  it('the administrator (cookie + CSRF, and bearer) gets no 5xx and catalogue errors only', async () => {
    const rng = createRng(SEED ^ 0x5eed);
    const token = (await b.app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username: 'admin', password: ADMIN_PASSWORD }, remoteAddress: '127.0.0.252' })).json() as { token: string };
    const start = sent;
    await fuzz({ name: 'admin', send: (o) => as(b.app, admin, o) }, rng, PER_ROUTE + 2);
    await fuzz({ name: 'admin-bearer', send: bearer(token.token) }, rng, Math.ceil(PER_ROUTE / 2));
    console.log(`http fuzz: ${sent - start} requests as the administrator`);
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted, 'Object.prototype was polluted').toBeUndefined();
  }, 120_000);

  it('leaves the process answering', async () => {
    const health = await b.app.inject({ url: '/healthz' });
    expect({ status: health.statusCode, body: health.json() }).toEqual({ status: 200, body: { status: 'ok' } });
    // Routing, hooks and the error handler still work: an unauthenticated API call is refused as always.
    const refused = await b.app.inject({ url: '/api/subscriptions' });
    expect({ status: refused.statusCode, code: (refused.json() as { error: { code: string } }).error.code }).toEqual({ status: 401, code: 'BST_ERR_UNAUTHENTICATED' });
  });
});
