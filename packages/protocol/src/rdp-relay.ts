/**
 * Browser RDP (design 0004): the API bodies around the RDCleanPath relay, shared by server and web client.
 * The relay itself speaks RDCleanPath (DER) over the WebSocket; its error PDU carries only numbers, so the
 * meaning of each `http_status` it uses is fixed here.
 */

/** `POST …/virtualMachines/:name/bastionRdp` body. */
export interface RdpTokenRequest {
  /** RDP port on the VM; 3389 when absent. */
  port?: number;
}

/** 201 answer: hand `token` to IronRDP as authToken, `proxyUrl` as proxyAddress, `destination` as destination. */
export interface RdpTokenResponse {
  /** Single use, valid 30 s, bound to the signed-in user, the VM and `destination`. */
  token: string;
  /** Absolute wss:// URL of the relay (`/api/rdp/relay` on the bastion). */
  proxyUrl: string;
  /** "<NIC private IP>:<port>": the client must send exactly this in the RDCleanPath request. */
  destination: string;
  /** ISO 8601. */
  expiresAt: string;
  /**
   * Text clipboard allowed: false when the bastion has `disableCopyPaste`. The web client then opens no
   * clipboard channel (enforced in the browser, as in Azure: the relay does not strip it).
   */
  clipboard: boolean;
}

/** Where the browser asks whether its RDP session is being recorded (design 0006). */
export const RDP_STATUS_PATH = '/api/rdp/status';

/**
 * `POST /api/rdp/status` body: the association token the session was opened with. The relay consumed it,
 * but keeps the session's recording status under its hash for as long as the session lives, for the
 * signed-in user it was issued to only (anyone else, or a token of no live session: 404).
 */
export interface RdpStatusRequest {
  token: string;
}

/**
 * 200 answer. `recorded: false` with a `message` when the recording could not start or broke
 * (recordings.onFailure: continue): the page shows the message for the rest of the session. Without a
 * message, recording of RDP is simply off on this bastion. Once false it stays false.
 */
export interface RdpStatusResponse {
  recorded: boolean;
  message?: string;
  /** True when the bastion refused or ended the session because of it (recordings.onFailure: disconnect). */
  ended?: boolean;
}

/**
 * `http_status` values in the relay's RDCleanPath error PDU (error_code 1 = general). A negotiation
 * failure (the VM refused the requested security protocol, e.g. it requires NLA) is error_code 2 and
 * carries the VM's X.224 Connection Confirm instead.
 */
export const RDP_RELAY_STATUS = {
  /** Malformed RDCleanPath request, or nothing valid arrived in time. */
  BAD_REQUEST: 400,
  /** Token unknown, already used, expired, or issued to another user. */
  TOKEN_INVALID: 401,
  /** The Connect check failed at connect time, or the token was issued for another destination. */
  FORBIDDEN: 403,
  /** The VM (or its NIC address) no longer exists. */
  NOT_FOUND: 404,
  /** The VM's TLS certificate differs from the pinned one: see `GET …/rdpCertificates`. */
  CERTIFICATE_CHANGED: 495,
  /** TCP refused (wsa_last_error 10061), unreachable (10065), or the VM broke the X.224/TLS handshake. */
  BAD_GATEWAY: 502,
  /** TCP connect, X.224 or TLS timed out (wsa_last_error 10060 for the TCP connect). */
  GATEWAY_TIMEOUT: 504,
} as const;

/** Windows socket error codes the relay reports (what mstsc users know). */
export const WSA_ERROR = { ETIMEDOUT: 10060, ECONNREFUSED: 10061, EHOSTUNREACH: 10065, ENETUNREACH: 10051 } as const;

export interface RdpCertificateInfo {
  /** SHA-256 of the leaf certificate's DER, upper-case hex pairs joined by ':' (as browsers show it). */
  fingerprint: string;
  subject: string;
  validFrom: string;
  validTo: string;
}

/** One pinned certificate per VM port, as `GET …/virtualMachines/:name/rdpCertificates` lists it. */
export interface RdpCertificateEntry {
  port: number;
  /** The NIC address it was seen at. */
  host: string;
  pinned: RdpCertificateInfo & { pinnedAt: string; /** null: pinned automatically on first use. */ acceptedBy: string | null };
  /** The certificate offered by the latest connection refused for a mismatch (null when none since the pin). */
  lastOffered: (RdpCertificateInfo & { offeredAt: string }) | null;
  /** True while `lastOffered` differs from `pinned`: connections are refused until an admin accepts. */
  mismatch: boolean;
}

export interface RdpCertificateList {
  value: RdpCertificateEntry[];
}

/** `POST …/rdpCertificates/accept` body: the fingerprint the admin saw (must be the last offered one). */
export interface RdpCertificateAccept {
  fingerprint: string;
  /** Which port's pin; 3389 when absent. */
  port?: number;
}
