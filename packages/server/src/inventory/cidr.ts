/**
 * IPv4 addresses and CIDR prefixes for the inventory's address rules. IPv4 only: IPv6 input is refused
 * with a message saying so. Every function that takes an address or prefix accepts either the text form
 * ("10.0.0.0/24") or an already parsed value, and throws CidrError (a user-facing message) on bad text.
 *
 * Addresses are unsigned 32-bit integers (0 … 2^32-1) internally.
 */

/** A parsed CIDR prefix: `network` is the network address as an unsigned 32-bit integer. */
export interface Cidr {
  network: number;
  prefixLength: number;
}

export type Ipv4Input = string | number;
export type CidrInput = string | Cidr;

/** Bad address or prefix text; the message names the input and what is wrong, e.g. for a 400 response. */
export class CidrError extends Error {
  readonly input: string;

  constructor(message: string, input: string) {
    super(message);
    this.name = 'CidrError';
    this.input = input;
  }
}

const MAX = 0xffffffff;

/** Shows user input in a message: bare when it is plain printable text, JSON-quoted otherwise. */
function show(s: string): string {
  const cut = s.length > 64 ? `${s.slice(0, 64)}…` : s;
  return /^[\x21-\x7e]+$/.test(cut) ? cut : JSON.stringify(cut);
}

/** For callers outside the type system (JSON, YAML): a number or null where text was expected. */
function notString(what: string, example: string, value: unknown): CidrError {
  return new CidrError(`${what} must be a string like ${example} (got ${value === null ? 'null' : typeof value}).`, String(value));
}

const ORDINALS = ['first', 'second', 'third', 'fourth'] as const;

/** The value of a dotted quad, or a sentence saying what is wrong with it (shared by both parsers). */
function parseQuad(s: string): number | string {
  const parts = s.split('.');
  if (parts.length !== 4) return `expected four numbers separated by dots (a.b.c.d), found ${parts.length} part${parts.length === 1 ? '' : 's'}.`;
  let value = 0;
  for (const [i, part] of parts.entries()) {
    const nth = ORDINALS[i];
    if (part === '') return `the ${nth} number is missing.`;
    if (!/^[0-9]+$/.test(part)) return `the ${nth} part ${show(part)} is not a decimal number.`;
    if (part.length > 1 && part.startsWith('0')) return `the ${nth} number ${part} has a leading zero, which is ambiguous (octal?); write ${String(Number(part))}.`;
    const n = Number(part);
    if (n > 255) return `the ${nth} number ${part} is greater than 255.`;
    value = value * 256 + n;
  }
  return value;
}

/**
 * Parses a strict dotted quad ("10.0.0.4") to an unsigned 32-bit integer: four decimal numbers 0–255,
 * no leading zeros (010 means octal 8 to some tools), no whitespace, no shorthand ("10.1", "0x0a.0.0.1").
 */
export function parseIpv4(s: string): number {
  if (typeof s !== 'string') throw notString('An IPv4 address', '10.0.0.4', s);
  if (s.length === 0) throw new CidrError('An empty string is not a valid IPv4 address.', s);
  if (s.includes(':')) throw new CidrError(`${show(s)} looks like an IPv6 address; only IPv4 addresses are supported.`, s);
  const bad = (why: string): CidrError => new CidrError(`${show(s)} is not a valid IPv4 address: ${why}`, s);
  if (/\s/.test(s)) throw bad('it contains whitespace.');
  if (s.includes('/')) throw bad(`it has a prefix length; write just the address (${show(s.slice(0, s.indexOf('/')))}).`);
  const value = parseQuad(s);
  if (typeof value === 'string') throw bad(value);
  return value;
}

/** The dotted-quad text of an unsigned 32-bit address. */
export function formatIpv4(ip: number): string {
  if (!Number.isInteger(ip) || ip < 0 || ip > MAX) throw new CidrError(`${String(ip)} is not an IPv4 address value (0 to 4294967295).`, String(ip));
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

/** The netmask of a prefix length as an unsigned 32-bit integer (/24 → 255.255.255.0). */
const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (MAX << (32 - prefix)) >>> 0);

/**
 * Parses "a.b.c.d/n" strictly: a valid address, a prefix length 0–32, and no host bits set
 * ("10.0.0.1/24 is not a network address; did you mean 10.0.0.0/24?").
 */
export function parseCidr(s: string): Cidr {
  if (typeof s !== 'string') throw notString('A CIDR prefix', '10.0.0.0/24', s);
  const bad = (why: string): CidrError => new CidrError(`${show(s)} is not a valid CIDR prefix: ${why}`, s);
  if (s.length === 0) throw new CidrError('An empty string is not a valid CIDR prefix (expected e.g. 10.0.0.0/24).', s);
  if (s.includes(':')) throw new CidrError(`${show(s)} looks like an IPv6 prefix; only IPv4 prefixes are supported.`, s);
  if (/\s/.test(s)) throw bad('it contains whitespace.');
  const slash = s.indexOf('/');
  if (slash === -1) throw bad(`the prefix length is missing (e.g. ${show(s)}/24).`);
  if (s.indexOf('/', slash + 1) !== -1) throw bad("it contains more than one '/'.");
  const addrText = s.slice(0, slash);
  const lenText = s.slice(slash + 1);
  if (addrText === '') throw bad("the address before '/' is missing.");
  const network = parseQuad(addrText);
  if (typeof network === 'string') throw bad(network);
  if (lenText === '') throw bad("the prefix length after '/' is missing.");
  if (!/^[0-9]+$/.test(lenText)) throw bad(`the prefix length ${show(lenText)} is not a whole number from 0 to 32.`);
  if (lenText.length > 1 && lenText.startsWith('0')) throw bad(`the prefix length ${lenText} has a leading zero; write ${String(Number(lenText))}.`);
  const prefixLength = Number(lenText);
  if (prefixLength > 32) throw bad(`the prefix length ${lenText} is greater than 32.`);
  const masked = (network & maskOf(prefixLength)) >>> 0;
  if (masked !== network) {
    const suggestion = `${formatIpv4(masked)}/${prefixLength}`;
    throw new CidrError(`${s} is not a network address; did you mean ${suggestion}?`, s);
  }
  return { network, prefixLength };
}

/** The text form "a.b.c.d/n". */
export const formatCidr = (c: Cidr): string => `${formatIpv4(c.network)}/${c.prefixLength}`;

/** Text is parsed; a number is checked to be a 32-bit address. */
function toIp(ip: Ipv4Input): number {
  if (typeof ip !== 'number') return parseIpv4(ip);
  formatIpv4(ip);
  return ip;
}
/** Text is parsed; a parsed value is re-checked (prefix length 0–32, no host bits) through its text form. */
const toCidr = (c: CidrInput): Cidr => (typeof c === 'string' ? parseCidr(c) : parseCidr(formatCidr(c)));
/** Last address of the prefix (the broadcast address). */
const lastOf = (c: Cidr): number => c.network + 2 ** (32 - c.prefixLength) - 1;

export const prefixLength = (cidr: CidrInput): number => toCidr(cidr).prefixLength;

/** First and last address and the number of addresses of a prefix. */
export function cidrRange(cidr: CidrInput): { first: string; last: string; size: number } {
  const c = toCidr(cidr);
  return { first: formatIpv4(c.network), last: formatIpv4(lastOf(c)), size: 2 ** (32 - c.prefixLength) };
}

export function cidrContainsIp(cidr: CidrInput, ip: Ipv4Input): boolean {
  const c = toCidr(cidr);
  const n = toIp(ip);
  return n >= c.network && n <= lastOf(c);
}

/** True when every address of `inner` is inside `outer` (a prefix contains itself). */
export function cidrContainsCidr(outer: CidrInput, inner: CidrInput): boolean {
  const o = toCidr(outer);
  const i = toCidr(inner);
  return i.prefixLength >= o.prefixLength && i.network >= o.network && lastOf(i) <= lastOf(o);
}

export function cidrsOverlap(a: CidrInput, b: CidrInput): boolean {
  const x = toCidr(a);
  const y = toCidr(b);
  return x.network <= lastOf(y) && y.network <= lastOf(x);
}

/** Addresses Azure reserves in every subnet: the network address, the next three and the broadcast address. */
export const AZURE_RESERVED_ADDRESSES = 5;

/**
 * True when `ip` is one Azure reserves in subnet `cidr`: its first four addresses (x.x.x.0–3 of a /24)
 * and its last one. An address outside the subnet is not reserved in it (returns false).
 */
export function isReservedInSubnet(ip: Ipv4Input, cidr: CidrInput): boolean {
  const c = toCidr(cidr);
  const n = toIp(ip);
  if (n < c.network || n > lastOf(c)) return false;
  return n - c.network < 4 || n === lastOf(c);
}

/**
 * True when `ip` is the first (network) or last (broadcast) address of `cidr`. A /31 or /32 has neither
 * (RFC 3021: both addresses of a /31 are hosts), so nothing is refused there.
 */
export function isNetworkOrBroadcast(ip: Ipv4Input, cidr: CidrInput): boolean {
  const c = toCidr(cidr);
  const n = toIp(ip);
  if (c.prefixLength > 30 || n < c.network || n > lastOf(c)) return false;
  return n === c.network || n === lastOf(c);
}

/**
 * One line for messages and UIs: "10.90.1.0/24 (10.90.1.0 – 10.90.1.255, 256 addresses, 251 usable)".
 * "usable" follows Azure's rule of five reserved addresses per subnet.
 */
export function describeCidr(cidr: CidrInput): string {
  const c = toCidr(cidr);
  const { first, last, size } = cidrRange(c);
  const usable = Math.max(0, size - AZURE_RESERVED_ADDRESSES);
  const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 'es'}`;
  const range = size === 1 ? first : `${first} – ${last}`;
  return `${formatCidr(c)} (${range}, ${plural(size, 'address')}, ${usable.toLocaleString('en-US')} usable)`;
}
