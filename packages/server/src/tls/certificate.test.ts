import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureSelfSignedCertificate, loadTlsFiles } from './certificate.js';

describe('self-signed certificate', () => {
  it('is EC P-256 with SANs, kept in the data folder and reused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-tls-'));
    const first = await ensureSelfSignedCertificate(dir, ['bastion.example.test']);
    expect(first.created).toBe(true);
    const x509 = new X509Certificate(first.cert);
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.subjectAltName).toContain('DNS:bastion.example.test');
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    const again = await ensureSelfSignedCertificate(dir);
    expect(again.created).toBe(false);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(() => loadTlsFiles(join(dir, 'tls', 'bastion-cert.pem'), join(dir, 'missing.pem'))).toThrow(/server\.tls\.keyFile: cannot read/);
  });

  it('refuses a kept pair whose key is emptied, unparsable or not the certificate\'s, and leaves the files as they are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-tls-'));
    const keyFile = join(dir, 'tls', 'bastion-key.pem');
    const certFile = join(dir, 'tls', 'bastion-cert.pem');
    const first = await ensureSelfSignedCertificate(dir);
    writeFileSync(keyFile, '');
    await expect(ensureSelfSignedCertificate(dir)).rejects.toThrow(new RegExp(`TLS key file ${keyFile} is empty.*Restore .*backup`));
    expect(readFileSync(keyFile, 'utf8')).toBe('');
    writeFileSync(keyFile, 'garbage');
    await expect(ensureSelfSignedCertificate(dir)).rejects.toThrow(/TLS key file .* is not a private key/);
    const other = mkdtempSync(join(tmpdir(), 'bastion-tls-'));
    const second = await ensureSelfSignedCertificate(other);
    writeFileSync(keyFile, second.key);
    await expect(ensureSelfSignedCertificate(dir)).rejects.toThrow(/TLS certificate file .* is not a certificate matching .*does not match/);
    expect(readFileSync(certFile, 'utf8')).toBe(first.cert);
  });
});
