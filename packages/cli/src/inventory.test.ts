import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempBastion } from './test-helpers.js';

type Bastion = ReturnType<typeof tempBastion>;
let b: Bastion;
beforeEach(() => {
  b = tempBastion('inventory:\n  subscription:\n    id: 11111111-2222-3333-4444-555555555555\n');
});
afterEach(() => b.cleanup());

const SUB = '/subscriptions/11111111-2222-3333-4444-555555555555';

async function network(): Promise<void> {
  expect((await b.cli(['group', 'create', '--name', 'rg1', '--location', 'lab'])).code).toBe(0);
  const vnet = await b.cli(['vnet', 'create', '-g', 'rg1', '-n', 'vnet1', '--address-prefixes', '10.1.0.0/16', '--subnet-name', 'snet-vms', '--subnet-prefixes', '10.1.1.0/24']);
  expect(vnet.err).toBe('');
  expect(vnet.code).toBe(0);
}

describe('resource groups, networks and VMs', () => {
  it('creates a resource group and prints it as JSON', async () => {
    const r = await b.cli(['group', 'create', '--name', 'rg1', '--location', 'lab']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ id: `${SUB}/resourceGroups/rg1`, name: 'rg1', location: 'lab', type: 'Microsoft.Resources/resourceGroups' });
    const list = await b.cli(['group', 'list', '--output', 'table']);
    expect(list.out.split('\n')[0]).toMatch(/^Name\s+Location\s+Status$/);
    expect(list.out).toMatch(/rg1\s+lab\s+Succeeded/);
  });

  it('creates a vnet with a subnet, a VM with its own NIC, and shows them', async () => {
    await network();
    const vnet = await b.cli(['vnet', 'show', '-g', 'rg1', '-n', 'vnet1']);
    expect(vnet.json()).toMatchObject({
      name: 'vnet1',
      location: 'lab',
      properties: { addressSpace: { addressPrefixes: ['10.1.0.0/16'] }, subnets: [{ name: 'snet-vms', properties: { addressPrefix: '10.1.1.0/24' } }] },
    });

    const vm = await b.cli(['vm', 'create', '-g', 'rg1', '-n', 'vm1', '--os-type', 'linux', '--vnet-name', 'vnet1', '--subnet', 'snet-vms', '--private-ip-address', '10.1.1.4', '--tags', 'role=ssh', 'team']);
    expect(vm.err).toBe('');
    expect(vm.code).toBe(0);
    expect(vm.json()).toMatchObject({
      id: `${SUB}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1`,
      tags: { role: 'ssh', team: '' },
      properties: { osType: 'linux', privateIPAddress: '10.1.1.4', networkProfile: { networkInterfaces: [{ id: `${SUB}/resourceGroups/rg1/providers/Microsoft.Network/networkInterfaces/vm1-nic` }] } },
    });
    const nics = await b.cli(['nic', 'list', '-g', 'rg1', '-o', 'table']);
    expect(nics.out).toMatch(/vm1-nic\s+rg1\s+10\.1\.1\.4\s+snet-vms\s+vnet1/);
    const vms = await b.cli(['vm', 'list', '-o', 'table']);
    expect(vms.out).toMatch(/vm1\s+rg1\s+lab\s+linux\s+10\.1\.1\.4\s+vm1-nic/);

    // A VM on an existing NIC.
    expect((await b.cli(['nic', 'create', '-g', 'rg1', '-n', 'nic2', '--vnet-name', 'vnet1', '--subnet', 'snet-vms', '--private-ip-address', '10.1.1.5'])).code).toBe(0);
    const win = await b.cli(['vm', 'create', '-g', 'rg1', '-n', 'win1', '--os-type', 'windows', '--nics', 'nic2']);
    expect(win.json()).toMatchObject({ properties: { osType: 'windows', privateIPAddress: '10.1.1.5' } });

    // Deleting in use is refused; in order it works, and delete prints nothing.
    const busy = await b.cli(['nic', 'delete', '-g', 'rg1', '-n', 'nic2']);
    expect(busy).toMatchObject({ code: 1, err: 'error: nic2 cannot be deleted: it is attached to virtual machine win1.\n' });
    expect(await b.cli(['vm', 'delete', '-g', 'rg1', '-n', 'win1'])).toMatchObject({ code: 0, out: '', err: '' });
    expect((await b.cli(['nic', 'delete', '-g', 'rg1', '-n', 'nic2'])).code).toBe(0);
    const gone = await b.cli(['vm', 'show', '-g', 'rg1', '-n', 'win1']);
    expect(gone).toMatchObject({ code: 1, err: 'error: Virtual machine win1 in resource group rg1 was not found.\n' });
  });

  it('refuses an IP outside its subnet with a clear error, exit 1, and leaves no NIC behind', async () => {
    await network();
    const r = await b.cli(['vm', 'create', '-g', 'rg1', '-n', 'vm1', '--os-type', 'linux', '--vnet-name', 'vnet1', '--subnet', 'snet-vms', '--private-ip-address', '10.9.0.4']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('error: privateIPAddress 10.9.0.4 is not inside subnet snet-vms (10.1.1.0/24).\n');
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect((await b.cli(['nic', 'list'])).json()).toEqual([]);
  });

  it('removes the NIC it created when the VM itself is refused', async () => {
    await network();
    await b.cli(['nic', 'create', '-g', 'rg1', '-n', 'taken', '--vnet-name', 'vnet1', '--subnet', 'snet-vms', '--private-ip-address', '10.1.1.6']);
    await b.cli(['vm', 'create', '-g', 'rg1', '-n', 'vmA', '--os-type', 'linux', '--nics', 'taken']);
    const r = await b.cli(['vm', 'create', '-g', 'rg1', '-n', 'vmA', '--os-type', 'linux', '--vnet-name', 'vnet1', '--subnet', 'snet-vms', '--private-ip-address', '10.1.1.6']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: privateIPAddress 10\.1\.1\.6 is already used by network interface taken\.\n$/);
    expect((await b.cli(['nic', 'list'])).json<Array<{ name: string }>>().map((n) => n.name)).toEqual(['taken']);
  });

  it('reports commander usage errors and unknown resource groups with exit 1', async () => {
    const missing = await b.cli(['vm', 'create', '-g', 'rg1', '-n', 'vm1']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error: required option '--os-type <os>' not specified/);
    const badOs = await b.cli(['vm', 'create', '-g', 'rg1', '-n', 'vm1', '--os-type', 'bsd']);
    expect(badOs.err).toMatch(/error: option '--os-type <os>' argument 'bsd' is invalid/);
    const noGroup = await b.cli(['vnet', 'create', '-g', 'nope', '-n', 'v', '--address-prefixes', '10.0.0.0/16']);
    expect(noGroup).toMatchObject({ code: 1, err: 'error: Resource group nope was not found.\n' });
    const list = await b.cli(['vm', 'list', '-g', 'nope']);
    expect(list).toMatchObject({ code: 1, err: 'error: Resource group nope was not found.\n' });
  });

  it('adds subnets, peers networks both ways and deploys a bastion', async () => {
    await network();
    expect((await b.cli(['vnet', 'subnet', 'create', '-g', 'rg1', '--vnet-name', 'vnet1', '-n', 'AzureBastionSubnet', '--address-prefixes', '10.1.0.0/26'])).code).toBe(0);
    await b.cli(['vnet', 'create', '-g', 'rg1', '-n', 'vnet2', '--address-prefixes', '10.2.0.0/16']);
    const peering = await b.cli(['vnet', 'peering', 'create', '-g', 'rg1', '--vnet-name', 'vnet1', '-n', 'to-vnet2', '--remote-vnet', 'vnet2']);
    expect(peering.json()).toMatchObject({ name: 'to-vnet2', properties: { remoteVirtualNetwork: { id: `${SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet2` }, peeringState: 'Connected' } });
    const back = await b.cli(['vnet', 'peering', 'list', '-g', 'rg1', '--vnet-name', 'vnet2']);
    expect(back.json<Array<{ name: string }>>().map((p) => p.name)).toEqual(['vnet2-to-vnet1']);

    const host = await b.cli(['bastion', 'create', '-g', 'rg1', '-n', 'bastion1', '--vnet-name', 'vnet1']);
    expect(host.json()).toMatchObject({ type: 'Microsoft.Network/bastionHosts', properties: { virtualNetwork: { id: `${SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet1` } } });
    const refused = await b.cli(['bastion', 'create', '-g', 'rg1', '-n', 'bastion2', '--vnet-name', 'vnet2']);
    expect(refused).toMatchObject({ code: 1, err: 'error: Virtual network vnet2 has no subnet named AzureBastionSubnet (/26 or larger); add one before deploying a bastion.\n' });
    expect((await b.cli(['bastion', 'list', '-o', 'table'])).out).toMatch(/bastion1\s+rg1\s+lab\s+vnet1/);
    expect((await b.cli(['vnet', 'delete', '-g', 'rg1', '-n', 'vnet1'])).err).toBe('error: vnet1 cannot be deleted: bastion bastion1 is deployed in it.\n');
  });
});
