import { RDP_STATUS_PATH, type RdpCertificateEntry, type RdpCertificateList, type RdpStatusResponse, type RdpTokenResponse } from '../../../protocol/src/rdp-relay.js';
import type { ApiClient } from '../api/api-client.js';
import { listValues, resourcePath } from '../api/bastion-api.js';

/**
 * The RDP endpoints of a VM (server: packages/server/src/http/routes/rdp-routes.ts, bodies in
 * packages/protocol/src/rdp-relay.ts). Kept beside the RDP client so its whole contract is in one folder.
 */

export const DEFAULT_RDP_PORT = 3389;

/** A refused certificate: the pinned one and the one the VM offers instead. */
export interface CertificateChange {
  port: number;
  pinned: string;
  offered: string;
}

/** The pin of `port` when the VM's certificate changed since (the relay refuses it until an admin accepts). */
export function certificateChangeOn(entries: readonly RdpCertificateEntry[], port: number): CertificateChange | undefined {
  const entry = entries.find((e) => e.port === port);
  if (!entry?.mismatch || !entry.lastOffered) return undefined;
  return { port, pinned: entry.pinned.fingerprint, offered: entry.lastOffered.fingerprint };
}

export function rdpApi(client: ApiClient) {
  return {
    /** A single-use association token, valid for 30 seconds: one per connect and Reconnect. */
    token: (vmId: string, port?: number) => client.post<RdpTokenResponse>(`${resourcePath(vmId)}/bastionRdp`, port === undefined ? {} : { port }),
    /** Whether the session opened with `token` is recorded (404 once it ended more than a minute ago). */
    status: (token: string) => client.post<RdpStatusResponse>(RDP_STATUS_PATH, { token }),
    certificates: async (vmId: string) => listValues(await client.get<RdpCertificateList>(`${resourcePath(vmId)}/rdpCertificates`)),
    /** Needs write access on the VM (403 otherwise). */
    acceptCertificate: (vmId: string, change: CertificateChange) =>
      client.post<RdpCertificateEntry>(`${resourcePath(vmId)}/rdpCertificates/accept`, { fingerprint: change.offered, port: change.port }),
  };
}

export type RdpApi = ReturnType<typeof rdpApi>;

/**
 * The relay URL to use: the path the server gave, on this page's own host. The WebSocket carries the
 * password (inside CredSSP, or in clear RDP inside wss for TLS-only VMs), so it never goes to a host the
 * page did not come from; and behind a reverse proxy or the Vite dev proxy the page's host is the right one.
 */
export function relayUrlFor(proxyUrl: string, page: Pick<Location, 'protocol' | 'host'>): string {
  const url = new URL(proxyUrl, 'wss://placeholder.invalid');
  return `${page.protocol === 'http:' ? 'ws:' : 'wss:'}//${page.host}${url.pathname}${url.search}`;
}
