import type { ResourceType } from '../../../protocol/src/resource-id.js';

/**
 * The action catalogue, spelled as Azure spells it (`{Namespace}/{resourceType}/{verb}`), plus the
 * tenant-level actions of the bastion's own identity store and audit log. Role definitions name these
 * actions or wildcard patterns over them (`*`, `*` + `/read`, `Microsoft.Network/bastionHosts/*`).
 */
export const ACTIONS = {
  subscriptions: { read: 'Microsoft.Resources/subscriptions/read' },
  resourceGroups: {
    read: 'Microsoft.Resources/subscriptions/resourceGroups/read',
    write: 'Microsoft.Resources/subscriptions/resourceGroups/write',
    delete: 'Microsoft.Resources/subscriptions/resourceGroups/delete',
  },
  virtualNetworks: {
    read: 'Microsoft.Network/virtualNetworks/read',
    write: 'Microsoft.Network/virtualNetworks/write',
    delete: 'Microsoft.Network/virtualNetworks/delete',
  },
  subnets: {
    read: 'Microsoft.Network/virtualNetworks/subnets/read',
    write: 'Microsoft.Network/virtualNetworks/subnets/write',
    delete: 'Microsoft.Network/virtualNetworks/subnets/delete',
  },
  virtualNetworkPeerings: {
    read: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings/read',
    write: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write',
    delete: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings/delete',
  },
  networkInterfaces: {
    read: 'Microsoft.Network/networkInterfaces/read',
    write: 'Microsoft.Network/networkInterfaces/write',
    delete: 'Microsoft.Network/networkInterfaces/delete',
  },
  ipConfigurations: { read: 'Microsoft.Network/networkInterfaces/ipconfigurations/read' },
  virtualMachines: {
    read: 'Microsoft.Compute/virtualMachines/read',
    write: 'Microsoft.Compute/virtualMachines/write',
    delete: 'Microsoft.Compute/virtualMachines/delete',
  },
  bastionHosts: {
    read: 'Microsoft.Network/bastionHosts/read',
    write: 'Microsoft.Network/bastionHosts/write',
    delete: 'Microsoft.Network/bastionHosts/delete',
    /** The Sessions blade (design 0005): list and end live sessions. Reader's `*` + `/read` grants neither. */
    getActiveSessions: 'Microsoft.Network/bastionHosts/getActiveSessions/action',
    disconnectActiveSessions: 'Microsoft.Network/bastionHosts/disconnectActiveSessions/action',
    /** Design 0007: connect to a private IP that is no registered VM (with Reader on the bastion). */
    connectByIp: 'Microsoft.Network/bastionHosts/connectByIp/action',
    createShareableLinks: 'Microsoft.Network/bastionHosts/createShareableLinks/action',
    getShareableLinks: 'Microsoft.Network/bastionHosts/getShareableLinks/action',
    deleteShareableLinks: 'Microsoft.Network/bastionHosts/deleteShareableLinks/action',
  },
  roleAssignments: {
    read: 'Microsoft.Authorization/roleAssignments/read',
    write: 'Microsoft.Authorization/roleAssignments/write',
    delete: 'Microsoft.Authorization/roleAssignments/delete',
  },
  roleDefinitions: {
    read: 'Microsoft.Authorization/roleDefinitions/read',
    write: 'Microsoft.Authorization/roleDefinitions/write',
    delete: 'Microsoft.Authorization/roleDefinitions/delete',
  },
  users: { read: 'Bastion.Identity/users/read', write: 'Bastion.Identity/users/write', delete: 'Bastion.Identity/users/delete' },
  groups: { read: 'Bastion.Identity/groups/read', write: 'Bastion.Identity/groups/write', delete: 'Bastion.Identity/groups/delete' },
  auditEvents: { read: 'Bastion.Audit/events/read' },
  /**
   * Session recordings (design 0006): list, play, download and watch live, checked on the recording's VM.
   * An `/action`, not a `/read`: recordings hold what users typed and saw, so Reader's `*` + `/read` must not
   * grant them (Azure's habit for sensitive reads such as listKeys); Owner's and Contributor's `*` do.
   */
  recordings: { playback: 'Bastion.Recordings/recordings/playback/action' },
  keyVaults: {
    read: 'Microsoft.KeyVault/vaults/read',
    write: 'Microsoft.KeyVault/vaults/write',
    delete: 'Microsoft.KeyVault/vaults/delete',
  },
  /** Secret metadata and management (set a value, delete); never the value itself: see DATA_ACTIONS. */
  keyVaultSecrets: {
    read: 'Microsoft.KeyVault/vaults/secrets/read',
    write: 'Microsoft.KeyVault/vaults/secrets/write',
    delete: 'Microsoft.KeyVault/vaults/secrets/delete',
  },
} as const;

/**
 * Data actions (Azure's split): using what a resource holds rather than managing it. A role grants them
 * only through its `dataActions`, never through `actions`, so Owner's and Contributor's `*` do not read
 * secret values, as in Azure (design 0002, "Data actions").
 */
export const DATA_ACTIONS = {
  keyVaultSecrets: { getSecret: 'Microsoft.KeyVault/vaults/secrets/getSecret/action' },
} as const;

/** Every data action in the catalogue. */
export const ALL_DATA_ACTIONS: readonly string[] = Object.values(DATA_ACTIONS).flatMap((verbs) => Object.values(verbs) as string[]);

export type Operation = 'read' | 'write' | 'delete';

/** Every action in the catalogue, in catalogue order. */
export const ALL_ACTIONS: readonly string[] = Object.values(ACTIONS).flatMap((verbs) => Object.values(verbs) as string[]);

/**
 * The scope of tenant-level actions (users, groups, audit, and role definitions/assignments when asked
 * about the tenant as a whole). It contains every subscription, as Azure's root scope `/` does.
 */
export const TENANT_SCOPE = '/';

/** Resource types the checker knows: the inventory's, plus the tenant-level "types" of the catalogue. */
export type RbacResourceType =
  | ResourceType
  | 'Microsoft.Authorization/roleAssignments'
  | 'Microsoft.Authorization/roleDefinitions'
  | 'Bastion.Identity/users'
  | 'Bastion.Identity/groups'
  | 'Bastion.Audit/events';

const BY_TYPE: Record<RbacResourceType, Partial<Record<Operation, string>>> = {
  'Microsoft.Resources/subscriptions': ACTIONS.subscriptions,
  'Microsoft.Resources/resourceGroups': ACTIONS.resourceGroups,
  'Microsoft.Network/virtualNetworks': ACTIONS.virtualNetworks,
  'Microsoft.Network/virtualNetworks/subnets': ACTIONS.subnets,
  'Microsoft.Network/virtualNetworks/virtualNetworkPeerings': ACTIONS.virtualNetworkPeerings,
  'Microsoft.Network/networkInterfaces': ACTIONS.networkInterfaces,
  'Microsoft.Network/bastionHosts': ACTIONS.bastionHosts,
  'Microsoft.Compute/virtualMachines': ACTIONS.virtualMachines,
  'Microsoft.Authorization/roleAssignments': ACTIONS.roleAssignments,
  'Microsoft.Authorization/roleDefinitions': ACTIONS.roleDefinitions,
  'Bastion.Identity/users': ACTIONS.users,
  'Bastion.Identity/groups': ACTIONS.groups,
  'Bastion.Audit/events': ACTIONS.auditEvents,
  'Microsoft.KeyVault/vaults': ACTIONS.keyVaults,
  'Microsoft.KeyVault/vaults/secrets': ACTIONS.keyVaultSecrets,
};

/**
 * The actions an operation on a resource type requires (today always one; an array so an operation that
 * touches more can list them all). Throws for a combination the catalogue does not have, e.g. writing a
 * subscription: an empty answer would read as "nothing required".
 *
 * @example actionsFor('Microsoft.Resources/resourceGroups', 'read') // ['Microsoft.Resources/subscriptions/resourceGroups/read']
 */
export function actionsFor(resourceType: RbacResourceType, operation: Operation): readonly string[] {
  const action = (BY_TYPE as Partial<Record<string, Partial<Record<Operation, string>>>>)[resourceType]?.[operation];
  if (!action) throw new Error(`No ${operation} action is defined for resource type ${resourceType}.`);
  return [action];
}

/**
 * Azure's action matching: case-insensitive, and `*` matches any run of characters, `/` included
 * (`*` + `/read` matches `Microsoft.Compute/virtualMachines/read`). A greedy glob (at worst pattern × action steps) with
 * backtracking to the last star only, so hostile patterns cannot blow up.
 */
export function matchesAction(pattern: string, action: string): boolean {
  const p = pattern.toLowerCase();
  const s = action.toLowerCase();
  let pi = 0;
  let si = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && p[pi] !== '*' && p[pi] === s[si]) {
      pi++;
      si++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = si;
    } else if (star !== -1) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

const PATTERN = /^[A-Za-z0-9.*_-]+(\/[A-Za-z0-9.*_-]+)*$/;
export const ACTION_PATTERN_MAX_LENGTH = 256;

/** Why `pattern` is not a usable action pattern (a phrase), or undefined if it is. */
export function actionPatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return `must be a string (got ${typeof pattern})`;
  if (pattern.length === 0) return 'must not be empty';
  if (pattern.length > ACTION_PATTERN_MAX_LENGTH) return `is longer than ${ACTION_PATTERN_MAX_LENGTH} characters`;
  if (!PATTERN.test(pattern)) return "must look like 'Namespace/resourceType/verb' (letters, digits, '.', '_', '-', '*', separated by '/')";
  if (!ALL_ACTIONS.some((a) => matchesAction(pattern, a))) {
    if (ALL_DATA_ACTIONS.some((a) => matchesAction(pattern, a)))
      return 'is a data action, which custom roles cannot grant yet: assign the built-in role Key Vault Secrets User (or Key Vault Administrator) instead';
    return 'matches no known action';
  }
  return undefined;
}
