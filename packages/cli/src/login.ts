import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Io } from './io.js';
import { ApiError, apiRequest } from './remote/api.js';
import { credentialsPath, deleteCredentials, needCredentials, readCredentials, writeCredentials, type Credentials } from './remote/credentials.js';
import { normalizeFingerprint, probeCertificate } from './remote/tls-trust.js';

/** A visible question on the terminal (the username, "trust this certificate?"). */
function ask(question: string): Promise<string> {
  if (!process.stdin.isTTY) return Promise.reject(new Error('no terminal to ask on'));
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => rl.question(question, (answer) => (rl.close(), resolve(answer.trim()))));
}

interface LoginOptions {
  url: string;
  username?: string;
  passwordStdin?: boolean;
  acceptFingerprint?: string;
  days?: string;
}

/**
 * The TLS trust for `url`: certificates the system trusts are verified normally (the fingerprint is only
 * noted); a self-signed one is pinned on first use after the user compared its fingerprint with the one
 * the bastion printed at start (asked on a terminal, or given with --accept-fingerprint for scripts).
 */
async function decideTrust(io: Io, url: string, accept: string | undefined): Promise<Credentials['tls']> {
  const cert = await probeCertificate(url);
  if (cert.trusted) return { mode: 'verified', fingerprint: cert.fingerprint };
  const host = new URL(url).host;
  if (accept !== undefined) {
    if (normalizeFingerprint(accept) !== normalizeFingerprint(cert.fingerprint))
      throw new Error(`The certificate of ${host} has fingerprint ${cert.fingerprint}, not ${accept}: refusing to sign in (this may be an attack).`);
    return { mode: 'pinned', fingerprint: cert.fingerprint, certificatePem: cert.pem };
  }
  io.stderr(`The TLS certificate of ${host} is not signed by a trusted authority (${cert.trustError ?? 'unknown issuer'}).\n  subject: ${cert.subject}\n  SHA-256 fingerprint: ${cert.fingerprint}\nCompare it with the fingerprint the bastion printed when it started.\n`);
  const answer = await ask('Trust this certificate for this bastion from now on? [y/N] ').catch(() => {
    throw new Error(`Not a terminal: to trust this certificate, pass --accept-fingerprint ${cert.fingerprint}`);
  });
  if (!/^y(es)?$/i.test(answer)) throw new Error('Certificate not trusted: not signed in.');
  return { mode: 'pinned', fingerprint: cert.fingerprint, certificatePem: cert.pem };
}

export function registerLoginCommands(program: Command, io: Io): void {
  program
    .command('login')
    .description('Sign in to a bastion (remote): stores a revocable API token in ~/.config/bastion/credentials.json')
    .requiredOption('--url <url>', 'the bastion, e.g. https://bastion.example.com:8443')
    .option('--username <name>', 'bastion user (asked for when omitted)')
    .option('--password-stdin', 'read the password from standard input (scripts)')
    .option('--accept-fingerprint <sha256>', "trust a self-signed certificate with this SHA-256 fingerprint without asking")
    .option('--days <n>', 'token lifetime in days (default 30, at most 365)')
    .action(async (opts: LoginOptions) => {
      const url = new URL(opts.url);
      if (url.protocol !== 'https:') throw new Error('--url must start with https://');
      const base = url.origin;
      const tls = await decideTrust(io, base, opts.acceptFingerprint);
      const username = opts.username ?? (await ask(`Username [${userInfo().username}]: `).catch(() => '')) ?? '';
      const user = username || userInfo().username;
      const password = opts.passwordStdin ? (await io.readStdin()).split(/\r?\n/)[0] ?? '' : await io.readSecret(`Password for ${user}@${url.host}: `);
      if (!password) throw new Error('No password given.');
      const days = opts.days === undefined ? undefined : Number(opts.days);
      if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 365)) throw new Error('--days must be a whole number from 1 to 365.');
      // Sign out of a previous bastion first (best effort): one credentials file, one live token.
      const previous = readCredentials(io.env);
      const issued = await apiRequest<{ token: string; id: string; expiresAt: string; user: { username: string } }>({ url: base, tls }, 'POST', '/api/auth/tokens', { username: user, password, name: `bastion CLI (${userInfo().username})`, ...(days ? { days } : {}) });
      if (previous) await apiRequest(previous, 'DELETE', '/api/auth/tokens/current').catch(() => undefined);
      const path = writeCredentials(io.env, { url: base, token: issued.token, tokenId: issued.id, username: issued.user.username, expiresAt: issued.expiresAt, tls });
      io.stderr(`Signed in to ${url.host} as ${issued.user.username} (token expires ${issued.expiresAt}; TLS ${tls.mode === 'pinned' ? `pinned to ${tls.fingerprint}` : 'verified'}). Credentials: ${path}\n`);
    });

  program
    .command('logout')
    .description('Revoke the stored API token on the bastion and delete the credentials file')
    .action(async () => {
      const c = readCredentials(io.env);
      if (!c) {
        io.stderr('Not signed in.\n');
        return;
      }
      try {
        await apiRequest(c, 'DELETE', '/api/auth/tokens/current');
      } catch (err) {
        // An already revoked or expired token is what we wanted; anything else must not keep the file.
        if (!(err instanceof ApiError && (err.status === 401 || err.status === 404))) io.stderr(`warning: the token could not be revoked on the bastion (${(err as Error).message}); it expires ${c.expiresAt}.\n`);
      }
      deleteCredentials(io.env);
      io.stderr(`Signed out of ${new URL(c.url).host}; ${credentialsPath(io.env)} deleted.\n`);
    });

  program
    .command('tokens')
    .description("List your API tokens on the bastion you are signed in to")
    .action(async () => {
      const c = needCredentials(io.env);
      const list = await apiRequest<{ value: unknown[] }>(c, 'GET', '/api/auth/tokens');
      io.stdout(`${JSON.stringify(list.value, null, 2)}\n`);
    });
}
