import type { ConnectRequest } from './connect-request.js';

/**
 * The Connect form's state and its validation, without React: what Azure's "Connect using Bastion" blade
 * asks (protocol, port, username, authentication type and its fields, open in a new tab).
 */

export type ConnectProtocol = 'ssh' | 'rdp';

export type AuthenticationType = 'password' | 'privateKeyFile' | 'vaultPrivateKey' | 'vaultPassword';

export const AUTHENTICATION_LABELS: Record<AuthenticationType, string> = {
  password: 'VM Password',
  privateKeyFile: 'SSH Private Key from Local File',
  vaultPrivateKey: 'SSH Private Key from Key Vault',
  vaultPassword: 'Password from Key Vault',
};

/** SSH offers all four; RDP takes a password typed here (the RDP client in the browser needs it). */
export const authenticationTypesFor = (protocol: ConnectProtocol): AuthenticationType[] =>
  protocol === 'ssh' ? ['password', 'privateKeyFile', 'vaultPrivateKey', 'vaultPassword'] : ['password'];

export const DEFAULT_PORTS: Record<ConnectProtocol, number> = { ssh: 22, rdp: 3389 };

/** Largest private key file read from disk (OpenSSH RSA-16384 keys stay far below). */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface ConnectFormState {
  protocol: ConnectProtocol;
  port: string;
  username: string;
  authType: AuthenticationType;
  password: string;
  privateKey: string;
  privateKeyFileName: string;
  passphrase: string;
  vaultId: string;
  secretId: string;
  openInNewTab: boolean;
}

export function initialConnectForm(osType: string | undefined): ConnectFormState {
  const protocol: ConnectProtocol = osType?.toLowerCase() === 'windows' ? 'rdp' : 'ssh';
  return {
    protocol,
    port: String(DEFAULT_PORTS[protocol]),
    username: '',
    authType: 'password',
    password: '',
    privateKey: '',
    privateKeyFileName: '',
    passphrase: '',
    vaultId: '',
    secretId: '',
    openInNewTab: true,
  };
}

/** Switching protocol resets the port to its default (unless the user typed another) and the auth type. */
export function withProtocol(state: ConnectFormState, protocol: ConnectProtocol): ConnectFormState {
  const portWasDefault = state.port === String(DEFAULT_PORTS[state.protocol]) || state.port.trim() === '';
  return {
    ...state,
    protocol,
    port: portWasDefault ? String(DEFAULT_PORTS[protocol]) : state.port,
    authType: authenticationTypesFor(protocol).includes(state.authType) ? state.authType : 'password',
  };
}

/** The problem with a file's text as an SSH private key, or undefined when it looks like one. */
export function privateKeyFileProblem(text: string, sizeBytes: number): string | undefined {
  if (sizeBytes > MAX_KEY_FILE_BYTES) return `The file is ${Math.ceil(sizeBytes / 1024)} KB; an SSH private key is at most 64 KB.`;
  const t = text.trimStart();
  if (/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(t) || t.startsWith('PuTTY-User-Key-File-')) return undefined;
  if (/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\S+) /.test(t)) return 'This is a public key. Choose the private key file (usually the one without .pub).';
  return 'This file is not an SSH private key (OpenSSH, PEM or PuTTY format).';
}

export type Validation = { ok: true; request: ConnectRequest } | { ok: false; errors: Partial<Record<'port' | 'username' | 'password' | 'privateKey' | 'secret', string>> };

/** Checks the form and, when it is complete, the request the session page will use. */
export function validateConnectForm(state: ConnectFormState, vm: { id: string; name: string }): Validation {
  const errors: Extract<Validation, { ok: false }>['errors'] = {};
  const portText = state.port.trim();
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) errors.port = 'Enter a port from 1 to 65535.';
  const username = state.username.trim();
  if (!username) errors.username = 'Enter the username on the VM.';
  else if (username.length > 128) errors.username = 'The username is too long.';
  if (state.authType === 'password' && !state.password) errors.password = 'Enter the password.';
  if (state.authType === 'privateKeyFile' && !state.privateKey) errors.privateKey = 'Choose the private key file.';
  if ((state.authType === 'vaultPrivateKey' || state.authType === 'vaultPassword') && !state.secretId) errors.secret = 'Choose a secret.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const base = { vmId: vm.id, vmName: vm.name, username, port };
  if (state.protocol === 'rdp') return { ok: true, request: { ...base, protocol: 'rdp', password: state.password } };
  switch (state.authType) {
    case 'password':
      return { ok: true, request: { ...base, protocol: 'ssh', auth: { type: 'password', password: state.password } } };
    case 'privateKeyFile':
      return {
        ok: true,
        request: { ...base, protocol: 'ssh', auth: { type: 'privateKey', privateKey: state.privateKey, ...(state.passphrase ? { passphrase: state.passphrase } : {}) } },
      };
    default:
      return { ok: true, request: { ...base, protocol: 'ssh', auth: { type: 'vaultSecret', secretId: state.secretId } } };
  }
}
