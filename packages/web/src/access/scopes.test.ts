import { describe, expect, it } from 'vitest';
import {
  ROOT_SCOPE,
  assignableAt,
  parsePrincipalValue,
  principalLabel,
  principalTypeLabel,
  principalValue,
  scopeChainOptions,
  scopeLabel,
  scopeWithin,
  subscriptionScope,
  vmIdFor,
  vmScopeOptions,
} from './scopes.js';

const SUB = { subscriptionId: '00000000-0000-0000-0000-000000000000', displayName: 'Bastion' };
const SUB_ID = `/subscriptions/${SUB.subscriptionId}`;
const RG_ID = `${SUB_ID}/resourceGroups/rg-e2e`;
const VM_ID = `${RG_ID}/providers/Microsoft.Compute/virtualMachines/vm-web01`;
const NIC_ID = `${RG_ID}/providers/Microsoft.Network/networkInterfaces/vm-web01-nic`;
const BASTION_ID = `${RG_ID}/providers/Microsoft.Network/bastionHosts/bastion-e2e`;

describe('IDs', () => {
  it('builds VM and subscription IDs', () => {
    expect(vmIdFor(SUB.subscriptionId, 'rg-e2e', 'vm-web01')).toBe(VM_ID);
    expect(subscriptionScope(SUB.subscriptionId)).toBe(SUB_ID);
  });

  it('refuses names that cannot be in an ID, with a message for users', () => {
    expect(() => vmIdFor(SUB.subscriptionId, 'rg', 'a/b')).toThrow(/Invalid virtual machine name "a\/b"/);
  });
});

describe('scopeLabel', () => {
  it('names the scope and its kind', () => {
    expect(scopeLabel(NIC_ID)).toBe('vm-web01-nic (network interface)');
    expect(scopeLabel(RG_ID)).toBe('rg-e2e (resource group)');
    expect(scopeLabel(SUB_ID, SUB)).toBe('Bastion (subscription)');
    expect(scopeLabel(SUB_ID)).toBe(`${SUB.subscriptionId} (subscription)`);
    expect(scopeLabel(ROOT_SCOPE)).toBe('/ (root)');
    expect(scopeLabel('not an id')).toBe('not an id');
  });
});

describe('vmScopeOptions', () => {
  it('offers the VM, its NICs, its resource group, the subscription and the bastion hosts, in that order', () => {
    const options = vmScopeOptions({ vmId: VM_ID, subscription: SUB, nicIds: [NIC_ID], bastionHostIds: [BASTION_ID] });
    expect(options).toEqual([
      { value: VM_ID, label: 'vm-web01 (virtual machine)' },
      { value: NIC_ID, label: 'vm-web01-nic (network interface)' },
      { value: RG_ID, label: 'rg-e2e (resource group)' },
      { value: SUB_ID, label: 'Bastion (subscription)' },
      { value: BASTION_ID, label: 'bastion-e2e (bastion host)' },
    ]);
  });

  it('drops duplicates and copes with a VM that could not be read', () => {
    expect(vmScopeOptions({ vmId: VM_ID, nicIds: [NIC_ID, NIC_ID.toUpperCase()] }).map((o) => o.value)).toEqual([VM_ID, NIC_ID, RG_ID, SUB_ID]);
    expect(vmScopeOptions({ vmId: 'junk' })).toEqual([{ value: 'junk', label: 'junk' }]);
  });
});

describe('scopeChainOptions', () => {
  it('goes from the scope up to the root', () => {
    expect(scopeChainOptions(NIC_ID, SUB).map((o) => o.label)).toEqual([
      'vm-web01-nic (network interface)',
      'rg-e2e (resource group)',
      'Bastion (subscription)',
      '/ (root)',
    ]);
    expect(scopeChainOptions(SUB_ID).map((o) => o.value)).toEqual([SUB_ID, ROOT_SCOPE]);
    expect(scopeChainOptions(ROOT_SCOPE).map((o) => o.value)).toEqual([ROOT_SCOPE]);
  });

  it('keeps the scope as given, even when it is not a valid ID', () => {
    const lower = NIC_ID.replace('resourceGroups', 'resourcegroups');
    expect(scopeChainOptions(lower)[0]?.value).toBe(lower);
    expect(scopeChainOptions('odd').map((o) => o.value)).toEqual(['odd', ROOT_SCOPE]);
  });
});

describe('assignable scopes', () => {
  it('matches the scope and everything below it, case-insensitively', () => {
    expect(scopeWithin(NIC_ID, RG_ID)).toBe(true);
    expect(scopeWithin(NIC_ID, RG_ID.toUpperCase())).toBe(true);
    expect(scopeWithin(RG_ID, RG_ID)).toBe(true);
    expect(scopeWithin(`${SUB_ID}/resourceGroups/rg-e2e-2`, RG_ID)).toBe(false);
    expect(scopeWithin(SUB_ID, ROOT_SCOPE)).toBe(true);
  });

  it('offers a role only where it may be assigned', () => {
    expect(assignableAt({ assignableScopes: ['/'] }, NIC_ID)).toBe(true);
    expect(assignableAt({ assignableScopes: [RG_ID] }, SUB_ID)).toBe(false);
    expect(assignableAt({ assignableScopes: [] }, SUB_ID)).toBe(true);
  });
});

describe('principals', () => {
  it('labels and encodes members for the picker', () => {
    const alice = { type: 'user', name: 'alice' } as const;
    expect(principalLabel(alice)).toBe('alice (user)');
    expect(parsePrincipalValue(principalValue(alice))).toEqual(alice);
    expect(parsePrincipalValue('group:ops:team')).toEqual({ type: 'group', name: 'ops:team' });
    for (const bad of ['', 'alice', 'robot:x', 'user:']) expect(parsePrincipalValue(bad)).toBeUndefined();
    expect(principalTypeLabel('group')).toBe('Group');
  });
});
