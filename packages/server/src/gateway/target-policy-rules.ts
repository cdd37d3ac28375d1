import { networkInterfaces } from 'node:os';
import { CidrError, cidrContainsIp, cidrsOverlap, parseCidr } from '../inventory/cidr.js';

/**
 * The address rules of the target policy (design 0003, "Target policy") that need no inventory: shared by
 * the policy itself (target-policy.ts) and by the places where on-premises ranges are configured
 * (inventory/bastion-features.ts), so a range refused there is also ignored by the policy.
 */

/** Never dialled, whatever the inventory says (RFC 6890): they are this host, its link, or nobody's. */
export const SPECIAL_RANGES: ReadonlyArray<{ cidr: string; what: string }> = [
  { cidr: '0.0.0.0/8', what: '"this network" (0.0.0.0/8)' },
  { cidr: '127.0.0.0/8', what: 'loopback (127.0.0.0/8)' },
  { cidr: '169.254.0.0/16', what: 'link-local (169.254.0.0/16, the metadata service among them)' },
  { cidr: '224.0.0.0/4', what: 'multicast (224.0.0.0/4)' },
  { cidr: '240.0.0.0/4', what: 'reserved (240.0.0.0/4) or broadcast (255.255.255.255)' },
];

/** What special range `ip` falls in, if any. */
export const specialRangeOf = (ip: number): string | undefined => SPECIAL_RANGES.find((r) => cidrContainsIp(r.cidr, ip))?.what;

/**
 * The widest on-premises range accepted: /8. The largest private block (10.0.0.0/8) is a /8, and so is the
 * largest block any single organisation was ever assigned; a /7 or wider necessarily spans unrelated
 * networks (public internet blocks, 0/8, 127/8), and /0 would turn IP-based connection into an open proxy
 * to the internet. A VPN reaching more than one /8 is configured as several ranges.
 */
export const MIN_ON_PREMISES_PREFIX = 8;

/** Why an on-premises range is refused (a sentence), or undefined when it is acceptable. */
export function onPremisesRangeProblem(range: string): string | undefined {
  let prefix: number;
  try {
    prefix = parseCidr(range).prefixLength;
  } catch (err) {
    if (err instanceof CidrError) return err.message;
    throw err;
  }
  if (prefix < MIN_ON_PREMISES_PREFIX)
    return `${range} is wider than /${MIN_ON_PREMISES_PREFIX}: an on-premises range must be /${MIN_ON_PREMISES_PREFIX} or narrower (a wider one spans public internet blocks); split it into several ranges.`;
  const special = SPECIAL_RANGES.find((r) => cidrsOverlap(r.cidr, range));
  if (special) return `${range} overlaps ${special.what}, which the bastion never connects to.`;
  return undefined;
}

/** This host's own IPv4 addresses (every interface, read now: interfaces come and go). */
export function hostAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address));
}
