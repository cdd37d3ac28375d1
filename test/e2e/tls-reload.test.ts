import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';

/** Makes a self-signed certificate with openssl (as an admin would bring their own). */
function makeCert(dir: string, cn: string): void {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
}

/** The certificate the server presents right now. */
const presentedCert = (port: number): Promise<{ cn: string; fingerprint: string }> =>
  new Promise((res, rej) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      res({ cn: String(cert.subject.CN), fingerprint: cert.fingerprint256 });
    });
    socket.on('error', rej);
  });

describe('the user’s own TLS certificate', () => {
  let bastion: RunningBastion | undefined;
  afterAll(async () => {
    await bastion?.stop();
  });

  it('is served, and a new one is picked up on SIGHUP without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-cert-'));
    makeCert(dir, 'first-cert');
    bastion = await startBastionProcess({ serverYaml: `  tls:\n    certFile: ${dir}/cert.pem\n    keyFile: ${dir}/key.pem\n` });
    expect((await presentedCert(bastion.port)).cn).toBe('first-cert');
    makeCert(dir, 'second-cert');
    bastion.process.kill('SIGHUP');
    await expect.poll(async () => (await presentedCert(bastion!.port)).cn, { timeout: 5000 }).toBe('second-cert');
    expect(bastion.process.exitCode).toBeNull(); // still the same process
  });
});
