import { Type, type TSchema } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { MAX_TERMINAL_DIMENSION, MIN_TERMINAL_DIMENSION } from '../../../../protocol/src/ssh-messages.js';
import type { SshTicketAuth } from '../../gateway/ssh/tickets.js';
import type { VaultStore } from '../../vault/index.js';
import { vaultTicketAuth } from '../vault-access.js';

const strict = { additionalProperties: false } as const;

const PasswordAuth = Type.Object({ type: Type.Literal('password'), password: Type.String({ minLength: 1, maxLength: 1024 }) }, strict);
const PrivateKeyAuth = Type.Object({ type: Type.Literal('privateKey'), privateKey: Type.String({ minLength: 1, maxLength: 64 * 1024 }), passphrase: Type.Optional(Type.String({ maxLength: 1024 })) }, strict);
const VaultSecretAuth = Type.Object({ type: Type.Literal('vaultSecret'), secretId: Type.String({ minLength: 1, maxLength: 1024 }) }, strict);

/** How an SSH ticket request signs in: typed credentials; `SshTicketCredentials` also takes a vault secret. */
export const SshCredentials = Type.Union([PasswordAuth, PrivateKeyAuth]);
export const SshTicketCredentials = Type.Union([PasswordAuth, PrivateKeyAuth, VaultSecretAuth]);

/** The body fields of an SSH connect-ticket request (wrap in `Type.Object(…, { additionalProperties: false })`). */
export const sshTicketFields = <A extends TSchema>(auth: A) => ({
  username: Type.String({ minLength: 1, maxLength: 128 }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  auth,
});

/** The terminal's size, so the PTY opens at it (a resize after the shell started makes it redraw mid-prompt). */
export const terminalSizeQuery = {
  cols: Type.Optional(Type.Integer({ minimum: MIN_TERMINAL_DIMENSION, maximum: MAX_TERMINAL_DIMENSION })),
  rows: Type.Optional(Type.Integer({ minimum: MIN_TERMINAL_DIMENSION, maximum: MAX_TERMINAL_DIMENSION })),
};

type RequestAuth = { type: 'password'; password: string } | { type: 'privateKey'; privateKey: string; passphrase?: string | undefined } | { type: 'vaultSecret'; secretId: string };

/** What the ticket keeps of the request's `auth`: the credentials as typed, or a checked vault reference. */
export async function ticketAuthOf(deps: { vault?: VaultStore | undefined }, request: FastifyRequest, auth: RequestAuth): Promise<SshTicketAuth> {
  if (auth.type === 'vaultSecret') return vaultTicketAuth(deps, request, auth.secretId);
  if (auth.type === 'password') return { type: 'password', password: auth.password };
  return { type: 'privateKey', privateKey: auth.privateKey, ...(auth.passphrase !== undefined ? { passphrase: auth.passphrase } : {}) };
}
