import { describe, expect, it } from 'vitest';
import { ACTIONS, ALL_ACTIONS, actionPatternProblem, actionsFor, matchesAction } from './actions.js';

describe('matchesAction (Azure wildcard semantics)', () => {
  it.each([
    ['*', 'Microsoft.Compute/virtualMachines/read', true],
    ['*/read', 'Microsoft.Compute/virtualMachines/read', true],
    ['*/read', 'Microsoft.Network/networkInterfaces/ipconfigurations/read', true],
    ['*/read', 'Microsoft.Compute/virtualMachines/write', false],
    ['*/read', 'Microsoft.Compute/virtualMachines/readx', false],
    ['Microsoft.Network/bastionHosts/*', 'Microsoft.Network/bastionHosts/delete', true],
    ['Microsoft.Network/bastionHosts/*', 'Microsoft.Network/virtualNetworks/read', false],
    ['microsoft.network/BASTIONHOSTS/READ', 'Microsoft.Network/bastionHosts/read', true],
    ['Microsoft.Authorization/*/Write', 'Microsoft.Authorization/roleAssignments/write', true],
    ['Microsoft.Authorization/*/Write', 'Microsoft.Authorization/roleAssignments/read', false],
    ['Microsoft.Network/*/read', 'Microsoft.Network/virtualNetworks/subnets/read', true],
    ['Microsoft.Network/virtualNetworks/*', 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write', true],
    ['Microsoft.Network/virtualNetworks/read', 'Microsoft.Network/virtualNetworks/subnets/read', false],
    ['Microsoft.Compute/*', 'Microsoft.Network/networkInterfaces/read', false],
    ['*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(200), false],
  ])('%s vs %s → %s', (pattern, action, expected) => {
    expect(matchesAction(pattern, action)).toBe(expected);
  });
});

describe('actionsFor', () => {
  it('maps resource types and operations to catalogue actions, in Azure spelling', () => {
    expect(actionsFor('Microsoft.Compute/virtualMachines', 'write')).toEqual(['Microsoft.Compute/virtualMachines/write']);
    expect(actionsFor('Microsoft.Resources/resourceGroups', 'read')).toEqual(['Microsoft.Resources/subscriptions/resourceGroups/read']);
    expect(actionsFor('Microsoft.Network/virtualNetworks/virtualNetworkPeerings', 'delete')).toEqual([ACTIONS.virtualNetworkPeerings.delete]);
    expect(actionsFor('Bastion.Audit/events', 'read')).toEqual(['Bastion.Audit/events/read']);
  });

  it('throws for an operation the catalogue lacks instead of answering "nothing needed"', () => {
    expect(() => actionsFor('Microsoft.Resources/subscriptions', 'write')).toThrow(/No write action/);
    expect(() => actionsFor('Bastion.Audit/events', 'delete')).toThrow(/No delete action/);
  });

  it('the catalogue has no duplicates and every action names its namespace', () => {
    expect(new Set(ALL_ACTIONS.map((a) => a.toLowerCase())).size).toBe(ALL_ACTIONS.length);
    for (const a of ALL_ACTIONS) expect(a).toMatch(/^(Microsoft\.(Compute|Network|Resources|Authorization|KeyVault)|Bastion\.(Identity|Audit|Recordings))\/[A-Za-z/]+\/(read|write|delete|action)$/);
  });
});

describe('actionPatternProblem', () => {
  it('accepts actions and wildcards that match something', () => {
    for (const p of ['*', '*/read', 'Microsoft.Network/bastionHosts/*', 'bastion.identity/users/read']) expect(actionPatternProblem(p)).toBeUndefined();
  });
  it('names what is wrong', () => {
    expect(actionPatternProblem('')).toBe('must not be empty');
    expect(actionPatternProblem('Microsoft.Compute/virtualMachine/read')).toBe('matches no known action');
    expect(actionPatternProblem('Microsoft.Compute//read')).toMatch(/must look like/);
    expect(actionPatternProblem('a b')).toMatch(/must look like/);
    expect(actionPatternProblem(42)).toMatch(/must be a string/);
    expect(actionPatternProblem('*'.repeat(300))).toMatch(/longer than/);
  });
  it('refuses a data action in actions, naming the built-in role that grants it', () => {
    expect(actionPatternProblem('Microsoft.KeyVault/vaults/secrets/getSecret/action')).toMatch(/data action.*Key Vault Secrets User/);
    expect(actionPatternProblem('Microsoft.KeyVault/vaults/secrets/*')).toBeUndefined(); // matches the management actions
  });
});
