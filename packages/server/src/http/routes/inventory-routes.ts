import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../audit/audit-log.js';
import { BastionFeatureFields, SessionLimitFields } from '../../config/schema.js';
import { notFound } from '../../errors.js';
import { checkOnPremisesRanges } from '../../inventory/bastion-features.js';
import { checkBastionLimits } from '../../inventory/bastion-limits.js';
import * as ids from '../../inventory/ids.js';
import type { InventoryService } from '../../inventory/service.js';
import { viewResource } from '../../inventory/views.js';
import { ACTIONS, actionsFor, type Operation } from '../../rbac/index.js';
import { resourceIdFromUrl } from '../resource-url.js';
import { ListOf, NameParam, ResourceSchema, Tags } from './schemas.js';
import { requestWho } from '../request-who.js';

const Ref = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }) });
const strict = { additionalProperties: false } as const;
const body = <P extends ReturnType<typeof Type.Object>>(properties: P) => Type.Object({ tags: Type.Optional(Tags), location: Type.Optional(Type.String({ maxLength: 80 })), properties }, strict);

const SUB = '/api/subscriptions/:sub';
const RG = `${SUB}/resourceGroups/:rg`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/:vnet`;
const LISTABLE: Record<string, ids.InventoryType> = {
  'Microsoft.Compute/virtualMachines': ids.TYPES.virtualMachine,
  'Microsoft.Network/virtualNetworks': ids.TYPES.virtualNetwork,
  'Microsoft.Network/networkInterfaces': ids.TYPES.networkInterface,
  'Microsoft.Network/bastionHosts': ids.TYPES.bastionHost,
};

const idFromUrl = (request: FastifyRequest): string => resourceIdFromUrl(request);
/** The access rule of an ARM route: the operation's action on the resource the URL names. */
const arm = (type: ids.InventoryType, op: Operation) => ({ access: { kind: 'resource' as const, action: actionsFor(type, op)[0]!, resource: idFromUrl } });
const somewhere = (action: string) => ({ access: { kind: 'somewhere' as const, action } });

/** ARM-shaped inventory routes: PUT creates or updates, GET reads, DELETE removes, lists answer { value }. */
export const inventoryRoutes =
  (deps: { inventory: InventoryService; audit: AuditLog; subscriptionName: string }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const inv = deps.inventory;
    const mine = (sub: string): void => {
      if (sub.toLowerCase() !== inv.subscriptionId.toLowerCase()) throw notFound(`Subscription ${sub}`);
    };
    /** Runs a write on the inventory and records its event in the same transaction (design 0009). */
    const audited = <R extends { id: string }>(request: FastifyRequest, type: 'resource.written' | 'resource.deleted', write: (tx: InventoryService) => Promise<R>): Promise<R> =>
      deps.audit.change(async (tx) => {
        const r = await write(inv.in(tx));
        await deps.audit.writeIn(tx, { type, outcome: 'success', ...requestWho(request), target: r.id, message: `${type === 'resource.written' ? 'Wrote' : 'Deleted'} ${r.id}.` });
        return r;
      });
    const tags = ['inventory'];
    /** What a listing shows: only the resources the caller may read (one GrantSet for the whole list). */
    const readable = async <R extends { id: string; type: ids.InventoryType }>(request: FastifyRequest, items: R[]): Promise<R[]> => {
      const grants = await request.grants();
      return items.filter((r) => grants.allows(actionsFor(r.type, 'read')[0]!, r.id));
    };
    const Sub = Type.Object({ sub: NameParam });
    const SubRg = Type.Object({ sub: NameParam, rg: NameParam });
    const SubRgName = Type.Object({ sub: NameParam, rg: NameParam, name: NameParam });
    const SubRgVnetName = Type.Object({ sub: NameParam, rg: NameParam, vnet: NameParam, name: NameParam });

    app.get('/api/subscriptions', { config: somewhere('*/read'), schema: { tags, summary: 'Subscriptions', response: { 200: ListOf(Type.Object({ subscriptionId: Type.String(), displayName: Type.String() })) } } }, async () => ({
      value: [{ subscriptionId: inv.subscriptionId, displayName: deps.subscriptionName }],
    }));

    app.get('/api/subscriptions/:sub/resourceGroups', { config: somewhere(ACTIONS.resourceGroups.read), schema: { tags, summary: 'Resource groups the caller may read', params: Sub, response: { 200: ListOf(ResourceSchema) } } }, async (request) => {
      mine(request.params.sub);
      return { value: await readable(request, await inv.list(ids.TYPES.resourceGroup)) };
    });

    app.get('/api/subscriptions/:sub/providers/:namespace/:type', { config: somewhere('*/read'), schema: { tags, summary: 'All resources of a type in the subscription', params: Type.Object({ sub: NameParam, namespace: NameParam, type: NameParam }), response: { 200: ListOf(ResourceSchema) } } }, async (request) => {
      mine(request.params.sub);
      const type = LISTABLE[`${request.params.namespace}/${request.params.type}`];
      if (!type) throw notFound(`Resource type ${request.params.namespace}/${request.params.type}`);
      return { value: await Promise.all((await readable(request, await inv.list(type))).map((r) => viewResource(inv, r))) };
    });

    app.get(`${RG}/providers/:namespace/:type`, { config: somewhere('*/read'), schema: { tags, summary: 'Resources of a type in a resource group', params: Type.Object({ sub: NameParam, rg: NameParam, namespace: NameParam, type: NameParam }), response: { 200: ListOf(ResourceSchema) } } }, async (request) => {
      mine(request.params.sub);
      const type = LISTABLE[`${request.params.namespace}/${request.params.type}`];
      if (!type) throw notFound(`Resource type ${request.params.namespace}/${request.params.type}`);
      return { value: await Promise.all((await readable(request, await inv.list(type, { resourceGroup: request.params.rg }))).map((r) => viewResource(inv, r))) };
    });

    // One GET and one DELETE handler for every single-resource URL.
    const single: Array<[string, ids.InventoryType]> = [
      [RG, ids.TYPES.resourceGroup],
      [`${RG}/providers/Microsoft.Network/virtualNetworks/:name`, ids.TYPES.virtualNetwork],
      [`${VNET}/subnets/:name`, ids.TYPES.subnet],
      [`${VNET}/virtualNetworkPeerings/:name`, ids.TYPES.peering],
      [`${RG}/providers/Microsoft.Network/networkInterfaces/:name`, ids.TYPES.networkInterface],
      [`${RG}/providers/Microsoft.Compute/virtualMachines/:name`, ids.TYPES.virtualMachine],
      [`${RG}/providers/Microsoft.Network/bastionHosts/:name`, ids.TYPES.bastionHost],
    ];
    for (const [url, type] of single) {
      app.get(url, { config: arm(type, 'read'), schema: { tags, summary: 'Get a resource', response: { 200: ResourceSchema } } }, async (request) => {
        mine((request.params as { sub: string }).sub);
        const r = await inv.get(idFromUrl(request));
        if (!r) throw notFound(`Resource ${idFromUrl(request)}`);
        return viewResource(inv, r);
      });
      app.delete(url, { config: arm(type, 'delete'), schema: { tags, summary: 'Delete a resource (refused while other resources use it)' } }, async (request, reply) => {
        mine((request.params as { sub: string }).sub);
        const r = await inv.get(idFromUrl(request));
        if (!r) throw notFound(`Resource ${idFromUrl(request)}`);
        await audited(request, 'resource.deleted', async (w) => {
          await w.delete(r.id);
          return r;
        });
        return reply.code(204).send();
      });
    }

    const put = { tags, response: { 200: ResourceSchema } };
    app.put(RG, { config: arm(ids.TYPES.resourceGroup, 'write'), schema: { ...put, summary: 'Create or update a resource group', params: SubRg, body: Type.Object({ location: Type.Optional(Type.String({ maxLength: 80 })), tags: Type.Optional(Tags), properties: Type.Optional(Type.Object({})) }, strict) } }, async (request) => {
      mine(request.params.sub);
      const r = await audited(request, 'resource.written', (w) => w.putResourceGroup(request.params.rg, request.body.location, request.body.tags));
      return r;
    });

    const Subnet = Type.Object({ name: NameParam, properties: Type.Object({ addressPrefix: Type.String({ maxLength: 18 }) }, strict) }, strict);
    app.put(`${RG}/providers/Microsoft.Network/virtualNetworks/:name`, { config: arm(ids.TYPES.virtualNetwork, 'write'), schema: { ...put, summary: 'Create or update a virtual network', params: SubRgName, body: body(Type.Object({ addressSpace: Type.Object({ addressPrefixes: Type.Array(Type.String({ maxLength: 18 }), { minItems: 1, maxItems: 50 }) }, strict), subnets: Type.Optional(Type.Array(Subnet, { maxItems: 200 })) }, strict)) } }, async (request) => {
      mine(request.params.sub);
      const p = request.body.properties;
      const r = await audited(request, 'resource.written', (w) => w.putVirtualNetwork(request.params.rg, request.params.name, { addressPrefixes: p.addressSpace.addressPrefixes, subnets: p.subnets?.map((s) => ({ name: s.name, addressPrefix: s.properties.addressPrefix })), location: request.body.location, tags: request.body.tags }));
      return viewResource(inv, r);
    });

    app.put(`${VNET}/subnets/:name`, { config: arm(ids.TYPES.subnet, 'write'), schema: { ...put, summary: 'Create or update a subnet', params: SubRgVnetName, body: Type.Object({ properties: Type.Object({ addressPrefix: Type.String({ maxLength: 18 }) }, strict) }, strict) } }, async (request) => {
      mine(request.params.sub);
      const r = await audited(request, 'resource.written', (w) => w.putSubnet(request.params.rg, request.params.vnet, request.params.name, request.body.properties.addressPrefix));
      return r;
    });

    app.put(`${VNET}/virtualNetworkPeerings/:name`, { config: arm(ids.TYPES.peering, 'write'), schema: { ...put, summary: 'Peer two virtual networks (both directions)', params: SubRgVnetName, body: Type.Object({ properties: Type.Object({ remoteVirtualNetwork: Ref }, { additionalProperties: true }) }, strict) } }, async (request) => {
      mine(request.params.sub);
      const r = await audited(request, 'resource.written', (w) => w.putPeering(request.params.rg, request.params.vnet, request.params.name, request.body.properties.remoteVirtualNetwork.id));
      return r;
    });

    const IpConfig = Type.Object({ name: Type.Optional(NameParam), properties: Type.Object({ privateIPAddress: Type.String({ maxLength: 45 }), subnet: Ref }, strict) }, strict);
    app.put(`${RG}/providers/Microsoft.Network/networkInterfaces/:name`, { config: arm(ids.TYPES.networkInterface, 'write'), schema: { ...put, summary: 'Create or update a network interface', params: SubRgName, body: body(Type.Object({ ipConfigurations: Type.Array(IpConfig, { minItems: 1, maxItems: 32 }) }, strict)) } }, async (request) => {
      mine(request.params.sub);
      const configs = request.body.properties.ipConfigurations.map((c) => ({ name: c.name, privateIPAddress: c.properties.privateIPAddress, subnetId: c.properties.subnet.id }));
      const r = await audited(request, 'resource.written', (w) => w.putNetworkInterface(request.params.rg, request.params.name, { ipConfigurations: configs, tags: request.body.tags }));
      return viewResource(inv, r);
    });

    app.put(`${RG}/providers/Microsoft.Compute/virtualMachines/:name`, { config: arm(ids.TYPES.virtualMachine, 'write'), schema: { ...put, summary: 'Create or update a virtual machine', params: SubRgName, body: body(Type.Object({ osType: Type.Union([Type.Literal('linux'), Type.Literal('windows')]), networkProfile: Type.Object({ networkInterfaces: Type.Array(Ref, { minItems: 1, maxItems: 8 }) }, strict) }, strict)) } }, async (request) => {
      mine(request.params.sub);
      const p = request.body.properties;
      const r = await audited(request, 'resource.written', (w) => w.putVirtualMachine(request.params.rg, request.params.name, { osType: p.osType, networkInterfaceIds: p.networkProfile.networkInterfaces.map((n) => n.id), tags: request.body.tags }));
      return viewResource(inv, r);
    });

    app.put(`${RG}/providers/Microsoft.Network/bastionHosts/:name`, { config: arm(ids.TYPES.bastionHost, 'write'), schema: { ...put, summary: 'Create or update a bastion host', params: SubRgName, body: body(Type.Object({ virtualNetwork: Ref, ...BastionFeatureFields, ...SessionLimitFields }, strict)) } }, async (request) => {
      mine(request.params.sub);
      const p = request.body.properties;
      if (p.onPremisesRanges) checkOnPremisesRanges(p.onPremisesRanges);
      checkBastionLimits({ idleTimeoutMinutes: p.idleTimeoutMinutes, maxSessionMinutes: p.maxSessionMinutes });
      // The host, its switches and limits and the event: one transaction, so no half-applied PUT either.
      return audited(request, 'resource.written', async (w) => {
        const r = await w.putBastionHost(request.params.rg, request.params.name, p.virtualNetwork.id, request.body.tags);
        // Design 0007: PUT replaces, so an omitted switch gets its default (off; the two Azure-off-by-default ones on here).
        await w.setBastionFeatures(r.id, { enableIpConnect: p.enableIpConnect ?? false, enableShareableLink: p.enableShareableLink ?? false, disableCopyPaste: p.disableCopyPaste ?? false, onPremisesRanges: p.onPremisesRanges ?? [], enableTunneling: p.enableTunneling ?? true, enableSessionRecording: p.enableSessionRecording ?? true });
        await w.setBastionLimits(r.id, { idleTimeoutMinutes: p.idleTimeoutMinutes, maxSessionMinutes: p.maxSessionMinutes }); // design 0005
        return ((await w.get(r.id)) ?? r) as typeof r;
      });
    });
  };
