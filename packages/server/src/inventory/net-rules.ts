import { validationError } from '../errors.js';
import { CidrError, cidrContainsCidr, cidrContainsIp, cidrsOverlap, isReservedInSubnet, parseCidr, parseIpv4, prefixLength } from './cidr.js';

/**
 * The address rules of the Azure model, as user-facing validation. Each function throws a
 * BST_ERR_VALIDATION error whose message names the field and the offending value.
 */
export const BASTION_SUBNET = 'AzureBastionSubnet';

function checked<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CidrError) throw validationError(`${field}: ${err.message}`);
    throw err;
  }
}

export function checkAddressSpace(prefixes: string[]): void {
  if (prefixes.length === 0) throw validationError('addressSpace.addressPrefixes: at least one address prefix is required.');
  prefixes.forEach((p, i) => checked(`addressSpace.addressPrefixes[${i}]`, () => parseCidr(p)));
  for (let i = 0; i < prefixes.length; i++)
    for (let j = i + 1; j < prefixes.length; j++)
      if (cidrsOverlap(prefixes[i]!, prefixes[j]!)) throw validationError(`addressSpace.addressPrefixes: ${prefixes[i]} overlaps ${prefixes[j]}.`);
}

export function checkSubnet(name: string, prefix: string, space: string[], siblings: Array<{ name: string; addressPrefix: string }>): void {
  checked(`subnet ${name}: addressPrefix`, () => parseCidr(prefix));
  if (!space.some((s) => cidrContainsCidr(s, prefix)))
    throw validationError(`subnet ${name}: addressPrefix ${prefix} is not inside the virtual network's address space (${space.join(', ')}).`);
  if (name.toLowerCase() === BASTION_SUBNET.toLowerCase() && prefixLength(prefix) > 26)
    throw validationError(`subnet ${BASTION_SUBNET} must be /26 or larger (got ${prefix}).`);
  for (const s of siblings)
    if (s.name.toLowerCase() !== name.toLowerCase() && cidrsOverlap(s.addressPrefix, prefix))
      throw validationError(`subnet ${name}: addressPrefix ${prefix} overlaps subnet ${s.name} (${s.addressPrefix}).`);
}

export function checkPrivateIp(ip: string, subnetName: string, subnetPrefix: string): void {
  checked('privateIPAddress', () => parseIpv4(ip));
  if (!cidrContainsIp(subnetPrefix, ip)) throw validationError(`privateIPAddress ${ip} is not inside subnet ${subnetName} (${subnetPrefix}).`);
  if (isReservedInSubnet(ip, subnetPrefix))
    throw validationError(`privateIPAddress ${ip} is reserved in subnet ${subnetName} (${subnetPrefix}): the network address, the first three host addresses and the broadcast address cannot be used.`);
}

export function checkNoOverlap(what: string, a: string[], otherName: string, b: string[]): void {
  for (const x of a) for (const y of b) if (cidrsOverlap(x, y)) throw validationError(`${what}: address space ${x} overlaps ${y} of ${otherName}.`);
}

export const ipInside = (ip: string, prefix: string): boolean => cidrContainsIp(prefix, ip);
