import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { UserDirectory } from '../identity/users.js';
import * as ids from '../inventory/ids.js';
import { InventoryService } from '../inventory/service.js';
import { MIGRATION_NAMES } from '../storage/migrate.js';
import * as m0002 from '../storage/migrations/0002-rbac.js';
import { openStore, type Store } from '../storage/open.js';
import { AccessChecker } from './checker.js';
import { loadPrincipal } from './principal.js';
import { RoleStore } from './role-store.js';
import type { Principal, RoleAssignment } from './types.js';

/**
 * Test support only (excluded from the build by the `test-app.ts` rule): a real SQLite store with the
 * RBAC migration, a real inventory, and helpers to make users, groups and assignments.
 *
 * Inventory (subscription `sub-rbac`):
 * - rg-app:   vnet-app 10.1.0.0/16 (AzureBastionSubnet, snet-vms), web01 ← web01-nic 10.1.1.4, bastion bas-app
 * - rg-other: vnet-other 10.3.0.0/16 (snet-vms), other01 ← other01-nic 10.3.1.4 (no bastion reaches it)
 * - rg-hub:   vnet-hub 10.0.0.0/16 (AzureBastionSubnet), bastion bas-hub
 * - rg-spoke: vnet-spoke 10.2.0.0/16 (snet-vms) peered with vnet-hub, db01 ← db01-nic 10.2.1.4
 */
export const SUB = 'sub-rbac';
const vnet = (rg: string, name: string) => ids.virtualNetworkId(SUB, rg, name);
export const IDS = {
  subscription: ids.subscriptionId(SUB),
  rgApp: ids.resourceGroupId(SUB, 'rg-app'),
  rgOther: ids.resourceGroupId(SUB, 'rg-other'),
  rgHub: ids.resourceGroupId(SUB, 'rg-hub'),
  rgSpoke: ids.resourceGroupId(SUB, 'rg-spoke'),
  vnetApp: vnet('rg-app', 'vnet-app'),
  vnetOther: vnet('rg-other', 'vnet-other'),
  vnetHub: vnet('rg-hub', 'vnet-hub'),
  vnetSpoke: vnet('rg-spoke', 'vnet-spoke'),
  web01: ids.virtualMachineId(SUB, 'rg-app', 'web01'),
  web01Nic: ids.networkInterfaceId(SUB, 'rg-app', 'web01-nic'),
  basApp: ids.bastionHostId(SUB, 'rg-app', 'bas-app'),
  other01: ids.virtualMachineId(SUB, 'rg-other', 'other01'),
  other01Nic: ids.networkInterfaceId(SUB, 'rg-other', 'other01-nic'),
  basHub: ids.bastionHostId(SUB, 'rg-hub', 'bas-hub'),
  db01: ids.virtualMachineId(SUB, 'rg-spoke', 'db01'),
  db01Nic: ids.networkInterfaceId(SUB, 'rg-spoke', 'db01-nic'),
} as const;

export interface RbacTestbed {
  store: Store;
  roles: RoleStore;
  inventory: InventoryService;
  checker: AccessChecker;
  /** A new user (random name) in the given groups, as a principal. */
  newUser(groupIds?: string[]): Promise<Principal>;
  newGroup(): Promise<string>;
  assign(principalId: string, role: string, scope: string, principalType?: 'user' | 'group'): Promise<RoleAssignment>;
  dispose(): Promise<void>;
}

/** Runs 0002 unless migrate.ts already does (so this keeps working once the migration is registered). */
export async function migrateRbac(db: Kysely<unknown>): Promise<void> {
  if (!MIGRATION_NAMES.includes('0002-rbac')) await m0002.up(db, 'sqlite');
}

export async function createRbacTestbed(opts: { inventory?: boolean } = {}): Promise<RbacTestbed> {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-rbac-'));
  const store = await openStore({ sqliteFile: join(dir, 'bastion.db') });
  await migrateRbac(store.db as Kysely<unknown>);
  const roles = new RoleStore(store.db);
  const inventory = new InventoryService(store.db, SUB);
  const users = new UserDirectory(store.db);
  if (opts.inventory !== false) await buildInventory(inventory);
  return {
    store,
    roles,
    inventory,
    checker: new AccessChecker(roles, inventory),
    async newUser(groupIds = []) {
      const user = await users.create({ username: `u-${randomUUID().slice(0, 8)}`, passwordHash: 'not-used' });
      for (const g of groupIds) await store.db.insertInto('group_members').values({ group_id: g, user_id: user.id }).execute();
      return loadPrincipal(store.db, user.id);
    },
    async newGroup() {
      return (await users.createGroup(`g-${randomUUID().slice(0, 8)}`)).id;
    },
    assign: (principalId, role, scope, principalType = 'user') => roles.createRoleAssignment({ principalType, principalId, role, scope }),
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function buildInventory(inv: InventoryService): Promise<void> {
  for (const rg of ['rg-app', 'rg-other', 'rg-hub', 'rg-spoke']) await inv.putResourceGroup(rg, 'westeurope');
  const bastionSubnet = (prefix: string) => ({ name: 'AzureBastionSubnet', addressPrefix: prefix });
  await inv.putVirtualNetwork('rg-app', 'vnet-app', { addressPrefixes: ['10.1.0.0/16'], subnets: [bastionSubnet('10.1.0.0/26'), { name: 'snet-vms', addressPrefix: '10.1.1.0/24' }] });
  await inv.putVirtualNetwork('rg-other', 'vnet-other', { addressPrefixes: ['10.3.0.0/16'], subnets: [{ name: 'snet-vms', addressPrefix: '10.3.1.0/24' }] });
  await inv.putVirtualNetwork('rg-hub', 'vnet-hub', { addressPrefixes: ['10.0.0.0/16'], subnets: [bastionSubnet('10.0.0.0/26')] });
  await inv.putVirtualNetwork('rg-spoke', 'vnet-spoke', { addressPrefixes: ['10.2.0.0/16'], subnets: [{ name: 'snet-vms', addressPrefix: '10.2.1.0/24' }] });
  await inv.putPeering('rg-spoke', 'vnet-spoke', 'spoke-to-hub', IDS.vnetHub);
  const vmWithNic = async (rg: string, name: string, ip: string, vnetId: string) => {
    const nic = await inv.putNetworkInterface(rg, `${name}-nic`, { ipConfigurations: [{ privateIPAddress: ip, subnetId: ids.subnetId(vnetId, 'snet-vms') }] });
    await inv.putVirtualMachine(rg, name, { osType: 'linux', networkInterfaceIds: [nic.id] });
  };
  await vmWithNic('rg-app', 'web01', '10.1.1.4', IDS.vnetApp);
  await vmWithNic('rg-other', 'other01', '10.3.1.4', IDS.vnetOther);
  await vmWithNic('rg-spoke', 'db01', '10.2.1.4', IDS.vnetSpoke);
  await inv.putBastionHost('rg-app', 'bas-app', IDS.vnetApp);
  await inv.putBastionHost('rg-hub', 'bas-hub', IDS.vnetHub);
}
