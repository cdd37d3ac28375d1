import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../audit/audit-log.js';
import { conflict, notFound } from '../../errors.js';
import type { HostKeyTrust, PinnedHostKey } from '../../gateway/ssh/index.js';
import type { InventoryService } from '../../inventory/service.js';
import { ACTIONS } from '../../rbac/index.js';
import { resourceIdFromUrl } from '../resource-url.js';
import { ArmResourceParams } from './schemas.js';

const VM_PATH = '/api/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Compute/virtualMachines/:name';
const LIST = '/sshHostKeys';
const ACCEPT = '/sshHostKeys/accept';
const Fingerprint = Type.String({ pattern: '^SHA256:[A-Za-z0-9+/]{43}$', description: 'As OpenSSH prints it: SHA256: + unpadded base64' });

const HostKeySchema = Type.Object({
  port: Type.Integer(),
  host: Type.String(),
  keyType: Type.String(),
  fingerprint: Type.String(),
  firstSeenAt: Type.String(),
  /** null: recorded on first use; else the administrator who accepted it. */
  acceptedBy: Type.Union([Type.String(), Type.Null()]),
  /** The other key the VM last offered (its connections are refused until an administrator accepts one). */
  offered: Type.Union([Type.Object({ fingerprint: Type.String(), keyType: Type.String(), seenAt: Type.String() }), Type.Null()]),
});

const view = (k: PinnedHostKey) => ({ port: k.port, host: k.host, keyType: k.keyType, fingerprint: k.fingerprint, firstSeenAt: k.firstSeenAt, acceptedBy: k.acceptedBy, offered: k.offered });

/**
 * A VM's pinned SSH host keys, and the administrator's accept of a changed key (design 0003, "Host key
 * pinning"): reading needs read on the VM; accepting needs write on it, and names the exact fingerprint the
 * VM offered (the one shown in the refusal), so an administrator cannot accept a key nobody has seen.
 */
export const sshHostKeyRoutes =
  (deps: { hostKeys: HostKeyTrust; inventory: InventoryService; audit: AuditLog }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const vmOf = (suffix: string) => (r: FastifyRequest) => resourceIdFromUrl(r, suffix);
    const existingVm = async (vmId: string, name: string): Promise<string> => {
      const vm = await deps.inventory.get(vmId);
      if (!vm) throw notFound(`Virtual machine ${name}`);
      return vm.id;
    };

    app.get(
      `${VM_PATH}${LIST}`,
      {
        config: { access: { kind: 'resource', action: ACTIONS.virtualMachines.read, resource: vmOf(LIST) } },
        schema: { tags: ['bastion'], summary: "The VM's pinned SSH host keys (one per port) and any changed key it offered", params: ArmResourceParams, response: { 200: Type.Object({ value: Type.Array(HostKeySchema) }) } },
      },
      async (request) => {
        const vmId = await existingVm(vmOf(LIST)(request), request.params.name);
        return { value: (await deps.hostKeys.list(vmId)).map(view) };
      },
    );

    app.post(
      `${VM_PATH}${ACCEPT}`,
      {
        config: { access: { kind: 'resource', action: ACTIONS.virtualMachines.write, resource: vmOf(ACCEPT) } },
        schema: {
          tags: ['bastion'],
          summary: 'Accept the new SSH host key the VM offered (after a "host key changed" refusal)',
          params: ArmResourceParams,
          body: Type.Object({ fingerprint: Fingerprint, port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })) }, { additionalProperties: false }),
          response: { 200: HostKeySchema },
        },
      },
      async (request) => {
        const vmId = await existingVm(vmOf(ACCEPT)(request), request.params.name);
        const port = request.body.port ?? 22;
        const { fingerprint } = request.body;
        const pinned = await deps.hostKeys.get(vmId, port);
        if (!pinned) throw notFound(`A pinned host key for ${request.params.name} port ${port}`);
        if (pinned.fingerprint === fingerprint && !pinned.offered) return view(pinned);
        if (pinned.offered?.fingerprint !== fingerprint)
          throw conflict(
            pinned.offered
              ? `${request.params.name} last offered ${pinned.offered.fingerprint}, not ${fingerprint}: accept the key shown in the refusal.`
              : `${request.params.name} has not offered another host key than ${pinned.fingerprint}; nothing to accept.`,
          );
        const actor = request.user!.username;
        const offered = pinned.offered;
        // The new pin and its audit event commit together (design 0009).
        const accepted = await deps.audit.change(async (tx) => {
          const accepted = await deps.hostKeys.in(tx).accept(vmId, port, fingerprint, actor, { keyType: offered.keyType, host: pinned.host });
          await deps.audit.writeIn(tx, {
          type: 'ssh.hostkey.accepted',
          outcome: 'success',
          actor,
          clientIp: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
          target: vmId,
          message: `New host key ${fingerprint} (${accepted.keyType}) of ${request.params.name}:${port} accepted by ${actor}, replacing ${pinned.fingerprint}.`,
          details: { port, oldFingerprint: pinned.fingerprint, oldKeyType: pinned.keyType, newFingerprint: fingerprint, newKeyType: accepted.keyType },
          });
          return accepted;
        });
        return view(accepted);
      },
    );
  };
