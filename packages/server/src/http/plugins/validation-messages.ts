/**
 * Ajv's schema errors ("body.username must NOT have more than 128 characters") in words a portal user
 * reads ("User names are at most 128 characters."). Pure, so every keyword is unit-tested.
 */

/** The parts of an Ajv error this module reads (Fastify passes Ajv's ErrorObject). */
export interface SchemaError {
  keyword: string;
  instancePath?: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** Field names whose words are not just their camelCase split. */
const FIELD_WORDS: Record<string, string> = {
  username: 'User name',
  userName: 'User name',
  newPassword: 'New password',
  currentPassword: 'Current password',
  osType: 'OS type',
  sessionId: 'Session ID',
  tunnelId: 'Tunnel ID',
};

/** Words kept in capitals when a camelCase name is split. */
const ACRONYMS = new Set(['id', 'ip', 'ips', 'url', 'ssh', 'rdp', 'os', 'vm', 'vms', 'nic', 'tls', 'csrf', 'api']);

/** "privateIpAddress" → "Private IP address". */
export function fieldWords(name: string): string {
  if (FIELD_WORDS[name]) return FIELD_WORDS[name];
  const words = name
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .split(/\s+/)
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? (w.toLowerCase().endsWith('s') && w.length > 2 ? `${w.slice(0, -1).toUpperCase()}s` : w.toUpperCase()) : w.toLowerCase()));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "User name" → "User names"; enough English for field names. */
const plural = (words: string): string =>
  /(s|x|sh|ch)$/.test(words) ? `${words}es` : /[^aeiou]y$/.test(words) ? `${words.slice(0, -1)}ies` : `${words}s`;

/** The field an error is about: the missing or extra property, else the last named step of its path. */
function fieldName(err: SchemaError): string | undefined {
  const p = err.params ?? {};
  if (err.keyword === 'required' && typeof p.missingProperty === 'string') return p.missingProperty;
  const steps = (err.instancePath ?? '').split('/').filter((s) => s !== '' && !/^\d+$/.test(s));
  return steps.at(-1);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'empty',
};

const FORMAT_WORDS: Record<string, string> = { 'date-time': 'date and time', date: 'date', uuid: 'ID', uri: 'URL', email: 'e-mail address', ipv4: 'IPv4 address', ipv6: 'IPv6 address' };

const typeText = (type: unknown): string =>
  String(type)
    .split(',')
    .map((t) => TYPE_WORDS[t] ?? t)
    .join(' or ');

const count = (n: unknown, one: string): string => `${String(n)} ${n === 1 ? one : plural(one)}`;

const WHERE_WORDS: Record<string, string> = { body: 'The request body', querystring: 'The query', params: 'The address', headers: 'The request headers' };

/**
 * One sentence for the first schema error of a request part (`body`, `querystring`, `params`, `headers`).
 * A union of literals (TypeBox's `Union([Literal…])`) fails as one `const` error per choice: they are
 * read together as "one of".
 */
export function validationMessage(context: string | undefined, errors: readonly SchemaError[] | undefined): string {
  const where = WHERE_WORDS[context ?? 'body'] ?? 'The request';
  const first = errors?.[0];
  if (!first) return `${where} is not valid.`;
  const choices = errors.filter((e) => e.keyword === 'const' && e.instancePath === first.instancePath).map((e) => e.params?.allowedValue);
  const err: SchemaError = first.keyword === 'const' && choices.length > 1 ? { ...first, keyword: 'enum', params: { allowedValues: choices } } : first;
  const p = err.params ?? {};
  if (err.keyword === 'additionalProperties') return `${where} has a field it does not accept: ${String(p.additionalProperty)}.`;
  const name = fieldName(err);
  const field = name ? fieldWords(name) : where;
  switch (err.keyword) {
    case 'required':
      return `${field} is required.`;
    case 'maxLength':
      return `${name ? plural(field) : field} are at most ${count(p.limit, 'character')}.`;
    case 'minLength':
      return p.limit === 1 ? `${field} cannot be empty.` : `${name ? plural(field) : field} are at least ${count(p.limit, 'character')}.`;
    case 'pattern':
      return `${field} is not in the expected form.`;
    case 'format':
      return `${field} is not a valid ${FORMAT_WORDS[String(p.format)] ?? String(p.format)}.`;
    case 'type':
      return name ? `${field} must be ${typeText(p.type)}.` : `${where} must be ${typeText(p.type)}.`;
    case 'enum':
      return `${field} must be one of: ${(Array.isArray(p.allowedValues) ? p.allowedValues : []).map(String).join(', ')}.`;
    case 'const':
      return `${field} must be ${String(p.allowedValue)}.`;
    case 'maximum':
      return `${field} must be at most ${String(p.limit)}.`;
    case 'minimum':
      return `${field} must be at least ${String(p.limit)}.`;
    case 'exclusiveMaximum':
      return `${field} must be less than ${String(p.limit)}.`;
    case 'exclusiveMinimum':
      return `${field} must be more than ${String(p.limit)}.`;
    case 'maxItems':
      return `${field} may hold at most ${count(p.limit, 'entry')}.`;
    case 'minItems':
      return `${field} must hold at least ${count(p.limit, 'entry')}.`;
    case 'uniqueItems':
      return `${field} lists the same entry twice.`;
    case 'maxProperties':
      return `${field} may have at most ${count(p.limit, 'entry')}.`;
    default:
      // anyOf/oneOf/… are about the shape as a whole: say which field, not Ajv's wording.
      return `${field} is not valid.`;
  }
}
