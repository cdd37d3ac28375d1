import { hostname, networkInterfaces } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BastionError } from '../../errors.js';

/** A Host header: a DNS name or IPv4 address, or an IPv6 address in brackets, and an optional port. */
const HOST_HEADER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

/** The name part of a Host header, lower case (IPv6 keeps its brackets), or undefined when it is malformed. */
export function hostNameOf(host: string | undefined): string | undefined {
  const m = HOST_HEADER.exec(host ?? '');
  return m ? m[1]!.toLowerCase() : undefined;
}

const bracketed = (address: string): string => (address.includes(':') ? `[${address.toLowerCase()}]` : address);

/** The names this machine answers to without configuration: loopback, its host name and every interface address. */
function machineNames(): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]', hostname().toLowerCase()]);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(bracketed(a.address.split('%')[0]!));
  return names;
}

export interface HostPolicy {
  /** Whether a request with this Host header (or X-Forwarded-Host behind a trusted proxy) is for this bastion. */
  allows(host: string | undefined): boolean;
  /** The origin of URLs the bastion hands out: server.publicUrl's, else the (checked) request's own. */
  publicOrigin(request: FastifyRequest): string;
  /** Origins allowed on state-changing requests and WebSocket upgrades. */
  allowedOrigins(request: FastifyRequest): string[];
}

/**
 * Which Host names the bastion answers (issue #12, finding 9). With `server.publicUrl`, its host name and
 * `server.allowedHosts` only; without it, `allowedHosts` plus the machine's own names and addresses (what a
 * newcomer types after `npm start`). Any other Host is refused before anything reads it, so neither the
 * CSRF origin list nor a generated URL (RDP proxy, shareable link) can be steered by a forged Host or by DNS
 * rebinding. Interface addresses can change (DHCP): an unknown name re-reads them, at most every 5 s.
 */
export function hostPolicy(opts: { publicUrl?: string | undefined; allowedHosts?: readonly string[] | undefined }): HostPolicy {
  const configured = new Set((opts.allowedHosts ?? []).map((h) => hostNameOf(h) ?? h.toLowerCase()));
  const publicOrigin = opts.publicUrl ? new URL(opts.publicUrl).origin : undefined;
  if (opts.publicUrl) configured.add(new URL(opts.publicUrl).hostname.toLowerCase());
  let machine = opts.publicUrl ? new Set<string>() : machineNames();
  let readAt = Date.now();
  const allows = (host: string | undefined): boolean => {
    const name = hostNameOf(host);
    if (name === undefined) return false;
    if (configured.has(name) || machine.has(name)) return true;
    if (opts.publicUrl || Date.now() - readAt < 5000) return false;
    machine = machineNames();
    readAt = Date.now();
    return machine.has(name);
  };
  return {
    allows,
    publicOrigin: (request) => publicOrigin ?? `https://${request.host}`,
    allowedOrigins: (request) => [...new Set([`https://${request.host}`, ...(publicOrigin ? [publicOrigin] : [])])],
  };
}

/** Refuses (421) a request whose Host is not one of the bastion's; runs right after the canonical-path hook. */
export function registerHostCheck(app: FastifyInstance, policy: HostPolicy): void {
  app.addHook('onRequest', async (request) => {
    if (!policy.allows(request.host))
      throw new BastionError('BST_ERR_UNKNOWN_HOST', `This bastion does not answer to the host name ${JSON.stringify(request.host ?? '')}. Use its address, or add the name to server.allowedHosts (or set server.publicUrl).`);
  });
}
