import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { writeFileDurably } from '../storage/durable-file.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 fingerprint shown to users so they can check what their browser warns about. */
  fingerprint: string;
  source: 'self-signed' | 'files';
}

const fingerprintOf = (certPem: string): string => new X509Certificate(certPem).fingerprint256;

/** Reads the user's own certificate and key; both are checked so a bad pair fails at start with a clear message. */
export function loadTlsFiles(certFile: string, keyFile: string): TlsMaterial {
  const read = (file: string, what: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`server.tls.${what}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const cert = read(certFile, 'certFile');
  const key = read(keyFile, 'keyFile');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error('the private key does not match the certificate');
  } catch (err) {
    throw new Error(`server.tls: ${certFile} / ${keyFile} are not a usable certificate and key: ${(err as Error).message}`);
  }
  return { cert, key, fingerprint: x509.fingerprint256, source: 'files' };
}

/**
 * The kept self-signed pair, or a refusal naming the file and what to do when either is empty, unparsable
 * or not a pair: generating a new pair over them would hide a damaged data folder (and change the
 * fingerprint users compare) instead of showing it.
 */
function loadSelfSigned(dir: string, certFile: string, keyFile: string): TlsMaterial {
  const advice = `Restore ${dir} from a backup of the data folder; or delete ${dir} deliberately to have a new self-signed certificate generated (browsers and clients will see a new fingerprint).`;
  for (const [file, what] of [[keyFile, 'TLS key file'], [certFile, 'TLS certificate file']] as const) {
    let size: number;
    try {
      size = readFileSync(file).length;
    } catch (err) {
      throw new Error(`The ${what} ${file} cannot be read: ${(err as Error).message}`);
    }
    if (size === 0) throw new Error(`The ${what} ${file} is empty (0 bytes). The bastion does not replace it on its own. ${advice}`);
  }
  try {
    createPrivateKey(readFileSync(keyFile, 'utf8'));
  } catch (err) {
    throw new Error(`The TLS key file ${keyFile} is not a private key: ${(err as Error).message}. ${advice}`);
  }
  try {
    return loadTlsFiles(certFile, keyFile);
  } catch (err) {
    throw new Error(`The TLS certificate file ${certFile} is not a certificate matching ${keyFile}: ${(err as Error).message.replace(/^server\.tls: .* are not a usable certificate and key: /, '')}. ${advice}`);
  }
}

/** Names the self-signed certificate is valid for: localhost, this host's name and its addresses. */
function subjectAltNames(extra: string[]): Array<{ type: 2; value: string } | { type: 7; ip: string }> {
  const dns = new Set(['localhost', hostname(), ...extra.filter((h) => !/^[\d.:]+$/.test(h))]);
  const ips = new Set(['127.0.0.1', '::1', ...extra.filter((h) => /^[\d.:]+$/.test(h))]);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (!a.internal) ips.add(a.address.split('%')[0]!);
  return [...[...dns].map((value) => ({ type: 2 as const, value })), ...[...ips].map((ip) => ({ type: 7 as const, ip }))];
}

/**
 * Returns the self-signed certificate kept in the data folder, generating an EC P-256 one (SHA-256,
 * SANs for localhost, the host name and its addresses, valid 825 days) on first start.
 */
export async function ensureSelfSignedCertificate(dataDir: string, extraNames: string[] = []): Promise<TlsMaterial & { created: boolean }> {
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'bastion-cert.pem');
  const keyFile = join(dir, 'bastion-key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) return { ...loadSelfSigned(dir, certFile, keyFile), source: 'self-signed', created: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 825 * 86_400_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: hostname() }, { name: 'organizationName', value: 'Bastion (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: subjectAltNames(extraNames) },
    ],
  });
  // A half-present pair is replaced by fresh files: writing over an old one would keep its (maybe loose)
  // mode. The certificate is public, but the folder is the bastion's alone, so it is 0600 like the key.
  // Each written durably (temp file, fsync, rename, folder fsync): a crash leaves a missing file, which the
  // next start replaces, never an empty one. The key goes first: a lone key is a pair half-made.
  for (const file of [keyFile, certFile]) rmSync(file, { force: true });
  writeFileDurably(keyFile, pems.private, { mode: 0o600, exclusive: true });
  writeFileDurably(certFile, pems.cert, { mode: 0o600, exclusive: true });
  return { cert: pems.cert, key: pems.private, fingerprint: fingerprintOf(pems.cert), source: 'self-signed', created: true };
}
