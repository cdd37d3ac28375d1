import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createTestBastion, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Issue #12, finding 4: shareable-link secrets appeared in full in the server log. A real bastion logs at
 * `info` (every request, with its URL) into a buffer while a link is created, opened (portal page and API),
 * used for a ticket and the ticket presented; the log must hold neither the secret nor the ticket, and the
 * requests must still be there (redacted, not dropped).
 */
const SUB = 'sub-logs';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-l`;
const vmId = `${rg}/providers/Microsoft.Compute/virtualMachines/vm-l`;
const bastionId = `${rg}/providers/Microsoft.Network/bastionHosts/bas-l`;

let b: TestBastion;
let admin: Session;
let log = '';
let webRoot: string;

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'bastion-web-'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Bastion</title>');
  writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      log += chunk.toString();
      done();
    },
  });
  b = await createTestBastion(
    {
      inventory: {
        subscription: { id: SUB },
        resourceGroups: [{ name: 'rg-l' }],
        virtualNetworks: [{ name: 'vnet-l', resourceGroup: 'rg-l', addressSpace: ['10.75.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.75.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.75.1.0/24' }] }],
        virtualMachines: [{ name: 'vm-l', resourceGroup: 'rg-l', osType: 'linux', nics: [{ name: 'nic-l', virtualNetwork: 'vnet-l', subnet: 'snet-vms', privateIpAddress: '10.75.1.4' }] }],
        bastionHosts: [{ name: 'bas-l', resourceGroup: 'rg-l', virtualNetwork: 'vnet-l', enableShareableLink: true }],
      },
    },
    { logger: pino({ level: 'info' }, stream), webRoot },
  );
  admin = await signInAsReadyAdmin(b);
});
afterAll(async () => {
  await b?.dispose();
  rmSync(webRoot, { recursive: true, force: true });
});

describe('the server log', () => {
  it('never holds a shareable-link secret or a connect ticket, though every request is logged', async () => {
    const made = await as(b.app, admin, { method: 'POST', url: `/api${bastionId}/createShareableLinks`, payload: { vms: [{ vm: { id: vmId } }] } });
    expect(made.statusCode, made.body).toBe(200);
    const secret = (made.json() as { value: Array<{ bsl: string }> }).value[0]!.bsl.split('/share/')[1]!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const page = await b.app.inject({ url: `/share/${secret}` });
    expect(page.statusCode).toBe(200); // the portal's share page (index.html)
    expect((await b.app.inject({ url: `/api/share/${secret}` })).statusCode).toBe(200);
    const ticketRes = await b.app.inject({ method: 'POST', url: `/api/share/${secret}/ssh`, payload: { username: 'vmuser', auth: { type: 'password', password: 'Vm-Pass-123' } } });
    expect(ticketRes.statusCode, ticketRes.body).toBe(201);
    const ticket = (ticketRes.json() as { ticket: string }).ticket;
    // The ticket in a URL, as the browser sends it to the WebSocket endpoint (here a plain GET: refused, but logged).
    await b.app.inject({ url: `/api/share/connect?ticket=${ticket}` });
    await b.app.inject({ url: `/api/ssh/connect?ticket=${ticket}` });
    // A wrong secret is a guess, but it is somebody's secret-shaped string: redacted too.
    await b.app.inject({ url: `/api/share/${'B'.repeat(43)}` });

    expect(log).toContain('/share/[redacted]');
    expect(log).toContain('/api/share/[redacted]/ssh');
    expect(log).toContain('/api/share/connect?ticket=[redacted]');
    expect(log).not.toContain(secret);
    expect(log).not.toContain(ticket);
    expect(log).not.toContain('B'.repeat(43));
    expect(log).not.toContain('Vm-Pass-123');
  });

  it('serves the web client to anyone (its routes are public), while the API still asks to sign in', async () => {
    const root = await b.app.inject({ url: '/' });
    expect(root.statusCode, root.body).toBe(200);
    expect((await b.app.inject({ url: '/portal/vms' })).body).toContain('<title>Bastion</title>');
    expect((await b.app.inject({ url: '/assets/app.js' })).statusCode).toBe(200);
    const api = await b.app.inject({ url: '/api/users' });
    expect(api.statusCode).toBe(401);
    expect((await b.app.inject({ url: '/api/no-such-route' })).statusCode).toBe(404);
    expect((await b.app.inject({ method: 'POST', url: '/assets/app.js' })).statusCode).toBe(404);
  });
});
