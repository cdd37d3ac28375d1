import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK_VISITOR_LIMITS } from '../sharing/visitor-limits.js';
import { as, createTestBastion, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Design 0008 through inject(): shareable-link visitors are rate limited (bad secrets and ticket requests
 * per address, tickets per link) and their live tickets are capped, so a flood of ticket requests with
 * 64 KiB keys neither buys thousands of password tries at the VM nor grows the heap.
 */
const SUB = 'sub-visitors';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-v`;
const vmId = `${rg}/providers/Microsoft.Compute/virtualMachines/vm-v`;
const bastionId = `${rg}/providers/Microsoft.Network/bastionHosts/bas-v`;

let b: TestBastion;
let admin: Session;

beforeAll(async () => {
  b = await createTestBastion({
    inventory: {
      subscription: { id: SUB },
      resourceGroups: [{ name: 'rg-v' }],
      virtualNetworks: [{ name: 'vnet-v', resourceGroup: 'rg-v', addressSpace: ['10.73.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.73.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.73.1.0/24' }] }],
      virtualMachines: [{ name: 'vm-v', resourceGroup: 'rg-v', osType: 'linux', nics: [{ name: 'nic-v', virtualNetwork: 'vnet-v', subnet: 'snet-vms', privateIpAddress: '10.73.1.4' }] }],
      bastionHosts: [{ name: 'bas-v', resourceGroup: 'rg-v', virtualNetwork: 'vnet-v', enableShareableLink: true }],
    },
  });
  admin = await signInAsReadyAdmin(b);
});
afterAll(async () => {
  await b?.dispose();
});

/** A new link to vm-v; answers its secret. */
const newLink = async (): Promise<string> => {
  const res = await as(b.app, admin, { method: 'POST', url: `/api${bastionId}/createShareableLinks`, payload: { vms: [{ vm: { id: vmId } }] } });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { value: Array<{ bsl: string }> }).value[0]!.bsl.split('/share/')[1]!;
};
const madeUpSecret = () => randomBytes(32).toString('base64url');
const visit = (secret: string, remoteAddress: string) => b.app.inject({ method: 'GET', url: `/api/share/${secret}`, remoteAddress });
const ticket = (secret: string, remoteAddress: string, auth: object = { type: 'password', password: 'p' }) =>
  b.app.inject({ method: 'POST', url: `/api/share/${secret}/ssh`, payload: { username: 'u', auth }, remoteAddress });
const statuses = (responses: LightMyRequestResponse[]) => responses.reduce<Record<number, number>>((n, r) => ({ ...n, [r.statusCode]: (n[r.statusCode] ?? 0) + 1 }), {});
const expectLimited = (res: LightMyRequestResponse, message: RegExp) => {
  expect(res.statusCode, res.body).toBe(429);
  expect(res.json()).toMatchObject({ error: { code: 'BST_ERR_RATE_LIMITED', message: expect.stringMatching(message) } });
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
};

describe('link visitors', () => {
  it('an address guessing secrets is refused after 20 bad ones (in parallel too); others are not', async () => {
    const good = await newLink();
    const all = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? visit(madeUpSecret(), '10.30.0.1') : ticket(madeUpSecret(), '10.30.0.1'))));
    expect(statuses(all)).toEqual({ 410: 20, 429: 10 });
    expectLimited(all.find((r) => r.statusCode === 429)!, /links that do not exist or are no longer valid/);
    // The guesser is refused before any lookup, even for a real link; other addresses are not.
    expectLimited(await visit(good, '10.30.0.1'), /no longer valid/);
    expect((await visit(madeUpSecret(), '10.30.0.2')).statusCode).toBe(410);
    expect((await visit(good, '10.30.0.2')).statusCode).toBe(200);
    // Good secrets do not count: a visitor may open a real link as often as they like.
    for (let i = 0; i < 25; i++) expect((await visit(good, '10.30.0.3')).statusCode).toBe(200);
  });

  it(`caps a link's live tickets (${LINK_VISITOR_LIMITS.liveTicketsPerLink}) however many are asked for at once`, async () => {
    const secret = await newLink();
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => ticket(secret, `10.31.1.${i + 1}`)));
    expect(statuses(all)).toEqual({ 201: LINK_VISITOR_LIMITS.liveTicketsPerLink, 429: 20 - LINK_VISITOR_LIMITS.liveTicketsPerLink });
    expectLimited(all.find((r) => r.statusCode === 429)!, /being opened at once/);
    // Another link has its own tickets.
    expect((await ticket(await newLink(), '10.31.2.1')).statusCode).toBe(201);
  });

  it(`limits ticket requests per address (${LINK_VISITOR_LIMITS.ticketsPerIp.limit} per 5 minutes), over all links`, async () => {
    const links = await Promise.all(Array.from({ length: 4 }, () => newLink()));
    const results: number[] = [];
    for (let i = 0; i < 12; i++) results.push((await ticket(links[i % 4]!, '10.32.0.1')).statusCode);
    expect(results.slice(0, 10).every((s) => s === 201 || s === 429)).toBe(true);
    expect(results.filter((s) => s === 201)).toHaveLength(Math.min(10, 4 * LINK_VISITOR_LIMITS.liveTicketsPerLink));
    const over = await ticket(links[0]!, '10.32.0.1');
    expectLimited(over, /from your address/);
    expect((await ticket(await newLink(), '10.32.0.2')).statusCode).toBe(201);
  });

  it('3,000 ticket requests with 64 KiB keys from 3,000 addresses: few tickets, bounded heap, few audit rows', async () => {
    const secret = await newLink();
    const privateKey = `-----BEGIN OPENSSH PRIVATE KEY-----\n${'A'.repeat(64 * 1024 - 72)}\n-----END OPENSSH PRIVATE KEY-----`.slice(0, 64 * 1024);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const counts: Record<number, number> = {};
    let before = 0;
    for (let batch = 0; batch < 30; batch++) {
      // The first 500 warm the app up (compiled schemas, statement caches, JIT); the heap is measured over the rest.
      if (batch === 5) {
        gc();
        before = process.memoryUsage().heapUsed;
      }
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => ticket(secret, `10.33.${batch}.${i + 1}`, { type: 'privateKey', privateKey })));
      for (const r of answers) counts[r.statusCode] = (counts[r.statusCode] ?? 0) + 1;
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // Without limits: 3,000 live tickets, each a password try at the VM holding its 64 KiB key (the
    // measured 2,500 alone ~160 MB).
    expect(counts[201]).toBeLessThanOrEqual(LINK_VISITOR_LIMITS.liveTicketsPerLink);
    expect(counts[429]).toBe(3000 - counts[201]!);
    expect(grown).toBeLessThan(16 * 1024 * 1024);
    const audit = await as(b.app, admin, { url: '/api/audit?type=link.rate_limited&limit=500' });
    const events = (audit.json() as { value: Array<{ outcome: string; details: { limit: string } }> }).value;
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(20); // one per limit and key a minute, not one per refusal
    expect(events.map((e) => e.details.limit)).toEqual(expect.arrayContaining(['live-tickets-link', 'tickets-link']));
  });
});
