import { X509Certificate } from 'node:crypto';
import { connect, type PeerCertificate } from 'node:tls';
import type { Credentials } from './credentials.js';

/** What the bastion's TLS endpoint presented. */
export interface ServerCertificate {
  /** OpenSSL's style, as the bastion prints it at start: `AB:CD:…` (SHA-256 of the DER certificate). */
  fingerprint: string;
  pem: string;
  subject: string;
  /** True when the system's CAs (or NODE_EXTRA_CA_CERTS) vouch for it for this host name. */
  trusted: boolean;
  trustError: string | null;
}

/** `ab cd…`, `abcd…`, `SHA256:AB:CD…`: the same fingerprint, normalised to `AB:CD:…`. */
export function normalizeFingerprint(fp: string): string {
  const hex = fp.replace(/^sha-?256[:=]?/i, '').replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

/** Opens a TLS connection only to look at the certificate (nothing is sent), then closes it. */
export function probeCertificate(url: string, timeoutMs = 10_000): Promise<ServerCertificate> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 443), servername: isIp(u.hostname) ? undefined : u.hostname, rejectUnauthorized: false });
    const timer = setTimeout(() => socket.destroy(new Error(`${u.host} did not complete a TLS handshake within ${timeoutMs / 1000} s.`)), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const peer: PeerCertificate = socket.getPeerCertificate(false);
      const pem = `-----BEGIN CERTIFICATE-----\n${peer.raw.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
      const x509 = new X509Certificate(pem);
      const authError = socket.authorizationError as unknown as Error | string | null;
      resolve({ fingerprint: x509.fingerprint256, pem, subject: x509.subject.replace(/\n/g, ', '), trusted: socket.authorized, trustError: authError === null ? null : String(authError) });
      socket.end();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`Cannot reach ${u.host}: ${err.message}`));
    });
  });
}

const isIp = (h: string): boolean => /^[\d.]+$/.test(h) || h.includes(':');

/**
 * TLS options for every request to the bastion: normal verification, or — for a pinned self-signed
 * certificate — trust exactly that certificate (as the only CA) and, since such a certificate rarely names
 * the host, check its fingerprint instead of its name. A different certificate fails the handshake.
 */
export function tlsOptions(c: Pick<Credentials, 'tls' | 'url'>): { ca?: string; checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined; servername?: string } {
  const host = new URL(c.url).hostname;
  const servername = isIp(host) ? undefined : host;
  if (c.tls.mode === 'verified') return servername ? { servername } : {};
  const expected = normalizeFingerprint(c.tls.fingerprint);
  return {
    ca: c.tls.certificatePem,
    ...(servername ? { servername } : {}),
    checkServerIdentity: (_host, cert) => (normalizeFingerprint(cert.fingerprint256) === expected ? undefined : new Error(`certificate fingerprint ${cert.fingerprint256} is not the pinned ${expected}`)),
  };
}

/** A handshake failure on a pinned bastion: name both fingerprints (what changed is the point). */
export async function explainTlsFailure(c: Credentials, err: Error): Promise<Error> {
  if (!/certificate|self.signed|fingerprint|CERT|unable to verify/i.test(err.message)) return err;
  const now = await probeCertificate(c.url).catch(() => undefined);
  const expected = c.tls.fingerprint;
  return new Error(
    `The bastion's TLS certificate does not match the one trusted at \`bastion login\` (expected ${expected}, got ${now?.fingerprint ?? 'unknown'}). ` +
      'This may be an attack; if the certificate was replaced on purpose, check the new fingerprint with the administrator and run `bastion login` again.',
    { cause: err },
  );
}
