import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createTestBastion, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Azure's `disableCopyPaste` on a bastion (issue 5): config and ARM PUT, and the `clipboard` flag of the
 * browser RDP token and SSH ticket answers (portal and shareable link) that the web client obeys. Browser behaviour: test/e2e.
 */
const SUB = 'sub-clip';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-c`;
const vmId = `${rg}/providers/Microsoft.Compute/virtualMachines/vm-c`;
const bastionId = `${rg}/providers/Microsoft.Network/bastionHosts/bas-c`;
const vnetId = `${rg}/providers/Microsoft.Network/virtualNetworks/vnet-c`;

let b: TestBastion;
let admin: Session;

beforeAll(async () => {
  b = await createTestBastion({
    inventory: {
      subscription: { id: SUB },
      resourceGroups: [{ name: 'rg-c' }],
      virtualNetworks: [{ name: 'vnet-c', resourceGroup: 'rg-c', addressSpace: ['10.73.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.73.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.73.1.0/24' }] }],
      virtualMachines: [{ name: 'vm-c', resourceGroup: 'rg-c', osType: 'linux', nics: [{ name: 'nic-c', virtualNetwork: 'vnet-c', subnet: 'snet-vms', privateIpAddress: '10.73.1.4' }] }],
      bastionHosts: [{ name: 'bas-c', resourceGroup: 'rg-c', virtualNetwork: 'vnet-c', disableCopyPaste: true }],
    },
  });
  admin = await signInAsReadyAdmin(b);
});

afterAll(async () => {
  await b?.dispose();
});

const rdpToken = () => as(b.app, admin, { method: 'POST', url: `/api${vmId}/bastionRdp`, payload: {} });
const sshTicket = () => as(b.app, admin, { method: 'POST', url: `/api${vmId}/bastionSsh`, payload: { username: 'u', auth: { type: 'password', password: 'p' } } });
const putBastion = (properties: object) => as(b.app, admin, { method: 'PUT', url: `/api${bastionId}`, payload: { properties: { virtualNetwork: { id: vnetId }, ...properties } } });

describe('disableCopyPaste', () => {
  it('from the config: the RDP token and the SSH ticket say clipboard: false', async () => {
    const bastion = await as(b.app, admin, { method: 'GET', url: `/api${bastionId}` });
    expect((bastion.json() as { properties: object }).properties).toMatchObject({ disableCopyPaste: true });
    const rdp = await rdpToken();
    expect(rdp.statusCode, rdp.body).toBe(201);
    expect(rdp.json()).toMatchObject({ token: expect.any(String), clipboard: false });
    const ssh = await sshTicket();
    expect(ssh.statusCode, ssh.body).toBe(201);
    expect(ssh.json()).toMatchObject({ ticket: expect.any(String), clipboard: false });
  });

  it('ARM PUT: omitted turns it off (clipboard: true), true turns it on again; other properties are kept', async () => {
    const off = await putBastion({ enableShareableLink: true });
    expect(off.statusCode, off.body).toBe(200);
    expect((off.json() as { properties: object }).properties).toMatchObject({ disableCopyPaste: false, enableShareableLink: true });
    expect((await rdpToken()).json()).toMatchObject({ clipboard: true });
    expect((await sshTicket()).json()).toMatchObject({ clipboard: true });

    const on = await putBastion({ disableCopyPaste: true });
    expect((on.json() as { properties: object }).properties).toMatchObject({ disableCopyPaste: true, virtualNetwork: { id: vnetId } });
    expect((await rdpToken()).json()).toMatchObject({ clipboard: false });
    expect((await sshTicket()).json()).toMatchObject({ clipboard: false });
    expect((await putBastion({ disableCopyPaste: 'yes' })).statusCode).toBe(400);
  });

  it('a shareable link visitor’s SSH ticket carries the bastion’s clipboard too', async () => {
    expect((await putBastion({ enableShareableLink: true, disableCopyPaste: true })).statusCode).toBe(200);
    const created = await as(b.app, admin, { method: 'POST', url: `/api${bastionId}/createShareableLinks`, payload: { vms: [{ vm: { id: vmId } }] } });
    expect(created.statusCode, created.body).toBe(200);
    const secret = (created.json() as { value: Array<{ bsl: string }> }).value[0]!.bsl.split('/share/')[1]!;
    const visit = () => b.app.inject({ method: 'POST', url: `/api/share/${secret}/ssh`, payload: { username: 'u', auth: { type: 'password', password: 'p' } } });
    const off = await visit();
    expect(off.statusCode, off.body).toBe(201);
    expect(off.json()).toMatchObject({ clipboard: false });
    expect((await putBastion({ enableShareableLink: true })).statusCode).toBe(200);
    expect((await visit()).json()).toMatchObject({ clipboard: true });
  });
});
