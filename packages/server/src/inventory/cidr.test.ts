import { describe, expect, it } from 'vitest';
import {
  CidrError,
  cidrContainsCidr,
  cidrContainsIp,
  cidrRange,
  cidrsOverlap,
  describeCidr,
  formatCidr,
  formatIpv4,
  isReservedInSubnet,
  parseCidr,
  parseIpv4,
  prefixLength,
} from './cidr.js';

/** Runs `fn`, expects a CidrError and returns its message. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CidrError);
    return (err as Error).message;
  }
  throw new Error('expected a CidrError, nothing was thrown');
}

describe('parseIpv4 and formatIpv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['10.0.0.4', 0x0a000004],
    ['192.168.1.1', 0xc0a80101],
    ['255.255.255.255', 0xffffffff],
    ['1.2.3.4', 0x01020304],
  ])('parses %s', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text);
  });

  it.each([
    ['', 'An empty string is not a valid IPv4 address.'],
    ['::1', '::1 looks like an IPv6 address; only IPv4 addresses are supported.'],
    ['fd00::4', 'fd00::4 looks like an IPv6 address; only IPv4 addresses are supported.'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1 looks like an IPv6 address; only IPv4 addresses are supported.'],
    [' 10.0.0.1', '" 10.0.0.1" is not a valid IPv4 address: it contains whitespace.'],
    ['10.0.0.1\n', '"10.0.0.1\\n" is not a valid IPv4 address: it contains whitespace.'],
    ['10.0.0.0/24', '10.0.0.0/24 is not a valid IPv4 address: it has a prefix length; write just the address (10.0.0.0).'],
    ['10', '10 is not a valid IPv4 address: expected four numbers separated by dots (a.b.c.d), found 1 part.'],
    ['10.1', '10.1 is not a valid IPv4 address: expected four numbers separated by dots (a.b.c.d), found 2 parts.'],
    ['10.0.0', '10.0.0 is not a valid IPv4 address: expected four numbers separated by dots (a.b.c.d), found 3 parts.'],
    ['10.0.0.0.1', '10.0.0.0.1 is not a valid IPv4 address: expected four numbers separated by dots (a.b.c.d), found 5 parts.'],
    ['10.0.0.', '10.0.0. is not a valid IPv4 address: the fourth number is missing.'],
    ['.10.0.0', '.10.0.0 is not a valid IPv4 address: the first number is missing.'],
    ['10..0.1', '10..0.1 is not a valid IPv4 address: the second number is missing.'],
    ['10.0.0.256', '10.0.0.256 is not a valid IPv4 address: the fourth number 256 is greater than 255.'],
    ['999.0.0.1', '999.0.0.1 is not a valid IPv4 address: the first number 999 is greater than 255.'],
    ['10.0.0.99999999999999999999', '10.0.0.99999999999999999999 is not a valid IPv4 address: the fourth number 99999999999999999999 is greater than 255.'],
    ['010.0.0.1', '010.0.0.1 is not a valid IPv4 address: the first number 010 has a leading zero, which is ambiguous (octal?); write 10.'],
    ['10.0.00.1', '10.0.00.1 is not a valid IPv4 address: the third number 00 has a leading zero, which is ambiguous (octal?); write 0.'],
    ['0x0a.0.0.1', '0x0a.0.0.1 is not a valid IPv4 address: the first part 0x0a is not a decimal number.'],
    ['10.0.0.-1', '10.0.0.-1 is not a valid IPv4 address: the fourth part -1 is not a decimal number.'],
    ['10.0.0.+1', '10.0.0.+1 is not a valid IPv4 address: the fourth part +1 is not a decimal number.'],
    ['10.0.0.1e0', '10.0.0.1e0 is not a valid IPv4 address: the fourth part 1e0 is not a decimal number.'],
    ['10.0.0.٤', '"10.0.0.٤" is not a valid IPv4 address: the fourth part "٤" is not a decimal number.'],
    ['a.b.c.d', 'a.b.c.d is not a valid IPv4 address: the first part a is not a decimal number.'],
    ['localhost', 'localhost is not a valid IPv4 address: expected four numbers separated by dots (a.b.c.d), found 1 part.'],
  ])('rejects %j', (text, message) => {
    expect(errorOf(() => parseIpv4(text))).toBe(message);
  });

  it('rejects non-strings from untyped input', () => {
    expect(errorOf(() => parseIpv4(167772164 as unknown as string))).toBe('An IPv4 address must be a string like 10.0.0.4 (got number).');
    expect(errorOf(() => parseIpv4(null as unknown as string))).toBe('An IPv4 address must be a string like 10.0.0.4 (got null).');
  });

  it('shortens very long input in messages', () => {
    const msg = errorOf(() => parseIpv4('1'.repeat(500)));
    expect(msg.length).toBeLessThan(200);
    expect(msg).toContain('…');
  });

  it('keeps the input on the error', () => {
    try {
      parseIpv4('nope');
    } catch (err) {
      expect((err as CidrError).input).toBe('nope');
      expect((err as CidrError).name).toBe('CidrError');
    }
  });

  it.each([-1, 2 ** 32, 1.5, Number.NaN])('formatIpv4 refuses %s', (n) => {
    expect(errorOf(() => formatIpv4(n))).toMatch(/is not an IPv4 address value \(0 to 4294967295\)/);
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/24', 0x0a000000, 24],
    ['0.0.0.0/0', 0, 0],
    ['10.90.0.0/16', 0x0a5a0000, 16],
    ['10.90.0.0/26', 0x0a5a0000, 26],
    ['192.168.1.7/32', 0xc0a80107, 32],
    ['128.0.0.0/1', 0x80000000, 1],
    ['255.255.255.254/31', 0xfffffffe, 31],
  ])('parses %s', (text, network, length) => {
    expect(parseCidr(text)).toEqual({ network, prefixLength: length });
    expect(formatCidr(parseCidr(text))).toBe(text);
  });

  it.each([
    ['10.0.0.1/24', '10.0.0.1/24 is not a network address; did you mean 10.0.0.0/24?'],
    ['10.90.1.0/16', '10.90.1.0/16 is not a network address; did you mean 10.90.0.0/16?'],
    ['10.0.0.64/25', '10.0.0.64/25 is not a network address; did you mean 10.0.0.0/25?'],
    ['1.0.0.0/0', '1.0.0.0/0 is not a network address; did you mean 0.0.0.0/0?'],
    ['255.255.255.255/31', '255.255.255.255/31 is not a network address; did you mean 255.255.255.254/31?'],
  ])('refuses host bits: %s', (text, message) => {
    expect(errorOf(() => parseCidr(text))).toBe(message);
  });

  it.each([
    ['', 'An empty string is not a valid CIDR prefix (expected e.g. 10.0.0.0/24).'],
    ['fd00::/8', 'fd00::/8 looks like an IPv6 prefix; only IPv4 prefixes are supported.'],
    ['::/0', '::/0 looks like an IPv6 prefix; only IPv4 prefixes are supported.'],
    ['10.0.0.0', '10.0.0.0 is not a valid CIDR prefix: the prefix length is missing (e.g. 10.0.0.0/24).'],
    ['10.0.0.0/', "10.0.0.0/ is not a valid CIDR prefix: the prefix length after '/' is missing."],
    ['/24', "/24 is not a valid CIDR prefix: the address before '/' is missing."],
    ['10.0.0.0/24/8', "10.0.0.0/24/8 is not a valid CIDR prefix: it contains more than one '/'."],
    ['10.0.0.0/33', '10.0.0.0/33 is not a valid CIDR prefix: the prefix length 33 is greater than 32.'],
    ['10.0.0.0/128', '10.0.0.0/128 is not a valid CIDR prefix: the prefix length 128 is greater than 32.'],
    ['10.0.0.0/-1', '10.0.0.0/-1 is not a valid CIDR prefix: the prefix length -1 is not a whole number from 0 to 32.'],
    ['10.0.0.0/2.5', '10.0.0.0/2.5 is not a valid CIDR prefix: the prefix length 2.5 is not a whole number from 0 to 32.'],
    ['10.0.0.0/abc', '10.0.0.0/abc is not a valid CIDR prefix: the prefix length abc is not a whole number from 0 to 32.'],
    ['10.0.0.0/255.255.255.0', '10.0.0.0/255.255.255.0 is not a valid CIDR prefix: the prefix length 255.255.255.0 is not a whole number from 0 to 32.'],
    ['10.0.0.0/024', '10.0.0.0/024 is not a valid CIDR prefix: the prefix length 024 has a leading zero; write 24.'],
    ['10.0.0.0 /24', '"10.0.0.0 /24" is not a valid CIDR prefix: it contains whitespace.'],
    ['10.0.0.0/24 ', '"10.0.0.0/24 " is not a valid CIDR prefix: it contains whitespace.'],
    ['10.0.0/24', '10.0.0/24 is not a valid CIDR prefix: expected four numbers separated by dots (a.b.c.d), found 3 parts.'],
    ['10.0.0.256/24', '10.0.0.256/24 is not a valid CIDR prefix: the fourth number 256 is greater than 255.'],
    ['010.0.0.0/8', '010.0.0.0/8 is not a valid CIDR prefix: the first number 010 has a leading zero, which is ambiguous (octal?); write 10.'],
    ['ten.0.0.0/8', 'ten.0.0.0/8 is not a valid CIDR prefix: the first part ten is not a decimal number.'],
  ])('rejects %j', (text, message) => {
    expect(errorOf(() => parseCidr(text))).toBe(message);
  });

  it('rejects non-strings from untyped input', () => {
    expect(errorOf(() => parseCidr(24 as unknown as string))).toBe('A CIDR prefix must be a string like 10.0.0.0/24 (got number).');
    expect(errorOf(() => parseCidr(undefined as unknown as string))).toBe('A CIDR prefix must be a string like 10.0.0.0/24 (got undefined).');
  });
});

describe('containment and overlap', () => {
  it('cidrContainsIp covers the whole range, inclusive, and nothing else', () => {
    expect(cidrContainsIp('10.90.1.0/24', '10.90.1.0')).toBe(true);
    expect(cidrContainsIp('10.90.1.0/24', '10.90.1.255')).toBe(true);
    expect(cidrContainsIp('10.90.1.0/24', '10.90.2.0')).toBe(false);
    expect(cidrContainsIp('10.90.1.0/24', '10.90.0.255')).toBe(false);
    expect(cidrContainsIp('0.0.0.0/0', '255.255.255.255')).toBe(true);
    expect(cidrContainsIp('192.168.1.7/32', '192.168.1.7')).toBe(true);
    expect(cidrContainsIp('192.168.1.7/32', '192.168.1.8')).toBe(false);
    expect(cidrContainsIp('128.0.0.0/1', '200.1.1.1')).toBe(true); // high bit set: unsigned arithmetic
    expect(cidrContainsIp(parseCidr('10.0.0.0/8'), parseIpv4('10.1.2.3'))).toBe(true);
  });

  it('cidrContainsCidr', () => {
    expect(cidrContainsCidr('10.90.0.0/16', '10.90.1.0/24')).toBe(true);
    expect(cidrContainsCidr('10.90.0.0/16', '10.90.0.0/16')).toBe(true);
    expect(cidrContainsCidr('10.90.1.0/24', '10.90.0.0/16')).toBe(false);
    expect(cidrContainsCidr('10.90.0.0/16', '10.91.0.0/24')).toBe(false);
    expect(cidrContainsCidr('0.0.0.0/0', '255.255.255.255/32')).toBe(true);
    expect(cidrContainsCidr('10.90.0.0/25', '10.90.0.128/25')).toBe(false);
  });

  it('cidrsOverlap is symmetric and catches nesting and adjacency correctly', () => {
    const cases: Array<[string, string, boolean]> = [
      ['10.0.0.0/24', '10.0.0.0/24', true],
      ['10.0.0.0/16', '10.0.5.0/24', true],
      ['10.0.0.0/24', '10.0.1.0/24', false],
      ['10.0.0.0/25', '10.0.0.128/25', false],
      ['10.0.0.0/23', '10.0.1.0/24', true],
      ['0.0.0.0/0', '1.2.3.4/32', true],
      ['255.255.255.255/32', '255.255.255.254/31', true],
      ['192.168.0.0/16', '10.0.0.0/8', false],
    ];
    for (const [a, b, want] of cases) {
      expect(cidrsOverlap(a, b)).toBe(want);
      expect(cidrsOverlap(b, a)).toBe(want);
    }
  });

  it('validates its inputs', () => {
    expect(errorOf(() => cidrContainsIp('10.0.0.1/24', '10.0.0.5'))).toMatch(/did you mean 10.0.0.0\/24/);
    expect(errorOf(() => cidrContainsIp('10.0.0.0/24', '10.0.0.500'))).toMatch(/greater than 255/);
    expect(errorOf(() => cidrContainsIp('10.0.0.0/24', -5))).toMatch(/not an IPv4 address value/);
    expect(errorOf(() => cidrsOverlap('10.0.0.0/24', 'fd00::/8'))).toMatch(/only IPv4/);
    expect(errorOf(() => cidrContainsCidr({ network: parseIpv4('10.0.0.1'), prefixLength: 24 }, '10.0.0.0/24'))).toMatch(/not a network address/);
    expect(errorOf(() => prefixLength({ network: 0, prefixLength: 40 }))).toMatch(/prefix length 40 is greater than 32/);
  });

  it('prefixLength and cidrRange', () => {
    expect(prefixLength('10.90.0.0/26')).toBe(26);
    expect(cidrRange('10.90.1.0/24')).toEqual({ first: '10.90.1.0', last: '10.90.1.255', size: 256 });
    expect(cidrRange('0.0.0.0/0')).toEqual({ first: '0.0.0.0', last: '255.255.255.255', size: 4294967296 });
    expect(cidrRange('10.0.0.5/32')).toEqual({ first: '10.0.0.5', last: '10.0.0.5', size: 1 });
  });
});

describe('isReservedInSubnet', () => {
  it('reserves the network address, the first three hosts and the broadcast address', () => {
    const reserved = ['10.90.1.0', '10.90.1.1', '10.90.1.2', '10.90.1.3', '10.90.1.255'];
    const usable = ['10.90.1.4', '10.90.1.5', '10.90.1.128', '10.90.1.254'];
    for (const ip of reserved) expect(isReservedInSubnet(ip, '10.90.1.0/24')).toBe(true);
    for (const ip of usable) expect(isReservedInSubnet(ip, '10.90.1.0/24')).toBe(false);
  });

  it('counts from the start of the subnet, not from .0 of the octet', () => {
    expect(isReservedInSubnet('10.90.0.64', '10.90.0.64/26')).toBe(true);
    expect(isReservedInSubnet('10.90.0.67', '10.90.0.64/26')).toBe(true);
    expect(isReservedInSubnet('10.90.0.68', '10.90.0.64/26')).toBe(false);
    expect(isReservedInSubnet('10.90.0.127', '10.90.0.64/26')).toBe(true);
    expect(isReservedInSubnet('10.90.0.3', '10.90.0.0/16')).toBe(true);
    expect(isReservedInSubnet('10.90.1.0', '10.90.0.0/16')).toBe(false); // .0 inside a /16 is an ordinary address
    expect(isReservedInSubnet('10.90.255.255', '10.90.0.0/16')).toBe(true);
  });

  it('leaves three usable addresses in a /29 and none in a /30', () => {
    const usable = (cidr: string, base: string): string[] => {
      const start = parseIpv4(base);
      const size = cidrRange(cidr).size;
      return Array.from({ length: size }, (_, i) => formatIpv4(start + i)).filter((ip) => !isReservedInSubnet(ip, cidr));
    };
    expect(usable('10.0.0.8/29', '10.0.0.8')).toEqual(['10.0.0.12', '10.0.0.13', '10.0.0.14']);
    expect(usable('10.0.0.8/30', '10.0.0.8')).toEqual([]);
  });

  it('is false for an address outside the subnet', () => {
    expect(isReservedInSubnet('10.91.1.0', '10.90.1.0/24')).toBe(false);
  });

  it('validates both arguments', () => {
    expect(errorOf(() => isReservedInSubnet('10.90.1.04', '10.90.1.0/24'))).toMatch(/leading zero/);
    expect(errorOf(() => isReservedInSubnet('10.90.1.4', '10.90.1.0'))).toMatch(/prefix length is missing/);
  });
});

describe('describeCidr', () => {
  it.each([
    ['10.90.1.0/24', '10.90.1.0/24 (10.90.1.0 – 10.90.1.255, 256 addresses, 251 usable)'],
    ['10.90.0.0/26', '10.90.0.0/26 (10.90.0.0 – 10.90.0.63, 64 addresses, 59 usable)'],
    ['10.90.0.0/16', '10.90.0.0/16 (10.90.0.0 – 10.90.255.255, 65,536 addresses, 65,531 usable)'],
    ['10.0.0.0/30', '10.0.0.0/30 (10.0.0.0 – 10.0.0.3, 4 addresses, 0 usable)'],
    ['10.0.0.5/32', '10.0.0.5/32 (10.0.0.5, 1 address, 0 usable)'],
  ])('%s', (cidr, text) => {
    expect(describeCidr(cidr)).toBe(text);
  });
});
