/** Builders for the Azure-form resource IDs this service writes (canonical segment casing). */
export const TYPES = {
  resourceGroup: 'Microsoft.Resources/resourceGroups',
  virtualNetwork: 'Microsoft.Network/virtualNetworks',
  subnet: 'Microsoft.Network/virtualNetworks/subnets',
  peering: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
  networkInterface: 'Microsoft.Network/networkInterfaces',
  virtualMachine: 'Microsoft.Compute/virtualMachines',
  bastionHost: 'Microsoft.Network/bastionHosts',
} as const;
export type InventoryType = (typeof TYPES)[keyof typeof TYPES];

export const subscriptionId = (sub: string): string => `/subscriptions/${sub}`;
export const resourceGroupId = (sub: string, rg: string): string => `${subscriptionId(sub)}/resourceGroups/${rg}`;
const provider = (sub: string, rg: string, type: string, name: string): string => `${resourceGroupId(sub, rg)}/providers/${type}/${name}`;
export const virtualNetworkId = (sub: string, rg: string, name: string): string => provider(sub, rg, TYPES.virtualNetwork, name);
export const subnetId = (vnetId: string, name: string): string => `${vnetId}/subnets/${name}`;
export const peeringId = (vnetId: string, name: string): string => `${vnetId}/virtualNetworkPeerings/${name}`;
export const networkInterfaceId = (sub: string, rg: string, name: string): string => provider(sub, rg, TYPES.networkInterface, name);
export const virtualMachineId = (sub: string, rg: string, name: string): string => provider(sub, rg, TYPES.virtualMachine, name);
export const bastionHostId = (sub: string, rg: string, name: string): string => provider(sub, rg, TYPES.bastionHost, name);

/** The last path segment of an ID: its name. */
export const nameOf = (id: string): string => id.slice(id.lastIndexOf('/') + 1);
