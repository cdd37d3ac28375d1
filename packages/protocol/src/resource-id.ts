/**
 * Azure-form resource IDs: parsing, formatting, scope chains (for RBAC inheritance) and name rules.
 * Pure functions over strings; no Node or DOM APIs.
 *
 * Fixed segments (`subscriptions`, `resourceGroups`, `providers`, namespaces, type names) are matched
 * case-insensitively, as Azure does, and always written back in their canonical casing. Names keep the
 * casing they were given; compare IDs with `sameResourceId` (Azure names are case-insensitive too).
 *
 * @example
 * parseResourceId('/SUBSCRIPTIONS/s1/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v/subnets/a')
 * // → { subscriptionId: 's1', resourceGroup: 'rg', type: 'Microsoft.Network/virtualNetworks/subnets', name: 'a', parent: 'v' }
 */

export type ResourceType =
  | 'Microsoft.Resources/subscriptions'
  | 'Microsoft.Resources/resourceGroups'
  | 'Microsoft.Network/virtualNetworks'
  | 'Microsoft.Network/virtualNetworks/subnets'
  | 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings'
  | 'Microsoft.Network/networkInterfaces'
  | 'Microsoft.Network/bastionHosts'
  | 'Microsoft.Compute/virtualMachines'
  | 'Microsoft.KeyVault/vaults'
  | 'Microsoft.KeyVault/vaults/secrets';

/**
 * The pieces of a resource ID. For a subscription, `name` is the subscription ID; for a resource group,
 * `name` and `resourceGroup` are both the group's name. `parent` is the parent resource's *name* (the
 * virtual network) and is set only for child types (subnets, peerings).
 */
export interface ResourceIdParts {
  subscriptionId: string;
  resourceGroup?: string;
  type: ResourceType;
  name: string;
  parent?: string;
}

/** A malformed resource ID or an invalid name; the message says what is wrong and is safe to show users. */
export class ResourceIdError extends Error {
  /** The offending input, when there was one. */
  readonly input: string | undefined;

  constructor(message: string, input?: string) {
    super(message);
    this.name = 'ResourceIdError';
    this.input = input;
  }
}

interface TypeSpec {
  type: ResourceType;
  /** Human wording for messages: "virtual network". */
  label: string;
  /** Provider namespace and path segments below `/providers/` (empty for subscriptions and groups). */
  namespace?: string;
  segment?: string;
  parentType?: ResourceType;
  /** Longest name allowed when not NAME_MAX_LENGTH (Azure allows 127 characters for key vault secrets). */
  maxNameLength?: number;
}

const SPECS: readonly TypeSpec[] = [
  { type: 'Microsoft.Resources/subscriptions', label: 'subscription' },
  { type: 'Microsoft.Resources/resourceGroups', label: 'resource group' },
  { type: 'Microsoft.Network/virtualNetworks', label: 'virtual network', namespace: 'Microsoft.Network', segment: 'virtualNetworks' },
  {
    type: 'Microsoft.Network/virtualNetworks/subnets',
    label: 'subnet',
    namespace: 'Microsoft.Network',
    segment: 'subnets',
    parentType: 'Microsoft.Network/virtualNetworks',
  },
  {
    type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
    label: 'virtual network peering',
    namespace: 'Microsoft.Network',
    segment: 'virtualNetworkPeerings',
    parentType: 'Microsoft.Network/virtualNetworks',
  },
  { type: 'Microsoft.Network/networkInterfaces', label: 'network interface', namespace: 'Microsoft.Network', segment: 'networkInterfaces' },
  { type: 'Microsoft.Network/bastionHosts', label: 'bastion host', namespace: 'Microsoft.Network', segment: 'bastionHosts' },
  { type: 'Microsoft.Compute/virtualMachines', label: 'virtual machine', namespace: 'Microsoft.Compute', segment: 'virtualMachines' },
  { type: 'Microsoft.KeyVault/vaults', label: 'key vault', namespace: 'Microsoft.KeyVault', segment: 'vaults' },
  {
    type: 'Microsoft.KeyVault/vaults/secrets',
    label: 'key vault secret',
    namespace: 'Microsoft.KeyVault',
    segment: 'secrets',
    parentType: 'Microsoft.KeyVault/vaults',
    maxNameLength: 127,
  },
];

/** Every supported type, in scope order (subscription first). */
export const RESOURCE_TYPES: readonly ResourceType[] = SPECS.map((s) => s.type);

const SPEC_BY_TYPE = new Map<string, TypeSpec>(SPECS.map((s) => [s.type, s]));
const NAMESPACES = [...new Set(SPECS.flatMap((s) => (s.namespace ? [s.namespace] : [])))].sort();
const topLevel = (ns: string): TypeSpec[] => SPECS.filter((s) => s.namespace === ns && !s.parentType);
const childrenOf = (type: ResourceType): TypeSpec[] => SPECS.filter((s) => s.parentType === type);
const findSegment = (specs: TypeSpec[], seg: string): TypeSpec | undefined => specs.find((s) => s.segment?.toLowerCase() === seg.toLowerCase());

export const isResourceType = (value: unknown): value is ResourceType => typeof value === 'string' && SPEC_BY_TYPE.has(value);

/** "virtual machine", "subnet", … for messages. */
export const resourceTypeLabel = (type: ResourceType): string => specOf(type).label;

function specOf(type: string): TypeSpec {
  const spec = SPEC_BY_TYPE.get(type);
  if (!spec) throw new ResourceIdError(`Unsupported resource type ${show(type)} (supported: ${RESOURCE_TYPES.join(', ')}).`, type);
  return spec;
}

// ---------------------------------------------------------------------------------------------------
// Names

export const NAME_MAX_LENGTH = 80;
export const SUBSCRIPTION_ID_MAX_LENGTH = 64;
const NAME_CHARS = /^[A-Za-z0-9_.-]*$/;

/** Why `name` is not a valid resource name, as a phrase ("must not end with '.'"), or undefined if it is. */
export function resourceNameProblem(name: string, maxLength = NAME_MAX_LENGTH): string | undefined {
  if (typeof name !== 'string') return `must be a string (got ${typeof name})`;
  if (name.length === 0) return 'must not be empty';
  if (name.length > maxLength) return `is ${name.length} characters long; the limit is ${maxLength}`;
  if (!NAME_CHARS.test(name)) {
    const bad = [...name].find((c) => !NAME_CHARS.test(c)) ?? '';
    return `contains ${describeChar(bad)}; only letters, digits, '_', '.' and '-' are allowed`;
  }
  if (!/^[A-Za-z0-9]/.test(name)) return 'must start with a letter or a digit';
  if (name.endsWith('.')) return "must not end with '.'";
  return undefined;
}

export const isValidResourceName = (name: string): boolean => resourceNameProblem(name) === undefined;

/**
 * Throws a ResourceIdError unless `name` is a valid resource name: 1–80 characters of letters, digits,
 * '_', '.' and '-', starting with a letter or digit and not ending with '.'. `label` names the thing in
 * the message: `validateResourceName('vm!', 'virtual machine name')` →
 * "Invalid virtual machine name "vm!": contains '!'; only letters, digits, '_', '.' and '-' are allowed."
 */
export function validateResourceName(name: string, label = 'resource name'): void {
  const problem = resourceNameProblem(name);
  if (problem) throw new ResourceIdError(`Invalid ${label} ${show(name)}: ${problem}.`, name);
}

/** Subscription IDs follow the name rules with a 64-character limit (GUIDs are typical, not required). */
export function validateSubscriptionId(id: string): void {
  const problem = resourceNameProblem(id, SUBSCRIPTION_ID_MAX_LENGTH);
  if (problem) throw new ResourceIdError(`Invalid subscription ID ${show(id)}: ${problem}.`, id);
}

function describeChar(c: string): string {
  if (c === ' ') return 'a space';
  if (c === '/') return "'/' (names cannot contain '/')";
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  if (code > 0x7e) return `'${c}' (only ASCII letters are allowed)`;
  return `'${c}'`;
}

/** Quotes a value for a message, shortening long ones. */
function show(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}

// ---------------------------------------------------------------------------------------------------
// Parse and format

/** Parses an Azure-form resource ID; throws ResourceIdError naming the first thing that is wrong. */
export function parseResourceId(id: string): ResourceIdParts {
  if (typeof id !== 'string') throw new ResourceIdError(`A resource ID must be a string (got ${typeof id}).`);
  const fail = (why: string): ResourceIdError => new ResourceIdError(`Invalid resource ID ${show(id)}: ${why}`, id);
  if (id.length === 0) throw new ResourceIdError('A resource ID must not be empty.', id);
  if (!id.startsWith('/') || id === '/') throw fail("it must start with '/subscriptions/'.");
  if (id.endsWith('/')) throw fail("it must not end with '/'.");
  const segs = id.slice(1).split('/');
  if (segs.includes('')) throw fail("it contains an empty segment ('//').");

  const keyword = (i: number, expected: string, after: string): void => {
    const seg = segs[i];
    if (seg === undefined) throw fail(`it ends after ${after}; expected '${expected}' next.`);
    if (seg.toLowerCase() !== expected.toLowerCase()) throw fail(`expected '${expected}' after ${after}, found ${show(seg)}.`);
  };
  const nameAt = (i: number, label: string, check: (s: string) => string | undefined = resourceNameProblem): string => {
    const seg = segs[i];
    if (seg === undefined) throw fail(`the ${label} is missing after '${segs[i - 1]}'.`);
    const problem = check(seg);
    if (problem) throw fail(`${label} ${show(seg)} ${problem}.`);
    return seg;
  };
  const noMore = (n: number, label: string): void => {
    if (segs.length > n) throw fail(`unexpected ${show('/' + segs.slice(n).join('/'))} after the ${label}.`);
  };

  keyword(0, 'subscriptions', 'the leading /');
  const subscriptionId = nameAt(1, 'subscription ID', (s) => resourceNameProblem(s, SUBSCRIPTION_ID_MAX_LENGTH));
  if (segs.length === 2) return { subscriptionId, type: 'Microsoft.Resources/subscriptions', name: subscriptionId };

  keyword(2, 'resourceGroups', 'the subscription ID');
  const resourceGroup = nameAt(3, 'resource group name');
  if (segs.length === 4) return { subscriptionId, resourceGroup, type: 'Microsoft.Resources/resourceGroups', name: resourceGroup };

  keyword(4, 'providers', 'the resource group name');
  const nsSeg = segs[5];
  if (nsSeg === undefined) throw fail(`it ends after 'providers'; expected a provider namespace (${NAMESPACES.join(' or ')}).`);
  const namespace = NAMESPACES.find((ns) => ns.toLowerCase() === nsSeg.toLowerCase());
  if (!namespace) throw fail(`unsupported resource provider ${show(nsSeg)} (supported: ${NAMESPACES.join(', ')}).`);

  const typeSeg = segs[6];
  const candidates = topLevel(namespace);
  const supported = (specs: TypeSpec[]): string => specs.map((s) => s.type).join(', ');
  if (typeSeg === undefined) throw fail(`the resource type is missing after '${namespace}' (supported: ${supported(candidates)}).`);
  const spec = findSegment(candidates, typeSeg);
  if (!spec) throw fail(`unsupported resource type ${show(`${namespace}/${typeSeg}`)} (supported: ${supported(candidates)}).`);
  const name = nameAt(7, `${spec.label} name`, (s) => resourceNameProblem(s, spec.maxNameLength));
  if (segs.length === 8) return { subscriptionId, resourceGroup, type: spec.type, name };

  const children = childrenOf(spec.type);
  if (children.length === 0) noMore(8, `${spec.label} name`);
  const childSeg = segs[8] ?? '';
  const child = findSegment(children, childSeg);
  if (!child) throw fail(`unsupported child resource type ${show(`${spec.type}/${childSeg}`)} (supported: ${supported(children)}).`);
  const childName = nameAt(9, `${child.label} name`, (s) => resourceNameProblem(s, child.maxNameLength));
  noMore(10, `${child.label} name`);
  return { subscriptionId, resourceGroup, type: child.type, name: childName, parent: name };
}

/** Builds the canonical ID for `parts`, validating every name; throws ResourceIdError on inconsistent parts. */
export function formatResourceId(parts: ResourceIdParts): string {
  const spec = specOf(parts.type);
  const fail = (why: string): ResourceIdError => new ResourceIdError(`Cannot format a ${spec.label} ID: ${why}`);
  validateSubscriptionId(parts.subscriptionId);
  const sub = `/subscriptions/${parts.subscriptionId}`;

  if (spec.type === 'Microsoft.Resources/subscriptions') {
    if (parts.name !== parts.subscriptionId) throw fail(`a subscription's name is its ID (got name ${show(parts.name)}, subscriptionId ${show(parts.subscriptionId)}).`);
    if (parts.resourceGroup !== undefined || parts.parent !== undefined) throw fail('resourceGroup and parent must not be set.');
    return sub;
  }
  if (spec.type === 'Microsoft.Resources/resourceGroups') {
    if (parts.resourceGroup !== undefined && parts.resourceGroup.toLowerCase() !== parts.name.toLowerCase())
      throw fail(`resourceGroup ${show(parts.resourceGroup)} and name ${show(parts.name)} differ.`);
    if (parts.parent !== undefined) throw fail('parent must not be set.');
    validateResourceName(parts.name, 'resource group name');
    return `${sub}/resourceGroups/${parts.name}`;
  }

  if (parts.resourceGroup === undefined) throw fail('resourceGroup is required.');
  validateResourceName(parts.resourceGroup, 'resource group name');
  const nameProblem = resourceNameProblem(parts.name, spec.maxNameLength);
  if (nameProblem) throw new ResourceIdError(`Invalid ${spec.label} name ${show(parts.name)}: ${nameProblem}.`, parts.name);
  const rg = `${sub}/resourceGroups/${parts.resourceGroup}/providers/${spec.namespace}`;
  if (!spec.parentType) {
    if (parts.parent !== undefined) throw fail('parent must not be set.');
    return `${rg}/${spec.segment}/${parts.name}`;
  }
  const parentSpec = specOf(spec.parentType);
  if (parts.parent === undefined) throw fail(`parent (the ${parentSpec.label} name) is required.`);
  validateResourceName(parts.parent, `${parentSpec.label} name`);
  return `${rg}/${parentSpec.segment}/${parts.parent}/${spec.segment}/${parts.name}`;
}

/** The ID in canonical casing of its fixed segments (names unchanged). */
export const canonicalResourceId = (id: string): string => formatResourceId(parseResourceId(id));

/** True when both IDs name the same resource (Azure compares IDs case-insensitively). */
export const sameResourceId = (a: string, b: string): boolean => canonicalResourceId(a).toLowerCase() === canonicalResourceId(b).toLowerCase();

// ---------------------------------------------------------------------------------------------------
// Scopes

/**
 * The chain of scopes from the subscription down to the resource itself, in canonical form. For a subnet:
 * [subscription, resource group, virtual network, subnet]. A role assigned at any of these applies here.
 */
export function parentScopes(id: string | ResourceIdParts): string[] {
  const p = typeof id === 'string' ? parseResourceId(id) : id;
  const chain: ResourceIdParts[] = [{ subscriptionId: p.subscriptionId, type: 'Microsoft.Resources/subscriptions', name: p.subscriptionId }];
  if (p.type !== 'Microsoft.Resources/subscriptions') {
    if (p.resourceGroup === undefined && p.type !== 'Microsoft.Resources/resourceGroups')
      throw new ResourceIdError(`A ${resourceTypeLabel(p.type)} needs a resourceGroup.`);
    const rg = p.resourceGroup ?? p.name;
    chain.push({ subscriptionId: p.subscriptionId, resourceGroup: rg, type: 'Microsoft.Resources/resourceGroups', name: rg });
    const parentType = specOf(p.type).parentType;
    if (parentType && p.parent !== undefined) chain.push({ subscriptionId: p.subscriptionId, resourceGroup: rg, type: parentType, name: p.parent });
    if (p.type !== 'Microsoft.Resources/resourceGroups') chain.push(p);
  }
  return chain.map(formatResourceId);
}

/** True when `scope` is `id` itself or one of its ancestors (case-insensitive), e.g. a role scope covering a VM. */
export function scopeContains(scope: string, id: string): boolean {
  const target = canonicalResourceId(scope).toLowerCase();
  return parentScopes(id).some((s) => s.toLowerCase() === target);
}
