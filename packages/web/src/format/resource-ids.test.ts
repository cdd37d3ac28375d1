import { describe, expect, it } from 'vitest';
import { isResourceId, shortenIds, shortResourceName } from './resource-ids.js';

const SUB = '/subscriptions/11111111-2222-3333-4444-555555555555';
const VM = `${SUB}/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web01`;

describe('resource IDs for people', () => {
  it('names a resource by its type and name, a group or a subscription by what it is', () => {
    expect(shortResourceName(VM)).toBe('virtualMachines/web01');
    expect(shortResourceName(`${SUB}/resourceGroups/rg-prod`)).toBe('resource group rg-prod');
    expect(shortResourceName(SUB)).toBe('subscription 11111111-2222-3333-4444-555555555555');
    expect(shortResourceName('alice')).toBe('alice');
  });

  it('shortens the IDs inside a message and leaves the rest of it', () => {
    expect(shortenIds(`You need Reader on ${VM}.`)).toBe('You need Reader on virtualMachines/web01.');
    expect(shortenIds(`Role assignment at ${SUB}/resourceGroups/rg-prod removed`)).toBe('Role assignment at resource group rg-prod removed');
    expect(shortenIds('Signed in.')).toBe('Signed in.');
  });

  it('tells IDs from names', () => {
    expect(isResourceId(VM)).toBe(true);
    expect(isResourceId('web01')).toBe(false);
    expect(isResourceId(null)).toBe(false);
  });
});
