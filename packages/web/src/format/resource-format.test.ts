import { describe, expect, it } from 'vitest';
import { NONE, addressSpaceText, joinOrNone, nameFromId, osTypeLabel, subnetsText, tagLabels, timeText } from './resource-format.js';

const VNET_ID = '/subscriptions/s/resourceGroups/rg-testbed/providers/Microsoft.Network/virtualNetworks/vnet-testbed';

describe('resource cell text', () => {
  it('takes names from IDs', () => {
    expect(nameFromId(VNET_ID)).toBe('vnet-testbed');
    expect(nameFromId(`${VNET_ID}/`)).toBe('vnet-testbed');
    expect(nameFromId(undefined)).toBe(NONE);
  });

  it('labels OS types', () => {
    expect(osTypeLabel('linux')).toBe('Linux');
    expect(osTypeLabel('windows')).toBe('Windows');
  });

  it('sorts tags by key', () => {
    expect(tagLabels({ role: 'ssh', env: 'test', flag: '' })).toEqual(['env: test', 'flag', 'role: ssh']);
    expect(tagLabels(undefined)).toEqual([]);
  });

  it('describes address space and subnets', () => {
    const props = {
      addressSpace: { addressPrefixes: ['10.90.0.0/16'] },
      subnets: [
        { name: 'AzureBastionSubnet', properties: { addressPrefix: '10.90.0.0/26' } },
        { name: 'snet-vms', properties: { addressPrefix: '10.90.1.0/24' } },
      ],
    };
    expect(addressSpaceText(props)).toBe('10.90.0.0/16');
    expect(subnetsText(props)).toBe('AzureBastionSubnet (10.90.0.0/26), snet-vms (10.90.1.0/24)');
    expect(subnetsText({ addressSpace: { addressPrefixes: [] } })).toBe(NONE);
    expect(joinOrNone([])).toBe(NONE);
  });

  it('formats times and keeps junk as is', () => {
    expect(timeText('2025-01-02T03:04:05Z', 'en-GB')).toContain('2025');
    expect(timeText('not a date')).toBe('not a date');
  });
});
