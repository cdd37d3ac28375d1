/**
 * What the Connect form hands to a session page: the VM, the account and how to authenticate. It lives
 * only in memory (never in the URL, storage or history): the session page asks for a fresh single-use
 * ticket with it on every connect and Reconnect. Pure data and a small in-memory hand-over; no DOM here.
 */

export type SshAuthChoice =
  | { type: 'password'; password: string }
  | { type: 'privateKey'; privateKey: string; passphrase?: string }
  /** A Key Vault secret (password or SSH private key): only its ID leaves the browser. */
  | { type: 'vaultSecret'; secretId: string };

export type ConnectRequest =
  | { protocol: 'ssh'; vmId: string; vmName: string; username: string; port: number; auth: SshAuthChoice }
  | { protocol: 'rdp'; vmId: string; vmName: string; username: string; port: number; password: string };

/** Session pages live at `/session/<id>`, outside the portal's frame so the session fills the tab. */
export const SESSION_PATH_PREFIX = '/session/';
export const sessionPath = (id: string): string => `${SESSION_PATH_PREFIX}${encodeURIComponent(id)}`;

const ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
export const isSessionId = (id: string): boolean => ID_PATTERN.test(id);

/** An unguessable ID (so another page of the same origin cannot ask for someone's hand-over by guessing). */
export function newSessionId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(18));
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Requests waiting for their session page, in this tab. A same-tab session takes its request once; a
 * request for a new tab stays until that tab has asked for it (see connect-handover.ts) or the time runs out.
 */
export class PendingConnections {
  readonly #entries = new Map<string, { request: ConnectRequest; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly ttlMs = 60_000) {}

  put(request: ConnectRequest, id: string = newSessionId()): string {
    const timer = setTimeout(() => this.#entries.delete(id), this.ttlMs);
    this.#entries.set(id, { request, timer });
    return id;
  }

  /** The request for `id`, removed: a hand-over happens once. */
  take(id: string): ConnectRequest | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.#entries.delete(id);
    return entry.request;
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** The one store of this tab. */
export const pendingConnections = new PendingConnections();

/** The body of `POST <vm>/bastionSsh` for a request. */
export function sshTicketBody(request: Extract<ConnectRequest, { protocol: 'ssh' }>): { username: string; port: number; auth: SshAuthChoice } {
  return { username: request.username, port: request.port, auth: request.auth };
}
