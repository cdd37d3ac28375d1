import { describe, expect, it } from 'vitest';
import {
  RESOURCE_TYPES,
  ResourceIdError,
  canonicalResourceId,
  formatResourceId,
  isResourceType,
  isValidResourceName,
  parentScopes,
  parseResourceId,
  resourceTypeLabel,
  sameResourceId,
  scopeContains,
  validateResourceName,
  validateSubscriptionId,
  type ResourceIdParts,
} from './resource-id.js';

const SUB = '00000000-0000-0000-0000-000000000000';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-testbed`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet-testbed`;

const EXAMPLES: Array<[string, ResourceIdParts]> = [
  [`/subscriptions/${SUB}`, { subscriptionId: SUB, type: 'Microsoft.Resources/subscriptions', name: SUB }],
  [RG, { subscriptionId: SUB, resourceGroup: 'rg-testbed', type: 'Microsoft.Resources/resourceGroups', name: 'rg-testbed' }],
  [VNET, { subscriptionId: SUB, resourceGroup: 'rg-testbed', type: 'Microsoft.Network/virtualNetworks', name: 'vnet-testbed' }],
  [
    `${VNET}/subnets/snet-vms`,
    { subscriptionId: SUB, resourceGroup: 'rg-testbed', type: 'Microsoft.Network/virtualNetworks/subnets', name: 'snet-vms', parent: 'vnet-testbed' },
  ],
  [
    `${VNET}/virtualNetworkPeerings/to-hub`,
    {
      subscriptionId: SUB,
      resourceGroup: 'rg-testbed',
      type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
      name: 'to-hub',
      parent: 'vnet-testbed',
    },
  ],
  [
    `${RG}/providers/Microsoft.Network/networkInterfaces/vm-ssh-nic`,
    { subscriptionId: SUB, resourceGroup: 'rg-testbed', type: 'Microsoft.Network/networkInterfaces', name: 'vm-ssh-nic' },
  ],
  [
    `${RG}/providers/Microsoft.Compute/virtualMachines/vm-ssh`,
    { subscriptionId: SUB, resourceGroup: 'rg-testbed', type: 'Microsoft.Compute/virtualMachines', name: 'vm-ssh' },
  ],
  [
    `${RG}/providers/Microsoft.Network/bastionHosts/bastion-testbed`,
    { subscriptionId: SUB, resourceGroup: 'rg-testbed', type: 'Microsoft.Network/bastionHosts', name: 'bastion-testbed' },
  ],
  [`${RG}/providers/Microsoft.KeyVault/vaults/kv-ops`, { subscriptionId: SUB, resourceGroup: 'rg-testbed', type: 'Microsoft.KeyVault/vaults', name: 'kv-ops' }],
  [
    `${RG}/providers/Microsoft.KeyVault/vaults/kv-ops/secrets/${'s'.repeat(127)}`,
    { subscriptionId: SUB, resourceGroup: 'rg-testbed', type: 'Microsoft.KeyVault/vaults/secrets', name: 's'.repeat(127), parent: 'kv-ops' },
  ],
];

/** Runs `fn`, expects a ResourceIdError and returns its message. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ResourceIdError);
    return (err as Error).message;
  }
  throw new Error('expected a ResourceIdError, nothing was thrown');
}

describe('parseResourceId and formatResourceId', () => {
  it.each(EXAMPLES)('round-trips %s', (id, parts) => {
    expect(parseResourceId(id)).toEqual(parts);
    expect(formatResourceId(parts)).toBe(id);
  });

  it('covers every resource type', () => {
    expect(new Set(EXAMPLES.map(([, p]) => p.type))).toEqual(new Set(RESOURCE_TYPES));
  });

  it('matches fixed segments case-insensitively and writes them back canonically, keeping name casing', () => {
    const messy = `/SUBSCRIPTIONS/${SUB}/resourcegroups/RG-Testbed/PROVIDERS/microsoft.network/VIRTUALNETWORKS/Vnet-A/SUBNETS/Snet-B`;
    const parts = parseResourceId(messy);
    expect(parts).toEqual({
      subscriptionId: SUB,
      resourceGroup: 'RG-Testbed',
      type: 'Microsoft.Network/virtualNetworks/subnets',
      name: 'Snet-B',
      parent: 'Vnet-A',
    });
    expect(canonicalResourceId(messy)).toBe(`/subscriptions/${SUB}/resourceGroups/RG-Testbed/providers/Microsoft.Network/virtualNetworks/Vnet-A/subnets/Snet-B`);
    expect(canonicalResourceId(`${RG}/providers/MICROSOFT.COMPUTE/virtualmachines/vm1`)).toBe(`${RG}/providers/Microsoft.Compute/virtualMachines/vm1`);
  });

  it.each([
    ['', /must not be empty/],
    ['subscriptions/x', /must start with '\/subscriptions\/'/],
    ['/', /must start with '\/subscriptions\/'/],
    ['/subscriptions/x/', /must not end with '\/'/],
    ['/subscriptions//resourceGroups/rg', /empty segment/],
    ['/subscription/x', /expected 'subscriptions' after the leading \/, found "subscription"/],
    ['/subscriptions', /subscription ID is missing after 'subscriptions'/],
    ['/subscriptions/x/resourceGroup/rg', /expected 'resourceGroups' after the subscription ID, found "resourceGroup"/],
    ['/subscriptions/x/providers/Microsoft.Compute/virtualMachines', /expected 'resourceGroups' after the subscription ID, found "providers"/],
    ['/subscriptions/x/resourceGroups', /resource group name is missing after 'resourceGroups'/],
    ['/subscriptions/x/resourceGroups/rg/provider/Microsoft.Network', /expected 'providers' after the resource group name/],
    ['/subscriptions/x/resourceGroups/rg/providers', /ends after 'providers'; expected a provider namespace \(Microsoft.Compute or Microsoft.KeyVault or Microsoft.Network\)/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/s', /unsupported resource provider "Microsoft.Storage"/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network', /resource type is missing after 'Microsoft.Network' \(supported: .*virtualNetworks/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb', /unsupported resource type "Microsoft.Network\/loadBalancers"/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualNetworks/v', /unsupported resource type "Microsoft.Compute\/virtualNetworks"/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/subnets/s', /unsupported resource type "Microsoft.Network\/subnets"/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks', /virtual network name is missing after 'virtualNetworks'/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/routes/r', /unsupported child resource type "Microsoft.Network\/virtualNetworks\/routes" \(supported: .*subnets, .*virtualNetworkPeerings\)/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets', /subnet name is missing after 'subnets'/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s/extra', /unexpected "\/extra" after the subnet name/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/extensions/e', /unexpected "\/extensions\/e" after the virtual machine name/],
    ['/subscriptions/x/resourceGroups/rg!/providers/Microsoft.Compute/virtualMachines/vm', /resource group name "rg!" contains '!'/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm.', /virtual machine name "vm." must not end with '.'/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/-vm', /must start with a letter or a digit/],
    [`/subscriptions/${'s'.repeat(65)}`, /subscription ID "s+" is 65 characters long; the limit is 64/],
    ['/subscriptions/a b', /subscription ID "a b" contains a space/],
  ])('rejects %j', (id, message) => {
    const msg = errorOf(() => parseResourceId(id));
    expect(msg).toMatch(message);
    if (id !== '') expect(msg).toContain(`Invalid resource ID ${JSON.stringify(id)}`);
  });

  it('rejects non-strings at runtime', () => {
    expect(errorOf(() => parseResourceId(42 as unknown as string))).toBe('A resource ID must be a string (got number).');
  });

  it('records the input on the error', () => {
    try {
      parseResourceId('/nope');
    } catch (err) {
      expect((err as ResourceIdError).input).toBe('/nope');
      expect((err as ResourceIdError).name).toBe('ResourceIdError');
    }
  });

  it('refuses inconsistent parts when formatting', () => {
    const vm = { subscriptionId: SUB, type: 'Microsoft.Compute/virtualMachines', name: 'vm' } as const;
    expect(errorOf(() => formatResourceId(vm))).toMatch(/virtual machine ID: resourceGroup is required/);
    expect(errorOf(() => formatResourceId({ ...vm, resourceGroup: 'rg', parent: 'v' }))).toMatch(/parent must not be set/);
    expect(errorOf(() => formatResourceId({ ...vm, resourceGroup: 'rg', name: 'bad/name' }))).toMatch(
      /Invalid virtual machine name "bad\/name": contains '\/' \(names cannot contain '\/'\)/,
    );
    expect(
      errorOf(() => formatResourceId({ subscriptionId: SUB, resourceGroup: 'rg', type: 'Microsoft.Network/virtualNetworks/subnets', name: 's' })),
    ).toMatch(/parent \(the virtual network name\) is required/);
    expect(errorOf(() => formatResourceId({ subscriptionId: SUB, type: 'Microsoft.Resources/subscriptions', name: 'other' }))).toMatch(
      /a subscription's name is its ID/,
    );
    expect(
      errorOf(() => formatResourceId({ subscriptionId: SUB, resourceGroup: 'a', type: 'Microsoft.Resources/resourceGroups', name: 'b' })),
    ).toMatch(/resourceGroup "a" and name "b" differ/);
    expect(errorOf(() => formatResourceId({ subscriptionId: 'bad sub', type: 'Microsoft.Resources/subscriptions', name: 'bad sub' }))).toMatch(
      /Invalid subscription ID "bad sub"/,
    );
    expect(errorOf(() => formatResourceId({ ...vm, resourceGroup: 'rg', type: 'Microsoft.Storage/accounts' as never }))).toMatch(
      /Unsupported resource type "Microsoft.Storage\/accounts"/,
    );
  });

  it('formats a resource group from name alone', () => {
    expect(formatResourceId({ subscriptionId: SUB, type: 'Microsoft.Resources/resourceGroups', name: 'rg-testbed' })).toBe(RG);
  });
});

describe('parentScopes', () => {
  it('lists subscription, resource group, virtual network and subnet for a subnet', () => {
    expect(parentScopes(`${VNET}/SUBNETS/snet-vms`)).toEqual([`/subscriptions/${SUB}`, RG, VNET, `${VNET}/subnets/snet-vms`]);
  });

  it('is just the subscription for a subscription, and three long for a VM', () => {
    expect(parentScopes(`/subscriptions/${SUB}`)).toEqual([`/subscriptions/${SUB}`]);
    expect(parentScopes(RG)).toEqual([`/subscriptions/${SUB}`, RG]);
    const vm = `${RG}/providers/Microsoft.Compute/virtualMachines/vm-ssh`;
    expect(parentScopes(vm)).toEqual([`/subscriptions/${SUB}`, RG, vm]);
  });

  it('accepts parsed parts', () => {
    expect(parentScopes(parseResourceId(`${VNET}/virtualNetworkPeerings/p`))).toEqual([`/subscriptions/${SUB}`, RG, VNET, `${VNET}/virtualNetworkPeerings/p`]);
  });

  it('propagates parse errors', () => {
    expect(errorOf(() => parentScopes('/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/nope/x'))).toMatch(/unsupported resource type/);
  });
});

describe('scopeContains and sameResourceId', () => {
  const subnet = `${VNET}/subnets/snet-vms`;
  it('is true for the resource itself and its ancestors, case-insensitively', () => {
    expect(scopeContains(subnet, subnet)).toBe(true);
    expect(scopeContains(VNET, subnet)).toBe(true);
    expect(scopeContains(RG.toUpperCase().replace('/SUBSCRIPTIONS', '/subscriptions'), subnet)).toBe(true);
    expect(scopeContains(`/subscriptions/${SUB}`, subnet)).toBe(true);
  });

  it('is false for siblings, descendants and other groups', () => {
    expect(scopeContains(subnet, VNET)).toBe(false);
    expect(scopeContains(`${VNET}/subnets/other`, subnet)).toBe(false);
    expect(scopeContains(`/subscriptions/${SUB}/resourceGroups/rg-other`, subnet)).toBe(false);
    expect(scopeContains(`/subscriptions/${SUB}/resourceGroups/rg-test`, subnet)).toBe(false); // prefix of rg-testbed
    expect(scopeContains('/subscriptions/other', subnet)).toBe(false);
  });

  it('compares IDs ignoring case', () => {
    expect(sameResourceId(VNET, VNET.toLowerCase())).toBe(true);
    expect(sameResourceId(VNET, `${VNET}2`)).toBe(false);
  });
});

describe('resource names', () => {
  it.each(['a', 'A1', '0', 'vm-ssh', 'snet_vms', 'my.vm', 'AzureBastionSubnet', 'x'.repeat(80), 'a-', 'a_'])('accepts %j', (name) => {
    expect(isValidResourceName(name)).toBe(true);
    expect(() => validateResourceName(name)).not.toThrow();
  });

  it.each([
    ['', 'must not be empty'],
    ['x'.repeat(81), 'is 81 characters long; the limit is 80'],
    ['-vm', 'must start with a letter or a digit'],
    ['.vm', 'must start with a letter or a digit'],
    ['_vm', 'must start with a letter or a digit'],
    ['vm.', "must not end with '.'"],
    ['vm 1', 'contains a space'],
    ['vm/1', "contains '/' (names cannot contain '/')"],
    ['vm\t1', 'contains a control character (U+0009)'],
    ['vmé', "contains 'é' (only ASCII letters are allowed)"],
    ['vm@x', "contains '@'"],
    ['vm(1)', "contains '('"],
  ])('rejects %j: %s', (name, problem) => {
    expect(isValidResourceName(name)).toBe(false);
    const only = /^contains/.test(problem) ? "; only letters, digits, '_', '.' and '-' are allowed" : '';
    expect(errorOf(() => validateResourceName(name, 'virtual machine name'))).toBe(
      `Invalid virtual machine name ${JSON.stringify(name)}: ${problem}${only}.`,
    );
  });

  it('allows 64-character subscription IDs but not 65', () => {
    expect(() => validateSubscriptionId('s'.repeat(64))).not.toThrow();
    expect(errorOf(() => validateSubscriptionId('s'.repeat(65)))).toMatch(/limit is 64/);
  });
});

describe('resource types', () => {
  it('knows its types and labels', () => {
    expect(isResourceType('Microsoft.Compute/virtualMachines')).toBe(true);
    expect(isResourceType('microsoft.compute/virtualmachines')).toBe(false); // canonical casing only
    expect(isResourceType(7)).toBe(false);
    expect(resourceTypeLabel('Microsoft.Network/virtualNetworks/virtualNetworkPeerings')).toBe('virtual network peering');
    expect(RESOURCE_TYPES[0]).toBe('Microsoft.Resources/subscriptions');
  });
});
