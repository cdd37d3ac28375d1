import type { Kysely } from 'kysely';
import { parseResourceId } from '../../../protocol/src/resource-id.js';
import { validationError } from '../errors.js';
import { onPremisesRangeProblem } from '../gateway/target-policy-rules.js';
import type { Database } from '../storage/schema.js';
import { resourceRepository as repo } from './repository.js';
import { inTransaction } from '../storage/transaction.js';

/**
 * The Standard-tier switches of a bastion host (design 0007), stored in its `properties` beside
 * `virtualNetwork` under Azure's names (`enableIpConnect`, `enableShareableLink`), plus ours:
 * `onPremisesRanges`, address prefixes reachable through the bastion's network (a VPN or ExpressRoute in
 * Azure) that IP-based connection may also dial. All off / empty by default. `disableCopyPaste` (Azure's
 * too, issue 5) turns the browser clients' clipboard off: the RDP token and SSH ticket answers carry
 * `clipboard: false` and the web client then opens no clipboard channel (enforced in the browser, as in Azure).
 * `enableTunneling` (Azure's "Native client support") lets the CLI's tunnels through; on by default here,
 * unlike Azure, because Bastion always offered them and existing installations rely on it.
 * `enableSessionRecording` (Azure's) off exempts this bastion's sessions from the global `recordings`
 * config; on (the default) they follow it, so it records nothing where recordings are not configured.
 */
export interface BastionFeatures {
  enableIpConnect: boolean;
  enableShareableLink: boolean;
  disableCopyPaste: boolean;
  onPremisesRanges: string[];
  enableTunneling: boolean;
  enableSessionRecording: boolean;
}

export const FEATURE_DEFAULTS: BastionFeatures = { enableIpConnect: false, enableShareableLink: false, disableCopyPaste: false, onPremisesRanges: [], enableTunneling: true, enableSessionRecording: true };

/** The features as stored (absent keys: defaults). */
export function bastionFeatures(properties: object): BastionFeatures {
  const p = properties as Partial<BastionFeatures>;
  return {
    enableIpConnect: p.enableIpConnect === true,
    enableShareableLink: p.enableShareableLink === true,
    disableCopyPaste: p.disableCopyPaste === true,
    onPremisesRanges: Array.isArray(p.onPremisesRanges) ? p.onPremisesRanges.filter((r): r is string => typeof r === 'string') : [],
    // Absent (a bastion stored before these existed): the defaults, on.
    enableTunneling: p.enableTunneling !== false,
    enableSessionRecording: p.enableSessionRecording !== false,
  };
}

/**
 * Refuses a range that is not a CIDR prefix, is wider than /8 or overlaps a range the bastion never dials
 * (named by its index, as the config and the API report it). The target policy applies the same test again
 * and ignores a stored range that fails it (gateway/target-policy-rules.ts).
 */
export function checkOnPremisesRanges(ranges: string[]): void {
  ranges.forEach((r, i) => {
    const problem = onPremisesRangeProblem(r);
    if (problem) throw validationError(`onPremisesRanges[${i}]: ${problem}`);
  });
}

/**
 * Writes the features into the bastion's stored properties, keeping every other property (the network,
 * and settings other features keep there). Called after `putBastionHost` by the ARM PUT and the config.
 */
export async function setBastionFeatures(db: Kysely<Database>, bastionId: string, input: Partial<BastionFeatures>): Promise<void> {
  const features = { ...FEATURE_DEFAULTS, ...input };
  checkOnPremisesRanges(features.onPremisesRanges);
  await inTransaction(db, async (tx) => {
    const r = await repo.get(tx, bastionId);
    if (!r) return;
    await repo.put(tx, { ...r, subscriptionId: parseResourceId(r.id).subscriptionId, parentId: null, properties: { ...r.properties, ...features } });
  });
}

/**
 * Whether browser sessions through this bastion may use the text clipboard (Azure's `disableCopyPaste`
 * off): the `clipboard` of the RDP token and SSH ticket answers. Enforced by the web client, as in Azure.
 */
export async function clipboardAllowed(inventory: { get(id: string): Promise<{ properties: object } | undefined> }, bastionId: string | null): Promise<boolean> {
  const bastion = bastionId ? await inventory.get(bastionId) : undefined;
  return !bastionFeatures(bastion?.properties ?? {}).disableCopyPaste;
}

/** Whether sessions through this bastion follow the global `recordings` config (`enableSessionRecording`). */
export async function sessionRecordingAllowed(inventory: { get(id: string): Promise<{ properties: object } | undefined> }, bastionId: string | null): Promise<boolean> {
  const bastion = bastionId ? await inventory.get(bastionId) : undefined;
  return bastionFeatures(bastion?.properties ?? {}).enableSessionRecording;
}
