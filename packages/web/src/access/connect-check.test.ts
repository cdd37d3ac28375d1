import { describe, expect, it } from 'vitest';
import { CONNECT_REFUSED_FALLBACK, connectCheckProblems } from './connect-check.js';

const NIC = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/web01-nic';

describe('connectCheckProblems', () => {
  it('is empty when allowed', () => {
    expect(connectCheckProblems({ allowed: true, bastionHostId: '/b', missing: [] })).toEqual([]);
  });

  it('lists the server messages verbatim', () => {
    const missing = [
      { role: 'Reader', resourceId: NIC, resourceType: 'Microsoft.Network/networkInterfaces', action: 'read', message: 'You need Reader on networkInterfaces/web01-nic' },
      { role: 'Reader', resourceId: '/b', resourceType: 'Microsoft.Network/bastionHosts', action: 'read', message: 'You need Reader on bastionHosts/b' },
    ];
    expect(connectCheckProblems({ allowed: false, bastionHostId: null, missing })).toEqual([
      'You need Reader on networkInterfaces/web01-nic',
      'You need Reader on bastionHosts/b',
    ]);
  });

  it('still says something when the server names nothing', () => {
    expect(connectCheckProblems({ allowed: false, bastionHostId: null, missing: [] })).toEqual([CONNECT_REFUSED_FALLBACK]);
  });
});
