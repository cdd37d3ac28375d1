import type { Kysely } from 'kysely';
import { parseResourceId } from '../../../protocol/src/resource-id.js';
import { validationError } from '../errors.js';
import type { Database } from '../storage/schema.js';
import { CidrError, parseCidr } from './cidr.js';
import { resourceRepository as repo } from './repository.js';

/**
 * The Standard-tier switches of a bastion host (design 0007), stored in its `properties` beside
 * `virtualNetwork` under Azure's names (`enableIpConnect`, `enableShareableLink`), plus ours:
 * `onPremisesRanges`, address prefixes reachable through the bastion's network (a VPN or ExpressRoute in
 * Azure) that IP-based connection may also dial. All off / empty by default.
 */
export interface BastionFeatures {
  enableIpConnect: boolean;
  enableShareableLink: boolean;
  onPremisesRanges: string[];
}

export const FEATURE_DEFAULTS: BastionFeatures = { enableIpConnect: false, enableShareableLink: false, onPremisesRanges: [] };

/** The features as stored (absent keys: defaults). */
export function bastionFeatures(properties: object): BastionFeatures {
  const p = properties as Partial<BastionFeatures>;
  return {
    enableIpConnect: p.enableIpConnect === true,
    enableShareableLink: p.enableShareableLink === true,
    onPremisesRanges: Array.isArray(p.onPremisesRanges) ? p.onPremisesRanges.filter((r): r is string => typeof r === 'string') : [],
  };
}

/** Refuses a range that is not a CIDR prefix (named by its index, as the config and the API report it). */
export function checkOnPremisesRanges(ranges: string[]): void {
  ranges.forEach((r, i) => {
    try {
      parseCidr(r);
    } catch (err) {
      if (err instanceof CidrError) throw validationError(`onPremisesRanges[${i}]: ${err.message}`);
      throw err;
    }
  });
}

/**
 * Writes the features into the bastion's stored properties, keeping every other property (the network,
 * and settings other features keep there). Called after `putBastionHost` by the ARM PUT and the config.
 */
export async function setBastionFeatures(db: Kysely<Database>, bastionId: string, input: Partial<BastionFeatures>): Promise<void> {
  const features = { ...FEATURE_DEFAULTS, ...input };
  checkOnPremisesRanges(features.onPremisesRanges);
  await db.transaction().execute(async (tx) => {
    const r = await repo.get(tx, bastionId);
    if (!r) return;
    await repo.put(tx, { ...r, subscriptionId: parseResourceId(r.id).subscriptionId, parentId: null, properties: { ...r.properties, ...features } });
  });
}
