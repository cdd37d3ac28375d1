import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BastionAuditRecord } from '../../../../protocol/src/bastion-audit-log.js';
import type { RelaySocket } from '../../gateway/ssh/relay.js';
import { InventoryService } from '../../inventory/service.js';
import { createTestBastion, type TestBastion } from '../test-app.js';
import { recordingsFor, startSshRecording } from './recording-hooks.js';

/**
 * A bastion's `enableSessionRecording` against the global recordings (real Recordings, real inventory
 * from the config file): off exempts that bastion's sessions (no file, no recording row, no failure
 * notice); on, absent or a session with no bastion follows the global config.
 */
const SUB = 'sub-recbas';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-r`;
const bastion = (name: string) => `${rg}/providers/Microsoft.Network/bastionHosts/${name}`;
let b: TestBastion;
let inventory: InventoryService;
let n = 0;

beforeAll(async () => {
  b = await createTestBastion({
    inventory: {
      subscription: { id: SUB },
      resourceGroups: [{ name: 'rg-r' }],
      virtualNetworks: ['a', 'b', 'c'].map((x, i) => ({ name: `vnet-${x}`, resourceGroup: 'rg-r', addressSpace: [`10.${81 + i}.0.0/16`], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: `10.${81 + i}.0.0/26` }] })),
      bastionHosts: [
        { name: 'bas-off', resourceGroup: 'rg-r', virtualNetwork: 'vnet-a', enableSessionRecording: false },
        { name: 'bas-on', resourceGroup: 'rg-r', virtualNetwork: 'vnet-b', enableSessionRecording: true },
        { name: 'bas-default', resourceGroup: 'rg-r', virtualNetwork: 'vnet-c' },
      ],
    },
  });
  inventory = new InventoryService(b.store.db, b.subscriptionId);
});
afterAll(async () => {
  await b?.dispose();
});

const request = { log: { error: () => undefined } } as unknown as FastifyRequest;
const ws = { readyState: 1, send: () => undefined } as unknown as RelaySocket;

function connection(bastionResourceId: string | null): Promise<BastionAuditRecord> {
  return b.connections.start({ sessionId: `00000000-0000-4000-a000-${String(++n).padStart(12, '0')}`, protocol: 'ssh', bastionResourceId, userName: 'u', principalName: 'p', principalId: 'p', userAgent: null, clientIpAddress: '192.0.2.1', clientPort: null, targetResourceId: `${rg}/providers/Microsoft.Compute/virtualMachines/vm`, targetVMIPAddress: '10.81.1.4', targetPort: 22, startTime: new Date().toISOString() });
}

const castOf = (record: BastionAuditRecord): string => {
  const d = new Date(record.startTime);
  return join(b.recordingsDir, String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'), `${record.sessionId}.cast`);
};

describe('enableSessionRecording', () => {
  it('false: an SSH session through that bastion is not recorded and nothing tells of a failure', async () => {
    const record = await connection(bastion('bas-off'));
    const recordings = await recordingsFor(b.recordings, inventory, record);
    expect(recordings).toBeUndefined();
    expect(await startSshRecording(recordings, record, request, ws, () => undefined)).toEqual({ ok: true, recording: undefined });
    expect(existsSync(castOf(record))).toBe(false);
  });

  it('true, absent, or no bastion: the global recordings apply and the session is recorded', async () => {
    for (const id of [bastion('bas-on'), bastion('bas-default'), null]) {
      const record = await connection(id);
      const recordings = await recordingsFor(b.recordings, inventory, record);
      expect(recordings).toBe(b.recordings);
      const started = await startSshRecording(recordings, record, request, ws, () => undefined);
      expect(started.ok && started.recording).toBeTruthy();
      if (started.ok) await started.recording?.close();
      expect(existsSync(castOf(record))).toBe(true);
    }
  });

  it('without global recordings, true records nothing either', async () => {
    expect(await recordingsFor(undefined, inventory, await connection(bastion('bas-on')))).toBeUndefined();
  });
});
