import type { Kysely } from 'kysely';
import { parseResourceId } from '../../../protocol/src/resource-id.js';
import { validationError } from '../errors.js';
import { DEFAULT_IDLE_TIMEOUT_MINUTES, DEFAULT_MAX_SESSION_MINUTES } from '../sessions/session-limits.js';
import type { Database } from '../storage/schema.js';
import { resourceRepository as repo } from './repository.js';
import { inTransaction } from '../storage/transaction.js';

/**
 * A bastion host's session limits (design 0005), stored in its `properties` beside `virtualNetwork`:
 * `idleTimeoutMinutes` (default 20) and `maxSessionMinutes` (default 0 = no limit). Ours: Azure has neither.
 * Minutes may be fractional (0.1 = 6 s) so tests can use short limits; 0 turns a limit off.
 */
export interface BastionLimits {
  idleTimeoutMinutes: number;
  maxSessionMinutes: number;
}

export const LIMIT_DEFAULTS: BastionLimits = { idleTimeoutMinutes: DEFAULT_IDLE_TIMEOUT_MINUTES, maxSessionMinutes: DEFAULT_MAX_SESSION_MINUTES };
/** Shortest limit accepted besides 0 (3 s): anything shorter would close sessions before the user sees them. */
const MIN_MINUTES = 0.05;
const MAX_MINUTES = 10_080;

export function checkBastionLimits(limits: Partial<BastionLimits>): void {
  for (const [key, v] of Object.entries(limits)) {
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || (v !== 0 && (v < MIN_MINUTES || v > MAX_MINUTES)))
      throw validationError(`${key} must be 0 (off) or a number of minutes from ${MIN_MINUTES} to ${MAX_MINUTES} (got ${JSON.stringify(v)}).`);
  }
}

/**
 * Writes the limits into the bastion's stored properties (PUT replaces: an omitted limit gets its default),
 * keeping every other property. Called after `putBastionHost` by the ARM PUT and the configuration file.
 */
export async function setBastionLimits(db: Kysely<Database>, bastionId: string, input: Partial<BastionLimits>): Promise<void> {
  checkBastionLimits(input);
  const limits: BastionLimits = { idleTimeoutMinutes: input.idleTimeoutMinutes ?? LIMIT_DEFAULTS.idleTimeoutMinutes, maxSessionMinutes: input.maxSessionMinutes ?? LIMIT_DEFAULTS.maxSessionMinutes };
  await inTransaction(db, async (tx) => {
    const r = await repo.get(tx, bastionId);
    if (!r) return;
    await repo.put(tx, { ...r, subscriptionId: parseResourceId(r.id).subscriptionId, parentId: null, properties: { ...r.properties, ...limits } });
  });
}
