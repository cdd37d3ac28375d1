/**
 * SSH gateway failures as stable codes with user-facing messages. Codes are part of the API (the browser
 * shows the message and may branch on the code): never rename one. Not part of the global BST_ERR_*
 * catalogue: the HTTP/WebSocket layer maps them when it reports a failed connect.
 */
export type SshErrorCode =
  | 'auth_failed'
  | 'passphrase_required'
  | 'bad_passphrase'
  | 'bad_key'
  | 'unreachable'
  | 'handshake_timeout'
  | 'refused'
  | 'dns_failed'
  | 'host_key_changed'
  | 'host_key_rejected'
  | 'shell_failed'
  | 'keepalive_timeout'
  | 'closed'
  | 'network';

export interface SshErrorDetails {
  host?: string;
  port?: number;
  timeoutMs?: number;
  expectedFingerprint?: string;
  offeredFingerprint?: string;
  offeredKeyType?: string;
}

export class SshError extends Error {
  readonly code: SshErrorCode;
  readonly details: SshErrorDetails;

  constructor(code: SshErrorCode, message: string, details: SshErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SshError';
    this.code = code;
    this.details = details;
  }
}

/** 10000 → "10 s", 1500 → "1.5 s". */
export const formatSeconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;

const at = (host: string, port: number): string => `The VM at ${host}:${port}`;

export const sshErrors = {
  authFailed: (cause?: unknown) =>
    new SshError('auth_failed', 'Authentication failed: the VM refused the username or password/key.', {}, { cause }),
  passphraseRequired: (cause?: unknown) =>
    new SshError('passphrase_required', 'The private key is encrypted: enter its passphrase.', {}, { cause }),
  badPassphrase: (cause?: unknown) => new SshError('bad_passphrase', 'The private key could not be decrypted: wrong passphrase.', {}, { cause }),
  badKey: (cause?: unknown) =>
    new SshError('bad_key', 'The private key could not be read: it is not a valid OpenSSH, PEM or PuTTY private key.', {}, { cause }),
  unreachable: (host: string, port: number, timeoutMs: number, cause?: unknown) =>
    new SshError('unreachable', `${at(host, port)} did not answer within ${formatSeconds(timeoutMs)}.`, { host, port, timeoutMs }, { cause }),
  noRoute: (host: string, port: number, cause?: unknown) =>
    new SshError('unreachable', `${at(host, port)} is unreachable (no route to host).`, { host, port }, { cause }),
  handshakeTimeout: (host: string, port: number, timeoutMs: number, cause?: unknown) =>
    new SshError(
      'handshake_timeout',
      `${at(host, port)} accepted the connection but did not complete the SSH handshake within ${formatSeconds(timeoutMs)}.`,
      { host, port, timeoutMs },
      { cause },
    ),
  refused: (host: string, port: number, cause?: unknown) =>
    new SshError('refused', `${at(host, port)} refused the connection (nothing listens on that port).`, { host, port }, { cause }),
  dnsFailed: (host: string, port: number, cause?: unknown) =>
    new SshError('dns_failed', `The VM address ${host} could not be resolved.`, { host, port }, { cause }),
  hostKeyChanged: (expectedFingerprint: string, offeredFingerprint: string, offeredKeyType: string) =>
    new SshError(
      'host_key_changed',
      `The VM's host key has changed (possible man-in-the-middle attack). Expected ${expectedFingerprint}, got ${offeredFingerprint}. ` +
        'An administrator must accept the new key.',
      { expectedFingerprint, offeredFingerprint, offeredKeyType },
    ),
  hostKeyRejected: (offeredFingerprint: string, offeredKeyType: string, cause?: unknown) =>
    new SshError('host_key_rejected', `The VM's host key ${offeredFingerprint} (${offeredKeyType}) was not accepted.`, { offeredFingerprint, offeredKeyType }, { cause }),
  shellFailed: (cause?: unknown) => new SshError('shell_failed', 'The VM refused to open a terminal (PTY shell) for this user.', {}, { cause }),
  keepaliveTimeout: (host: string, port: number, cause?: unknown) =>
    new SshError('keepalive_timeout', `${at(host, port)} stopped answering (keepalive timeout).`, { host, port }, { cause }),
  closed: (host: string, port: number, cause?: unknown) =>
    new SshError('closed', `The SSH connection to ${host}:${port} was closed unexpectedly.`, { host, port }, { cause }),
  network: (host: string, port: number, cause?: unknown) =>
    new SshError('network', `The SSH connection to ${host}:${port} failed: ${(cause as Error | undefined)?.message ?? 'network error'}.`, { host, port }, { cause }),
} as const;

/** ssh2's key parser error → bad_passphrase / passphrase_required / bad_key. */
export function classifyKeyError(err: Error): SshError {
  const m = err.message;
  if (/no passphrase given/i.test(m)) return sshErrors.passphraseRequired(err);
  if (/bad passphrase|integrity check failed|decrypt/i.test(m)) return sshErrors.badPassphrase(err);
  return sshErrors.badKey(err);
}

export interface ConnectFailureContext {
  host: string;
  port: number;
  readyTimeoutMs: number;
  /** Whether the TCP connection was established before the failure. */
  tcpConnected: boolean;
  /** Whether the SSH session was ready (authenticated) before the failure. */
  ready: boolean;
}

/** An ssh2 Client 'error' (with its `level`) → SshError. */
export function classifyClientError(err: Error & { level?: string; code?: string }, ctx: ConnectFailureContext): SshError {
  if (err instanceof SshError) return err;
  const { host, port } = ctx;
  if (err.level === 'client-authentication') return sshErrors.authFailed(err);
  if (err.level === 'client-timeout') {
    if (ctx.ready || /keepalive/i.test(err.message)) return sshErrors.keepaliveTimeout(host, port, err);
    return ctx.tcpConnected ? sshErrors.handshakeTimeout(host, port, ctx.readyTimeoutMs, err) : sshErrors.unreachable(host, port, ctx.readyTimeoutMs, err);
  }
  switch (err.code) {
    case 'ECONNREFUSED':
      return sshErrors.refused(host, port, err);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return sshErrors.noRoute(host, port, err);
    case 'ETIMEDOUT':
      return sshErrors.unreachable(host, port, ctx.readyTimeoutMs, err);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return sshErrors.dnsFailed(host, port, err);
    case 'ECONNRESET':
    case 'EPIPE':
      return sshErrors.closed(host, port, err);
  }
  return sshErrors.network(host, port, err);
}
