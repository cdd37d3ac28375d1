import { RDP_RELAY_STATUS as STATUS, WSA_ERROR } from '../../../protocol/src/rdp-relay.js';

/**
 * Turns what IronRDP and the relay report into words a user understands. Pure (no IronRDP import):
 * the error kinds are the numeric values of IronRDP's `IronErrorKind`, and the RDCleanPath details are
 * what the relay put in its error PDU (HTTP status, Windows socket error, TLS alert).
 */

/** `IronErrorKind` of @devolutions/iron-remote-desktop (a `declare enum`: no runtime object to import). */
export const IRON_ERROR_KIND = {
  General: 0,
  WrongPassword: 1,
  LogonFailure: 2,
  AccessDenied: 3,
  RDCleanPath: 4,
  ProxyConnect: 5,
  NegotiationFailure: 6,
} as const;

export interface RdCleanPathDetails {
  readonly httpStatusCode?: number;
  readonly wsaErrorCode?: number;
  readonly tlsAlertCode?: number;
}

/** What an IronError looks like from JavaScript (wasm-bindgen object or the web component's own). */
export interface IronErrorLike {
  kind(): number;
  backtrace(): string;
  rdcleanpathDetails?: () => RdCleanPathDetails | undefined;
}

export type RdpFailureKind =
  | 'wrong-password'
  | 'access-denied'
  | 'nla-required'
  | 'security-mismatch'
  | 'refused'
  | 'unreachable'
  | 'handshake'
  | 'not-found'
  | 'certificate-changed'
  | 'token'
  | 'forbidden'
  | 'relay'
  | 'tls'
  | 'general';

export interface RdpFailure {
  kind: RdpFailureKind;
  /** One or two sentences for the status line. */
  message: string;
  /** The technical text (IronRDP's error chain), for the "Details" disclosure and bug reports. */
  detail?: string;
}

export const isIronError = (value: unknown): value is IronErrorLike =>
  typeof value === 'object' && value !== null && typeof (value as IronErrorLike).kind === 'function' && typeof (value as IronErrorLike).backtrace === 'function';

const MESSAGES: Record<RdpFailureKind, string> = {
  'wrong-password': 'The user name or password is incorrect.',
  'access-denied': 'The VM accepted the password but does not allow this account to sign in by Remote Desktop.',
  'nla-required': 'The VM requires Network Level Authentication (NLA) in a form this client cannot offer.',
  'security-mismatch': 'The VM and the client could not agree on a security protocol (TLS or NLA).',
  refused: 'The VM refused the connection: no Remote Desktop service is listening on that port.',
  unreachable: 'The bastion cannot reach the VM: it is stopped, or a network rule blocks the Remote Desktop port.',
  handshake: 'The VM’s Remote Desktop service closed the connection before it was set up.',
  'not-found': 'This VM no longer exists, or it has no private IP address.',
  'certificate-changed':
    'The VM presented a different certificate than the one trusted before. This may be a man-in-the-middle attack. The connection was stopped; an administrator must check and accept the new certificate.',
  token: 'The connection token was refused (expired or already used). Reconnect to get a new one.',
  forbidden: 'The bastion refused the connection: you may no longer have access to this VM.',
  relay: 'The connection to the bastion failed. Check your network, then reconnect.',
  tls: 'The secure (TLS) connection to the VM failed.',
  general: 'The remote desktop connection failed.',
};

/** The failure of `kind` with its standard message. */
export const rdpFailure = (kind: RdpFailureKind, detail?: string, message = MESSAGES[kind]): RdpFailure => (detail ? { kind, message, detail } : { kind, message });
const failure = rdpFailure;

/** From the relay's RDCleanPath error: which failure, if the details say. */
export function failureFromRdCleanPath(details: RdCleanPathDetails | undefined): RdpFailureKind | undefined {
  if (!details) return undefined;
  const { httpStatusCode: http, wsaErrorCode: wsa, tlsAlertCode: tls } = details;
  if (wsa === WSA_ERROR.ECONNREFUSED) return 'refused';
  if (wsa !== undefined) return 'unreachable';
  if (tls !== undefined) return 'tls';
  switch (http) {
    case STATUS.TOKEN_INVALID:
      return 'token';
    case STATUS.FORBIDDEN:
      return 'forbidden';
    case STATUS.NOT_FOUND:
      return 'not-found';
    case STATUS.CERTIFICATE_CHANGED:
      return 'certificate-changed';
    case STATUS.BAD_GATEWAY:
      return 'handshake';
    case STATUS.GATEWAY_TIMEOUT:
      return 'unreachable';
    default:
      return undefined;
  }
}

/** Negotiation failure codes ([MS-RDPBCGR] 2.2.1.2.2), as IronRDP prints them. */
function failureFromNegotiation(text: string): RdpFailureKind {
  if (/hybrid.?required|HYBRID_REQUIRED/i.test(text)) return 'nla-required';
  if (/ssl.?with.?user.?auth|HYBRID_EX/i.test(text)) return 'nla-required';
  return 'security-mismatch';
}

/**
 * How a connection cut during connect() reads in IronRDP's error chain ("read frame by hint … not enough
 * bytes" when FreeRDP or Windows hang up after a rejected NLA password).
 */
const DROPPED_DURING_SIGN_IN = /credssp|ntlm|sspi|kerberos|not enough bytes|unexpected eof|connection (closed|reset)/i;

/**
 * The failure for anything thrown by connect() or run(). `phase` matters for IronRDP's "General" errors:
 * FreeRDP and Windows drop the connection on a wrong NLA password instead of answering, so a connection
 * that dies inside CredSSP is most likely a wrong password.
 */
export function describeRdpError(error: unknown, phase: 'connect' | 'session' = 'connect'): RdpFailure {
  if (!isIronError(error)) {
    const text = error instanceof Error ? error.message : typeof error === 'string' ? error : undefined;
    return failure('general', text);
  }
  let detail: string | undefined;
  try {
    detail = error.backtrace();
  } catch {
    detail = undefined;
  }
  const text = detail ?? '';
  switch (error.kind()) {
    case IRON_ERROR_KIND.WrongPassword:
    case IRON_ERROR_KIND.LogonFailure:
      return failure('wrong-password', detail);
    case IRON_ERROR_KIND.AccessDenied:
      return failure('access-denied', detail);
    case IRON_ERROR_KIND.NegotiationFailure:
      return failure(failureFromNegotiation(text), detail);
    case IRON_ERROR_KIND.ProxyConnect:
      return failure('relay', detail);
    case IRON_ERROR_KIND.RDCleanPath: {
      let details: RdCleanPathDetails | undefined;
      try {
        details = error.rdcleanpathDetails?.();
      } catch {
        details = undefined;
      }
      return failure(failureFromRdCleanPath(details) ?? 'relay', detail);
    }
    default:
      if (phase === 'connect' && DROPPED_DURING_SIGN_IN.test(text))
        return failure('wrong-password', detail, 'Sign-in failed: the VM closed the connection while checking the credentials. The user name or password is probably incorrect.');
      return failure('general', detail);
  }
}

/** Why a session that was running ended, from IronRDP's termination reason. */
export function describeSessionEnd(reason: string, userInitiated: boolean): string {
  if (userInitiated) return 'You disconnected.';
  if (/log(ged)?\s?off|logoff/i.test(reason)) return 'You signed out of the VM.';
  if (/idle/i.test(reason)) return 'The VM ended the session because it was idle.';
  if (/another (user|session)|replaced/i.test(reason)) return 'The session was taken over by another connection.';
  if (/shut ?down|reboot/i.test(reason)) return 'The VM is shutting down or restarting.';
  return reason ? `The session ended: ${reason}` : 'The session ended.';
}
