import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * What `bastion login` keeps (design 0007), in `~/.config/bastion/credentials.json`, mode 0600:
 * the bastion's URL, the API token, and how its TLS certificate is trusted — verified by the system's
 * CAs, or pinned on first use (the certificate itself, so the TLS handshake trusts exactly it).
 */
export interface Credentials {
  url: string;
  token: string;
  tokenId: string;
  username: string;
  expiresAt: string;
  tls: { mode: 'verified'; fingerprint: string } | { mode: 'pinned'; fingerprint: string; certificatePem: string };
}

/** `$BASTION_CREDENTIALS`, else `$XDG_CONFIG_HOME/bastion/credentials.json`, else `~/.config/bastion/…`. */
export function credentialsPath(env: NodeJS.ProcessEnv): string {
  if (env.BASTION_CREDENTIALS) return env.BASTION_CREDENTIALS;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'bastion', 'credentials.json');
}

export function readCredentials(env: NodeJS.ProcessEnv): Credentials | undefined {
  const path = credentialsPath(env);
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Credentials;
  if (typeof parsed.url !== 'string' || typeof parsed.token !== 'string' || !parsed.tls) throw new Error(`${path} is not a bastion credentials file: run \`bastion login\` again.`);
  return parsed;
}

/** Requires credentials, with the one sentence that says what to do when there are none. */
export function needCredentials(env: NodeJS.ProcessEnv): Credentials {
  const c = readCredentials(env);
  if (!c) throw new Error('Not signed in: run `bastion login --url https://<bastion>:8443` first.');
  return c;
}

export function writeCredentials(env: NodeJS.ProcessEnv, c: Credentials): string {
  const path = credentialsPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Written with 0600 from the start (no window where the token is world-readable), and chmod'ed in case
  // the file already existed with a wider mode.
  writeFileSync(path, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export function deleteCredentials(env: NodeJS.ProcessEnv): void {
  rmSync(credentialsPath(env), { force: true });
}
