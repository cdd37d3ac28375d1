import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { BastionError, type ErrorCode } from '../errors.js';
import * as ids from '../inventory/ids.js';
import type { InventoryService } from '../inventory/service.js';
import type { Store } from './open.js';

/**
 * What the parts of the storage compliance suite share (see store-suite.ts): the suite's store, names,
 * the refusal assertion and the inventory fixtures. Only imported by tests: it uses vitest.
 */
export interface StoreSuiteContext {
  /** The store the suite opened in its beforeAll; call it inside tests only. */
  store: () => Store;
  /** Opens the same database again (a reopen; the caller closes it). */
  open: () => Promise<Store>;
}

/** A name no other test (or earlier run) uses. */
export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;
export const PASSWORD = 'Correct-Horse-42';

/** Awaits a promise that must fail with a BastionError of `code` whose message contains every part. */
export async function refused(promise: Promise<unknown>, code: ErrorCode, ...parts: string[]): Promise<BastionError> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  if (error === undefined) throw new Error(`expected ${code}${parts.length ? ` (${parts.join(' … ')})` : ''}, but it succeeded`);
  expect(error, String(error)).toBeInstanceOf(BastionError);
  const e = error as BastionError;
  expect({ code: e.code, message: e.message }).toMatchObject({ code });
  for (const part of parts) expect(e.message).toContain(part);
  return e;
}

/** rg-app + vnet-hub 10.90.0.0/16 with AzureBastionSubnet 10.90.0.0/26 and snet-vms 10.90.1.0/24. */
export async function hub(inv: InventoryService, rg = 'rg-app') {
  await inv.putResourceGroup(rg, 'westeurope', { env: 'test' });
  const vnet = await inv.putVirtualNetwork(rg, 'vnet-hub', {
    addressPrefixes: ['10.90.0.0/16'],
    subnets: [
      { name: 'AzureBastionSubnet', addressPrefix: '10.90.0.0/26' },
      { name: 'snet-vms', addressPrefix: '10.90.1.0/24' },
    ],
  });
  return { vnet, vmsSubnetId: ids.subnetId(vnet.id, 'snet-vms'), bastionSubnetId: ids.subnetId(vnet.id, 'AzureBastionSubnet') };
}

export const nic = (inv: InventoryService, name: string, subnetId: string, ip: string, rg = 'rg-app') =>
  inv.putNetworkInterface(rg, name, { ipConfigurations: [{ privateIPAddress: ip, subnetId }] });
