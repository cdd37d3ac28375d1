import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationError } from '../../errors.js';

/**
 * Percent-escapes that a canonical URL never holds (RFC 3986 §6.2.2.2: unreserved characters are never
 * encoded), or that would change how the path splits into segments once decoded: `/`, `\`, `;`, `%` itself
 * (double encoding), `?`, `#`, and control characters. Anything else (a space, `:`, `@`, UTF-8 bytes) may be
 * encoded, as browsers do.
 */
function refusedEscape(byte: number): string | undefined {
  const c = String.fromCharCode(byte);
  const escape = `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  if (/[A-Za-z0-9\-._~]/.test(c)) return `an encoded '${c}' (${escape}), which a URL never needs`;
  if (c === '/' || c === '\\') return `an encoded '${c}' (${escape}), which no name may contain`;
  if (c === ';' || c === '%' || c === '?' || c === '#') return `an encoded '${c}' (${escape})`;
  if (byte < 0x20 || byte === 0x7f) return `an encoded control character (${escape})`;
  return undefined;
}

/**
 * Why the path part of a request target is not in the one spelling the router and every check agree on,
 * or undefined when it is. A path is canonical when it starts with `/`, has no empty, `.` or `..`
 * segment, no trailing `/` (but for `/` itself), no `\`, `;` or control characters, and its
 * percent-escapes are well formed and encode nothing from `refusedEscape`.
 */
export function nonCanonicalReason(path: string): string | undefined {
  if (!path.startsWith('/')) return 'it does not start with /';
  if (path === '/') return undefined;
  if (path.endsWith('/')) return 'it ends with /';
  if (/[\\;#\s\x00-\x1f\x7f]/.test(path)) return "it holds '\\', ';', '#', white space or a control character";
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') return 'it holds an empty segment (//)';
    if (segment === '.' || segment === '..') return `it holds a '${segment}' segment`;
  }
  for (let i = path.indexOf('%'); i !== -1; i = path.indexOf('%', i + 1)) {
    const hex = path.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return 'a percent-escape is malformed';
    const reason = refusedEscape(parseInt(hex, 16));
    if (reason) return `it holds ${reason}`;
  }
  try {
    decodeURIComponent(path);
  } catch {
    return 'its percent-escapes are not valid UTF-8';
  }
  return undefined;
}

export const pathOf = (request: FastifyRequest): string => {
  const url = request.raw.url ?? request.url;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
};

/**
 * The first hook of every request (issue #12): the router matches the decoded path while anything that
 * reads the raw URL sees another spelling, so `/%61pi/users` once reached the user list unauthenticated.
 * The checks now decide from the matched route, and on top of that no request whose path could be spelled
 * two ways gets further than this hook: it is refused with 400 before authentication, routing decisions or
 * logging of anything but the request line.
 */
export function registerCanonicalPath(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const reason = nonCanonicalReason(pathOf(request));
    if (reason) throw validationError(`The URL path is not in canonical form: ${reason}. Spell it as the API documents it.`);
  });
}
