import { RDP_RELAY_STATUS as S, WSA_ERROR } from '../../../../protocol/src/rdp-relay.js';
import type { SshWireErrorCode } from '../../../../protocol/src/ssh-messages.js';
import { RDCLEANPATH_ERROR, type RdCleanPathError } from './rdcleanpath.js';

/**
 * Why a browser RDP connection failed, as the relay reports it: an RDCleanPath error (codes only; see
 * RDP_RELAY_STATUS for what each status means), a sentence for the log and the connection record, and the
 * connection record's error code (the wire codes SSH uses: one vocabulary for BastionAuditLogs).
 */
export class RdpRelayError extends Error {
  constructor(
    readonly kind: RdpFailure,
    message: string,
    readonly pdu: RdCleanPathError,
    /** The VM's X.224 Connection Confirm, for negotiation failures. */
    readonly x224?: Uint8Array,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RdpRelayError';
  }

  get auditCode(): SshWireErrorCode {
    return AUDIT_CODE[this.kind];
  }
}

export type RdpFailure = 'bad_request' | 'token' | 'forbidden' | 'not_found' | 'refused' | 'unreachable' | 'timeout' | 'negotiation' | 'tls' | 'certificate_changed' | 'internal';

const AUDIT_CODE: Record<RdpFailure, SshWireErrorCode> = {
  bad_request: 'internal',
  token: 'ticket_invalid',
  forbidden: 'forbidden',
  not_found: 'unreachable',
  refused: 'refused',
  unreachable: 'unreachable',
  timeout: 'unreachable',
  negotiation: 'refused',
  tls: 'unreachable',
  certificate_changed: 'host_key_changed',
  internal: 'internal',
};

const general = (httpStatus: number, extra: Partial<RdCleanPathError> = {}): RdCleanPathError => ({ errorCode: RDCLEANPATH_ERROR.GENERAL, httpStatus, ...extra });

/** The relay's failures, each with the message the log, the audit and (through the portal) the user see. */
export const rdpErrors = {
  badRequest: (why: string) => new RdpRelayError('bad_request', `Malformed RDCleanPath request: ${why}.`, general(S.BAD_REQUEST)),
  token: (why: string) => new RdpRelayError('token', why, general(S.TOKEN_INVALID)),
  forbidden: (why: string) => new RdpRelayError('forbidden', why, general(S.FORBIDDEN)),
  notFound: (why: string) => new RdpRelayError('not_found', why, general(S.NOT_FOUND)),
  /** From a failed TCP connect; names the address and the system error. */
  connect: (host: string, port: number, err: NodeJS.ErrnoException, timeoutMs: number): RdpRelayError => {
    const at = `${host}:${port}`;
    switch (err.code) {
      case 'ECONNREFUSED':
        return new RdpRelayError('refused', `${at} refused the connection (nothing listens on port ${port}, or a firewall rejects it).`, general(S.BAD_GATEWAY, { wsaLastError: WSA_ERROR.ECONNREFUSED }), undefined, { cause: err });
      case 'ETIMEDOUT':
        return new RdpRelayError('timeout', `No answer from ${at} within ${Math.round(timeoutMs / 1000)} s (the VM is off, or a firewall drops the connection).`, general(S.GATEWAY_TIMEOUT, { wsaLastError: WSA_ERROR.ETIMEDOUT }), undefined, { cause: err });
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return new RdpRelayError('unreachable', `${at} is unreachable (${err.code}).`, general(S.BAD_GATEWAY, { wsaLastError: WSA_ERROR[err.code] }), undefined, { cause: err });
      default:
        return new RdpRelayError('unreachable', `Could not connect to ${at}: ${err.code ?? err.message}.`, general(S.BAD_GATEWAY), undefined, { cause: err });
    }
  },
  timeout: (step: string, host: string, port: number, timeoutMs: number) =>
    new RdpRelayError('timeout', `${step} with ${host}:${port} did not complete within ${Math.round(timeoutMs / 1000)} s.`, general(S.GATEWAY_TIMEOUT)),
  /** The VM's RDP server closed or answered nonsense during X.224. */
  x224: (host: string, port: number, why: string) => new RdpRelayError('unreachable', `The RDP server at ${host}:${port} ${why}.`, general(S.BAD_GATEWAY)),
  negotiation: (host: string, port: number, why: string, confirm: Uint8Array) =>
    new RdpRelayError('negotiation', `The RDP server at ${host}:${port}: ${why}.`, { errorCode: RDCLEANPATH_ERROR.NEGOTIATION }, confirm),
  tls: (host: string, port: number, err: Error & { code?: string }) =>
    new RdpRelayError('tls', `TLS with the RDP server at ${host}:${port} failed: ${err.code ?? err.message}.`, general(S.BAD_GATEWAY), undefined, { cause: err }),
  certificateChanged: (vmName: string, expected: string, offered: string) =>
    new RdpRelayError(
      'certificate_changed',
      `The VM's RDP certificate changed (pinned ${expected}, offered ${offered}): this may be a man-in-the-middle attack, so the connection was refused. An administrator must accept the new certificate of ${vmName} before anyone can connect.`,
      general(S.CERTIFICATE_CHANGED),
    ),
  internal: (cause: unknown) => new RdpRelayError('internal', 'Internal error in the RDP relay.', general(500), undefined, { cause }),
};
