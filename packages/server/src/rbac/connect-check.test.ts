import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ids from '../inventory/ids.js';
import { ACTIONS } from './actions.js';
import { AccessChecker } from './checker.js';
import { createRbacTestbed, IDS, SUB, type RbacTestbed } from './test-app.js';

/**
 * The Connect check: Reader on the VM, its NIC (and ipconfiguration), the bastion that reaches it, and
 * the VM's network when that bastion is in a peered network. Each case names what is missing.
 */
let t: RbacTestbed;
beforeAll(async () => {
  t = await createRbacTestbed();
});
afterAll(async () => {
  await t?.dispose();
});

/** A new user holding Reader at each of `scopes`. */
const readerOn = async (...scopes: string[]) => {
  const p = await t.newUser();
  for (const s of scopes) await t.assign(p.userId, 'Reader', s);
  return p;
};

describe('bastion in the VM network', () => {
  it('Reader on the VM, its NIC and the bastion is enough', async () => {
    const r = await t.checker.connectCheck(await readerOn(IDS.web01, IDS.web01Nic, IDS.basApp), IDS.web01);
    expect(r).toEqual({ allowed: true, missing: [], bastionHostId: IDS.basApp, viaPeering: false, reason: 'Connect to web01 through bastion bas-app.' });
  });

  it('names the missing NIC role (both the NIC and its ipconfiguration actions)', async () => {
    const r = await t.checker.connectCheck(await readerOn(IDS.web01, IDS.basApp), IDS.web01);
    expect(r.allowed).toBe(false);
    expect(r.missing).toEqual([
      {
        role: 'Reader',
        resourceId: IDS.web01Nic,
        resourceType: 'Microsoft.Network/networkInterfaces',
        action: ACTIONS.networkInterfaces.read,
        actions: [ACTIONS.networkInterfaces.read, ACTIONS.ipConfigurations.read],
        message: 'You need Reader on networkInterfaces/web01-nic',
      },
    ]);
    expect(r.reason).toBe('You need Reader on networkInterfaces/web01-nic.');
  });

  it('names the missing bastion role', async () => {
    const r = await t.checker.connectCheck(await readerOn(IDS.web01, IDS.web01Nic), IDS.web01);
    expect(r.missing.map((m) => m.message)).toEqual(['You need Reader on bastionHosts/bas-app']);
    expect(r.bastionHostId).toBe(IDS.basApp);
  });

  it('a custom role that reads the NIC but not its ipconfigurations falls short by exactly that action', async () => {
    const role = await t.roles.createRoleDefinition({ name: 'NIC Peeker', actions: [ACTIONS.networkInterfaces.read], assignableScopes: ['/'] });
    const p = await readerOn(IDS.web01, IDS.basApp);
    await t.assign(p.userId, role.name, IDS.web01Nic);
    const r = await t.checker.connectCheck(p, IDS.web01);
    expect(r.missing).toMatchObject([{ resourceId: IDS.web01Nic, action: ACTIONS.ipConfigurations.read, actions: [ACTIONS.ipConfigurations.read] }]);
  });

  it('Reader on the resource group covers everything', async () => {
    expect((await t.checker.connectCheck(await readerOn(IDS.rgApp), IDS.web01)).allowed).toBe(true);
  });
});

describe('bastion in a peered network', () => {
  it('also needs Reader on the VM network, and says so', async () => {
    const p = await readerOn(IDS.db01, IDS.db01Nic, IDS.basHub);
    const r = await t.checker.connectCheck(p, IDS.db01);
    expect(r).toMatchObject({ allowed: false, bastionHostId: IDS.basHub, viaPeering: true });
    expect(r.missing).toEqual([
      {
        role: 'Reader',
        resourceId: IDS.vnetSpoke,
        resourceType: 'Microsoft.Network/virtualNetworks',
        action: ACTIONS.virtualNetworks.read,
        actions: [ACTIONS.virtualNetworks.read],
        message: 'You need Reader on virtualNetworks/vnet-spoke',
      },
    ]);
    await t.assign(p.userId, 'Reader', IDS.vnetSpoke);
    const after = await t.checker.connectCheck(p, IDS.db01);
    expect(after).toEqual({ allowed: true, missing: [], bastionHostId: IDS.basHub, viaPeering: true, reason: 'Connect to db01 through bastion bas-hub in peered virtual network vnet-hub.' });
  });

  it('Reader on the spoke resource group and on the hub bastion is enough', async () => {
    expect((await t.checker.connectCheck(await readerOn(IDS.rgSpoke, IDS.basHub), IDS.db01)).allowed).toBe(true);
  });

  it('lists every missing role, VM network included', async () => {
    const r = await t.checker.connectCheck(await readerOn(IDS.db01), IDS.db01);
    expect(r.missing.map((m) => m.message)).toEqual([
      'You need Reader on networkInterfaces/db01-nic',
      'You need Reader on bastionHosts/bas-hub',
      'You need Reader on virtualNetworks/vnet-spoke',
    ]);
  });
});

describe('when Connect cannot work at all', () => {
  it('says no bastion can reach a VM whose network has none and is peered with none', async () => {
    const r = await t.checker.connectCheck(await readerOn(IDS.subscription), IDS.other01);
    expect(r).toEqual({
      allowed: false,
      missing: [],
      bastionHostId: null,
      viaPeering: false,
      reason: 'No bastion can reach virtual machine other01: deploy one in virtual network vnet-other or in a network peered with it.',
    });
  });

  it('reveals nothing beyond the VM to someone who cannot read the VM', async () => {
    const r = await t.checker.connectCheck(await readerOn(IDS.basApp), IDS.web01);
    expect(r.missing.map((m) => m.resourceId)).toEqual([IDS.web01]);
    expect(r).toMatchObject({ allowed: false, bastionHostId: null, reason: 'You need Reader on virtualMachines/web01.' });
  });

  it('reports a missing VM only to someone allowed to read it', async () => {
    const ghost = ids.virtualMachineId(SUB, 'rg-app', 'ghost');
    expect((await t.checker.connectCheck(await readerOn(IDS.rgApp), ghost)).reason).toBe('Virtual machine ghost was not found.');
    expect((await t.checker.connectCheck(await readerOn(IDS.rgOther), ghost)).reason).toBe('You need Reader on virtualMachines/ghost.');
  });

  it('refuses an ID that is not a virtual machine', async () => {
    const p = await readerOn(IDS.subscription);
    expect(await t.checker.connectCheck(p, IDS.web01Nic)).toMatchObject({ allowed: false, missing: [], reason: `${IDS.web01Nic} is not a virtual machine ID.` });
    expect((await t.checker.connectCheck(p, 'web01')).reason).toMatch(/^Invalid resource ID "web01"/);
  });

  it('needs an inventory reader', async () => {
    await expect(new AccessChecker(t.roles).connectCheck(await readerOn(IDS.rgApp), IDS.web01)).rejects.toThrow(/inventory reader/);
  });
});
