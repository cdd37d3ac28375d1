import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../audit/audit-log.js';
import { BastionError } from '../../errors.js';
import { ACTIONS } from '../../rbac/index.js';
import { checkSshPrivateKeySecret, SECRET_CONTENT_TYPES, vaultResourceId, type KeyVault, type SecretMetadata, type VaultStore } from '../../vault/index.js';
import { resourceIdFromUrl } from '../resource-url.js';
import { needVault } from '../vault-access.js';
import { ListOf, NameParam } from './schemas.js';
import { requestWho } from '../request-who.js';

const tags = ['key vault'];
const strict = { additionalProperties: false } as const;
const SUB = '/api/subscriptions/:sub';
const VAULT = `${SUB}/resourceGroups/:rg/providers/Microsoft.KeyVault/vaults/:vault`;
const SECRET = `${VAULT}/secrets/:secret`;
const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);

// Response schemas double as a filter: serialisation drops any field they do not name, so a secret's value
// or passphrase could not reach a response even if a handler returned it by mistake.
const VaultSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.Literal('Microsoft.KeyVault/vaults'),
  resourceGroup: Type.String(),
  properties: Type.Object({ createdAt: Type.String(), createdBy: Nullable(Type.String()) }),
});
const SecretSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.Literal('Microsoft.KeyVault/vaults/secrets'),
  properties: Type.Object({
    contentType: Type.String(),
    hasPassphrase: Type.Boolean(),
    /** False after a master key change: the value cannot be decrypted until it is set again. */
    keyMatches: Type.Boolean(),
    attributes: Type.Object({ created: Type.String(), updated: Type.String() }),
    createdBy: Nullable(Type.String()),
    updatedBy: Nullable(Type.String()),
  }),
});
const VaultParams = Type.Object({ sub: NameParam, rg: NameParam, vault: NameParam });
const SecretParams = Type.Object({ sub: NameParam, rg: NameParam, vault: NameParam, secret: Type.String({ minLength: 1, maxLength: 127 }) });

const vaultView = (v: KeyVault) => ({ id: v.id, name: v.name, type: v.type, resourceGroup: v.resourceGroup, properties: { createdAt: v.createdAt, createdBy: v.createdBy } });

/** A route's rule: `action` on the vault or secret its URL names (the authorization hook answers 400 for a malformed one). */
const on = (action: string) => ({ access: { kind: 'resource' as const, action, resource: (r: FastifyRequest) => resourceIdFromUrl(r) } });
const somewhere = (action: string) => ({ access: { kind: 'somewhere' as const, action } });

/**
 * Key vaults and their secrets, ARM-shaped (Microsoft.KeyVault/vaults[/secrets]). Management and metadata
 * only: no route returns a secret's value or passphrase; Connect decrypts it server-side (vault-access.ts).
 */
export const vaultRoutes =
  (deps: { vault?: VaultStore | undefined; audit: AuditLog }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const store = (): VaultStore => needVault(deps.vault);
    const secretView = (s: SecretMetadata) => ({
      id: s.id,
      name: s.name,
      type: s.type,
      properties: { contentType: s.contentType, hasPassphrase: s.hasPassphrase, keyMatches: s.keyId === store().keyId, attributes: { created: s.createdAt, updated: s.updatedAt }, createdBy: s.createdBy, updatedBy: s.updatedBy },
    });
    const listVaults = async (request: FastifyRequest, filter: { subscriptionId: string; resourceGroup?: string }) => {
      const grants = await request.grants();
      return { value: (await store().listVaults(filter)).filter((v) => grants.allows(ACTIONS.keyVaults.read, v.id)).map(vaultView) };
    };

    app.get(`${SUB}/providers/Microsoft.KeyVault/vaults`, { config: somewhere(ACTIONS.keyVaults.read), schema: { tags, summary: 'Key vaults the caller may read', params: Type.Object({ sub: NameParam }), response: { 200: ListOf(VaultSchema) } } }, async (request) =>
      listVaults(request, { subscriptionId: request.params.sub }),
    );

    app.get(`${SUB}/resourceGroups/:rg/providers/Microsoft.KeyVault/vaults`, { config: somewhere(ACTIONS.keyVaults.read), schema: { tags, summary: 'Key vaults of a resource group the caller may read', params: Type.Object({ sub: NameParam, rg: NameParam }), response: { 200: ListOf(VaultSchema) } } }, async (request) =>
      listVaults(request, { subscriptionId: request.params.sub, resourceGroup: request.params.rg }),
    );

    app.get(VAULT, { config: on(ACTIONS.keyVaults.read), schema: { tags, summary: 'Get a key vault', params: VaultParams, response: { 200: VaultSchema } } }, async (request) => vaultView(await store().getVault(resourceIdFromUrl(request))));

    app.put(
      VAULT,
      {
        config: on(ACTIONS.keyVaults.write),
        schema: { tags, summary: 'Create a key vault (200 with the vault when it exists already)', params: VaultParams, body: Type.Object({ location: Type.Optional(Type.String({ maxLength: 80 })), properties: Type.Optional(Type.Object({}, strict)) }, strict), response: { 200: VaultSchema, 201: VaultSchema } },
      },
      async (request, reply) => {
        const id = resourceIdFromUrl(request);
        const existing = await store().getVault(id).catch((err: unknown) => {
          if (err instanceof BastionError && err.code === 'BST_ERR_NOT_FOUND') return undefined;
          throw err;
        });
        if (existing) return vaultView(existing);
        // Each write commits with its audit event, or neither does (design 0009).
        const v = await deps.audit.change(async (tx) => {
          const v = await store().in(tx).createVault({ subscriptionId: request.params.sub, resourceGroup: request.params.rg, vaultName: request.params.vault }, { createdBy: request.user?.username ?? null });
          await deps.audit.writeIn(tx, { ...requestWho(request), type: 'vault.created', outcome: 'success', target: v.id, message: `Key vault ${v.name} created.` });
          return v;
        });
        return reply.code(201).send(vaultView(v));
      },
    );

    app.delete(VAULT, { config: on(ACTIONS.keyVaults.delete), schema: { tags, summary: 'Delete an empty key vault (409 while it holds secrets)', params: VaultParams } }, async (request, reply) => {
      await deps.audit.change(async (tx) => {
        const v = await store().in(tx).deleteVault(resourceIdFromUrl(request));
        await deps.audit.writeIn(tx, { ...requestWho(request), type: 'vault.deleted', outcome: 'success', target: v.id, message: `Key vault ${v.name} deleted.` });
      });
      return reply.code(204).send();
    });

    // Listing needs secrets/read somewhere and shows the secrets readable one by one (an assignment on a single secret counts).
    app.get(`${VAULT}/secrets`, { config: somewhere(ACTIONS.keyVaultSecrets.read), schema: { tags, summary: "A vault's secrets: metadata only, never values", params: VaultParams, response: { 200: ListOf(SecretSchema) } } }, async (request) => {
      const grants = await request.grants();
      const list = await store().listSecrets(resourceIdFromUrl(request, '/secrets'));
      return { value: list.filter((s) => grants.allows(ACTIONS.keyVaultSecrets.read, s.id)).map(secretView) };
    });

    app.get(SECRET, { config: on(ACTIONS.keyVaultSecrets.read), schema: { tags, summary: "A secret's metadata (never its value)", params: SecretParams, response: { 200: SecretSchema } } }, async (request) => secretView(await store().getSecret(resourceIdFromUrl(request))));

    app.put(
      SECRET,
      {
        config: on(ACTIONS.keyVaultSecrets.write),
        schema: {
          tags,
          summary: 'Create a secret or replace its value (answers its metadata, never the value)',
          params: SecretParams,
          body: Type.Object(
            {
              properties: Type.Object(
                {
                  contentType: Type.Union(SECRET_CONTENT_TYPES.map((t) => Type.Literal(t))),
                  value: Type.String({ minLength: 1, maxLength: 16 * 1024 }),
                  passphrase: Type.Optional(Type.String({ maxLength: 1024 })),
                },
                strict,
              ),
            },
            strict,
          ),
          response: { 200: SecretSchema },
        },
      },
      async (request) => {
        const p = request.body.properties;
        const vaultId = vaultResourceId({ subscriptionId: request.params.sub, resourceGroup: request.params.rg, vaultName: request.params.vault });
        if (p.contentType === 'ssh-private-key') checkSshPrivateKeySecret(p.value, p.passphrase);
        const s = await deps.audit.change(async (tx) => {
          const s = await store().in(tx).setSecret(vaultId, { name: request.params.secret, contentType: p.contentType, value: p.value, passphrase: p.passphrase }, { actor: request.user?.username ?? null });
          // Never the value nor the passphrase: only what was set and whether a passphrase came with it.
          await deps.audit.writeIn(tx, { ...requestWho(request), type: 'vault.secret.written', outcome: 'success', target: s.id, message: `Secret ${s.name} set in key vault ${request.params.vault}.`, details: { contentType: s.contentType, hasPassphrase: s.hasPassphrase } });
          return s;
        });
        return secretView(s);
      },
    );

    app.delete(SECRET, { config: on(ACTIONS.keyVaultSecrets.delete), schema: { tags, summary: 'Delete a secret', params: SecretParams } }, async (request, reply) => {
      await deps.audit.change(async (tx) => {
        const s = await store().in(tx).deleteSecret(resourceIdFromUrl(request));
        await deps.audit.writeIn(tx, { ...requestWho(request), type: 'vault.secret.deleted', outcome: 'success', target: s.id, message: `Secret ${s.name} deleted from key vault ${request.params.vault}.` });
      });
      return reply.code(204).send();
    });
  };
