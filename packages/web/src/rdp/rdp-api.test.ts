import { describe, expect, it } from 'vitest';
import type { RdpCertificateEntry } from '../../../protocol/src/rdp-relay.js';
import { certificateChangeOn, relayUrlFor } from './rdp-api.js';

describe('certificateChangeOn', () => {
  const info = (fingerprint: string) => ({ fingerprint, subject: 'CN=vm', validFrom: '', validTo: '' });
  const entry = (port: number, mismatch: boolean): RdpCertificateEntry => ({
    port,
    host: '10.0.0.4',
    pinned: { ...info('AA'), pinnedAt: '', acceptedBy: null },
    lastOffered: mismatch ? { ...info('BB'), offeredAt: '' } : null,
    mismatch,
  });
  it('reports the pinned and offered fingerprints of the port that changed', () => {
    expect(certificateChangeOn([entry(3389, true)], 3389)).toEqual({ port: 3389, pinned: 'AA', offered: 'BB' });
  });
  it('nothing for another port, no mismatch or no entry', () => {
    expect(certificateChangeOn([entry(3390, true)], 3389)).toBeUndefined();
    expect(certificateChangeOn([entry(3389, false)], 3389)).toBeUndefined();
    expect(certificateChangeOn([], 3389)).toBeUndefined();
  });
});

describe('relayUrlFor', () => {
  const page = { protocol: 'https:', host: 'bastion.example:8443' };
  it('keeps the path and query, on the page host, over wss', () => {
    expect(relayUrlFor('wss://bastion.example:8443/api/rdp/relay', page)).toBe('wss://bastion.example:8443/api/rdp/relay');
    expect(relayUrlFor('wss://127.0.0.1:9999/api/rdp/relay?x=1', page)).toBe('wss://bastion.example:8443/api/rdp/relay?x=1');
    expect(relayUrlFor('/api/rdp/relay', page)).toBe('wss://bastion.example:8443/api/rdp/relay');
  });
  it('never sends credentials to another host', () => {
    expect(relayUrlFor('wss://evil.example/api/rdp/relay', page)).toBe('wss://bastion.example:8443/api/rdp/relay');
  });
  it('uses ws only for a plain-http page (development)', () => {
    expect(relayUrlFor('/api/rdp/relay', { protocol: 'http:', host: 'localhost:5173' })).toBe('ws://localhost:5173/api/rdp/relay');
  });
});
