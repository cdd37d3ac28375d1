import type { ConnectRequest, SshAuthChoice } from '../connect/connect-request.js';

/**
 * What a session tab keeps across a reload (sessionStorage: this tab only, gone when it closes): the VM,
 * the account, the port and *how* it authenticated, never the secret itself. A Key Vault reference is
 * kept (it is an ID, not a secret: the server reads the value). After a reload the page offers Reconnect
 * with these settings and asks only for the password or key.
 */
export type SessionSettings =
  | { protocol: 'ssh'; vmId: string; vmName: string; username: string; port: number; auth: { type: 'password' } | { type: 'privateKey' } | { type: 'vaultSecret'; secretId: string } }
  | { protocol: 'rdp'; vmId: string; vmName: string; username: string; port: number; auth: { type: 'password' } };

/** The secret the user supplies again: nothing for a vault reference. */
export type ReconnectSecret = { type: 'password'; password: string } | { type: 'privateKey'; privateKey: string; passphrase?: string } | { type: 'none' };

const KEY_PREFIX = 'bastion.session.';

export function settingsOf(request: ConnectRequest): SessionSettings {
  const { vmId, vmName, username, port } = request;
  if (request.protocol === 'rdp') return { protocol: 'rdp', vmId, vmName, username, port, auth: { type: 'password' } };
  const auth = request.auth.type === 'vaultSecret' ? { type: 'vaultSecret' as const, secretId: request.auth.secretId } : { type: request.auth.type };
  return { protocol: 'ssh', vmId, vmName, username, port, auth };
}

/** The request to connect again with, or undefined when the secret given does not fit the settings. */
export function requestFrom(settings: SessionSettings, secret: ReconnectSecret): ConnectRequest | undefined {
  const { vmId, vmName, username, port } = settings;
  if (settings.protocol === 'rdp') return secret.type === 'password' ? { protocol: 'rdp', vmId, vmName, username, port, password: secret.password } : undefined;
  let auth: SshAuthChoice;
  if (settings.auth.type === 'vaultSecret') auth = { type: 'vaultSecret', secretId: settings.auth.secretId };
  else if (settings.auth.type === 'password' && secret.type === 'password') auth = secret;
  else if (settings.auth.type === 'privateKey' && secret.type === 'privateKey') auth = secret.passphrase ? secret : { type: 'privateKey', privateKey: secret.privateKey };
  else return undefined;
  return { protocol: 'ssh', vmId, vmName, username, port, auth };
}

export function saveSettings(storage: Pick<Storage, 'setItem'>, id: string, request: ConnectRequest): void {
  try {
    storage.setItem(KEY_PREFIX + id, JSON.stringify(settingsOf(request)));
  } catch {
    // Storage full or refused (private mode): a reload then asks to start from the portal, as before.
  }
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 2048;

/** The stored settings, checked field by field (storage is page-writable: nothing is trusted as is). */
export function loadSettings(storage: Pick<Storage, 'getItem'>, id: string): SessionSettings | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(storage.getItem(KEY_PREFIX + id) ?? 'null');
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const auth = r.auth as Record<string, unknown> | undefined;
  if (!isText(r.vmId) || !isText(r.vmName) || !isText(r.username) || !Number.isInteger(r.port) || typeof auth !== 'object' || auth === null) return undefined;
  const base = { vmId: r.vmId, vmName: r.vmName, username: r.username, port: r.port as number };
  if (r.protocol === 'rdp') return auth.type === 'password' ? { protocol: 'rdp', ...base, auth: { type: 'password' } } : undefined;
  if (r.protocol !== 'ssh') return undefined;
  if (auth.type === 'password' || auth.type === 'privateKey') return { protocol: 'ssh', ...base, auth: { type: auth.type } };
  if (auth.type === 'vaultSecret' && isText(auth.secretId)) return { protocol: 'ssh', ...base, auth: { type: 'vaultSecret', secretId: auth.secretId } };
  return undefined;
}
