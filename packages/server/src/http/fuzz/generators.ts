/**
 * Test-only (excluded from the server build): a seeded PRNG and generators of hostile HTTP inputs for the
 * fuzz suites. Everything derives from one seed, so a failure printed with its seed replays exactly
 * (`BASTION_FUZZ_SEED=<n>`); nothing here reads the clock or Math.random.
 */

export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: tiny, fast, good enough to spread test inputs; not for anything secret. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { seed: seed >>> 0, next, int, chance: (p) => next() < p, pick: (items) => items[int(items.length)]! };
}

/** The seed from `name` in the environment (decimal or 0x…), else a fresh one; callers print it. */
export function seedFromEnv(name = 'BASTION_FUZZ_SEED'): number {
  const raw = process.env[name];
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}=${raw}: expected a non-negative integer`);
    return n >>> 0;
  }
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

/** Keys that have bitten JavaScript servers: prototype pollution, getters, and names with odd bytes. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'isAdmin', 'role', '', ' ', '\u0000', 'a\u0000b', '😀', 'ĸéý', '$where', '../x', 'length'];

const ODD_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\uFEFF', '\uD800', '\uDFFF\uD800', '😀', 'é', 'e\u0301', 'İ', 'ﬃ', '\u202Etxt', '\r\n', '\t', '%00', '%2F', '%2e%2e',
  '../../etc/passwd', '..', '.', '/', '\\', '*', '*/read', '/subscriptions', "' OR 1=1 --", '"; DROP TABLE users; --', '${jndi:x}', '{{7*7}}', '<script>x</script>',
  'null', 'undefined', 'NaN', 'true', '0x10', '1e309', '-0', ' 1 ', '10.90.1.4', '127.0.0.1', '::1', '0.0.0.0', '255.255.255.255', '10.90.1.4/32', '999.1.1.1',
  'admin', 'Owner', 'Reader', 'Contributor', 'password', 'linux', 'windows', 'ssh', 'rdp', 'current', '2038-01-19T03:14:08Z', '1970-01-01', 'not-a-date',
  '00000000-0000-0000-0000-000000000000', 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ',
];
const ODD_NUMBERS = [0, -0, 1, -1, 0.5, 22, 3389, 65535, 65536, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 1e21, -1e21, 1.7976931348623157e308];

export function oddString(rng: Rng): string {
  switch (rng.int(6)) {
    case 0:
    case 1:
      return rng.pick(ODD_STRINGS);
    case 2:
      return rng.pick(ODD_STRINGS) + rng.pick(ODD_STRINGS);
    case 3:
      return 'x'.repeat(rng.pick([64, 65, 128, 129, 256, 1025, 4097, 20_000]));
    case 4:
      return Array.from({ length: 1 + rng.int(12) }, () => String.fromCharCode(rng.int(0x10000))).join('');
    default:
      return Array.from({ length: 1 + rng.int(20) }, () => String.fromCharCode(32 + rng.int(95))).join('');
  }
}

/** Any JSON-able value (plus a few that JSON.stringify turns odd), nested up to `depth`. */
export function oddValue(rng: Rng, depth = 3): unknown {
  const k = rng.int(depth > 0 ? 9 : 6);
  switch (k) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick(ODD_NUMBERS);
    case 3:
    case 4:
      return oddString(rng);
    case 5:
      return rng.int(1000) - 500;
    case 6:
      return Array.from({ length: rng.int(4) }, () => oddValue(rng, depth - 1));
    default:
      return oddObject(rng, depth - 1);
  }
}

/** An object whose keys are hostile or random, built with defineProperty so `__proto__` stays an own key. */
export function oddObject(rng: Rng, depth = 2, keys: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = rng.int(5);
  for (let i = 0; i < n; i++) {
    const key = keys.length > 0 && rng.chance(0.5) ? rng.pick(keys) : rng.chance(0.5) ? rng.pick(HOSTILE_KEYS) : oddString(rng).slice(0, 40);
    Object.defineProperty(out, key, { value: oddValue(rng, depth), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The small part of JSON Schema (TypeBox output) the generator follows. */
export interface SchemaLike {
  type?: string | string[];
  properties?: Record<string, SchemaLike>;
  required?: string[];
  items?: SchemaLike;
  anyOf?: SchemaLike[];
  oneOf?: SchemaLike[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  additionalProperties?: boolean | SchemaLike;
}

/**
 * A value that mostly follows `schema` (so the request gets past validation into the handler) with a
 * mutation now and then: a wrong type, a bound plus one, a missing required field, an extra key.
 */
export function fromSchema(rng: Rng, schema: SchemaLike | undefined, depth = 4): unknown {
  if (!schema || depth <= 0 || rng.chance(0.12)) return oddValue(rng, 2);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return rng.pick(schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) return fromSchema(rng, rng.pick(alternatives), depth);
  const type = Array.isArray(schema.type) ? rng.pick(schema.type) : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        const required = schema.required?.includes(key) ?? false;
        if (rng.chance(required ? 0.95 : 0.6)) out[key] = fromSchema(rng, sub, depth - 1);
      }
      if (rng.chance(0.08)) Object.defineProperty(out, rng.pick(HOSTILE_KEYS), { value: oddValue(rng, 1), enumerable: true, writable: true, configurable: true });
      return out;
    }
    case 'array':
      return Array.from({ length: rng.int(4) }, () => fromSchema(rng, schema.items, depth - 1));
    case 'string': {
      if (rng.chance(0.3)) return oddString(rng);
      const max = schema.maxLength ?? 40;
      const min = schema.minLength ?? 0;
      const length = rng.chance(0.1) ? max + 1 : Math.max(min, Math.min(max, 1 + rng.int(16)));
      return Array.from({ length }, () => 'abcdefghijklmnopqrstuvwxyz0123456789-_.'[rng.int(39)]).join('');
    }
    case 'integer':
    case 'number': {
      if (rng.chance(0.3)) return rng.pick(ODD_NUMBERS);
      const lo = schema.minimum ?? 0;
      const hi = schema.maximum ?? lo + 1000;
      return rng.chance(0.1) ? hi + 1 : lo + rng.int(Math.max(1, Math.min(hi - lo + 1, 1_000_000)));
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    default:
      return oddValue(rng, 2);
  }
}

export interface FuzzBody {
  payload: string | Buffer;
  contentType: string | undefined;
  /** What kind of body it is, for failure reports. */
  kind: string;
}

const RAW_JSON_TEXTS = [
  '1e309', '-0', '-1e309', 'null', 'true', '0', '""', '"\\u0000"', '[]', '[{}]', '{}', '{"a":1,"a":2}', '{"__proto__":{"isAdmin":true,"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}', '{', '}', '{"a":', '[1,]', '{"a":1,}', 'NaN', 'Infinity', "{'a':1}", '\uFEFF{}', '{"a":"\\uD800"}', '{"a":"\\u00"}',
  '\u0000', ' ', '{"a":1}garbage', '{"a":1} {"b":2}', '0x10', '01', '1.', '.5', '"' + 'x'.repeat(1000) + '"',
];
const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
  'application/octet-stream', 'application/vnd.api+json', 'APPLICATION/JSON', 'application/json, text/plain', 'application/json;;', 'text/json', '*/*', ' ', 'application/xml',
];

/** One hostile request body, given the route's body schema (may be undefined). */
export function fuzzBody(rng: Rng, schema: SchemaLike | undefined): FuzzBody {
  const json = (value: unknown, kind: string): FuzzBody => ({ payload: JSON.stringify(value) ?? 'null', contentType: 'application/json', kind });
  switch (rng.int(12)) {
    case 0:
    case 1:
    case 2:
      return json(fromSchema(rng, schema), 'schema-shaped');
    case 3:
      return json(oddObject(rng, 3, Object.keys(schema?.properties ?? {})), 'hostile-keys');
    case 4:
      return json(oddValue(rng, 3), 'random-value');
    case 5:
      return { payload: rng.pick(RAW_JSON_TEXTS), contentType: 'application/json', kind: 'raw-json-text' };
    case 6: {
      // Deep nesting: cheap to send, expensive to recurse over (parsers, validators, serializers).
      const depth = rng.pick([100, 1000, 10_000, 60_000]);
      const inner = rng.chance(0.5) ? ['['.repeat(depth), ']'.repeat(depth)] : ['{"a":'.repeat(depth), '1' + '}'.repeat(depth)];
      return { payload: inner.join(''), contentType: 'application/json', kind: `nested-${depth}` };
    }
    case 7: {
      // Close to (or just over) the 256 KiB body limit.
      const size = rng.pick([200_000, 256 * 1024 - 16, 256 * 1024 + 1, 300_000]);
      const key = rng.pick(Object.keys(schema?.properties ?? { name: {} }));
      return { payload: JSON.stringify({ [key]: 'é'.repeat(Math.floor(size / 2)) }).slice(0, size + 12), contentType: 'application/json', kind: `huge-${size}` };
    }
    case 8:
      return { payload: JSON.stringify(fromSchema(rng, schema)) ?? '{}', contentType: rng.pick(CONTENT_TYPES), kind: 'odd-content-type' };
    case 9:
      return { payload: Buffer.from(Array.from({ length: rng.int(512) }, () => rng.int(256))), contentType: rng.chance(0.5) ? 'application/json' : undefined, kind: 'binary-garbage' };
    case 10:
      return { payload: '', contentType: rng.chance(0.7) ? 'application/json' : undefined, kind: 'empty' };
    default:
      return json(Array.from({ length: 1 + rng.int(3) }, () => fromSchema(rng, schema)), 'array-for-object');
  }
}

/** encodeURIComponent that takes lone surrogates too (as their UTF-8 replacement character's bytes). */
export function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
}

const QUERY_ENCODINGS = ['%00', '%ZZ', '%', '%E0%A4%A', '%C0%AF', '%FF%FE', '%F0%9F%98%80', '+', '%2B', '%20', '&', '=', '==', '%26%3D', '%u0041', '%%', 'é', '\u00A0'];

/** A query string (without `?`): schema keys and junk, repeated keys, bracket arrays, long and odd values. */
export function fuzzQuery(rng: Rng, schema: SchemaLike | undefined): string {
  const names = [...Object.keys(schema?.properties ?? {}), 'a', '__proto__', 'constructor', 'limit', 'scope', 'top', '$filter'];
  const parts: string[] = [];
  const n = rng.int(6);
  for (let i = 0; i < n; i++) {
    const name = rng.pick(names);
    const shaped = fromSchema(rng, schema?.properties?.[name]);
    const value =
      rng.int(4) === 0
        ? rng.pick(QUERY_ENCODINGS) + (rng.chance(0.5) ? rng.pick(QUERY_ENCODINGS) : '')
        : enc(typeof shaped === 'string' ? shaped : JSON.stringify(shaped) ?? '');
    switch (rng.int(5)) {
      case 0:
        parts.push(`${name}=${value}`, `${name}=${enc(oddString(rng))}`); // repeated key
        break;
      case 1:
        parts.push(`${name}[]=${value}`, `${name}[0]=${value}`, `${name}[a][b]=${value}`);
        break;
      case 2:
        parts.push(`${name}=${'v'.repeat(rng.pick([1000, 8000, 30_000]))}`);
        break;
      case 3:
        parts.push(rng.chance(0.5) ? name : `=${value}`);
        break;
      default:
        parts.push(`${name}=${value}`);
    }
  }
  return parts.join('&');
}

/** A path parameter as it goes in the URL (already encoded, or deliberately not): real, odd, or long. */
export function fuzzPathParam(rng: Rng, real: string | undefined): string {
  const realEncoded = real === undefined ? 'x' : enc(real);
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2:
      return realEncoded;
    case 3:
      return rng.pick([realEncoded.toUpperCase(), realEncoded.toLowerCase(), `${realEncoded}%20`, `%20${realEncoded}`, `${realEncoded}.`, `${realEncoded}%00`]);
    case 4:
      return rng.pick(['..', '%2e%2e', '%2E%2E%2F', '.', '%2e', '..%2F..%2Fusers', '%5C..%5C']);
    case 5:
      return rng.pick(['%00', '%ZZ', '%', '%E0%A4%A', '%C0%AF', '%FF', '%F0%9F%98%80', '%ED%A0%80', '%C3%A9', '%2F', '%23', '%3F', '%25']);
    case 6:
      return enc('é😀ĸ' + oddString(rng).slice(0, 30));
    case 7:
      return 'n'.repeat(rng.pick([80, 99, 100, 101, 200, 1000, 5000]));
    case 8:
      return enc(oddString(rng).slice(0, 120));
    default:
      return rng.pick(['current', 'admin', 'Owner', '00000000-0000-4000-8000-000000000000', '*', 'null', '0', '-1', '1e309', 'a.b', 'a:b', '@', '~', "'", '"']);
  }
}
