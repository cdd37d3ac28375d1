/** Stored `properties` of each inventory resource type (ARM shapes, trimmed to what Bastion uses). */
export interface ResourceGroupProps {
  provisioningState: 'Succeeded';
}
export interface VirtualNetworkProps {
  addressSpace: { addressPrefixes: string[] };
}
export interface SubnetProps {
  addressPrefix: string;
}
export interface PeeringProps {
  remoteVirtualNetwork: { id: string };
  peeringState: 'Connected';
}
export interface IpConfiguration {
  name: string;
  properties: { privateIPAddress: string; subnet: { id: string } };
}
export interface NetworkInterfaceProps {
  ipConfigurations: IpConfiguration[];
}
export interface VirtualMachineProps {
  osType: 'linux' | 'windows';
  networkProfile: { networkInterfaces: Array<{ id: string }> };
}
export interface BastionHostProps {
  virtualNetwork: { id: string };
}

/** Inputs of the write operations (what PUT bodies and the config file carry). */
export interface VirtualNetworkInput {
  addressPrefixes: string[];
  subnets?: Array<{ name: string; addressPrefix: string }> | undefined;
  location?: string | undefined;
  tags?: Record<string, string> | undefined;
}
export interface NetworkInterfaceInput {
  ipConfigurations: Array<{ name?: string | undefined; privateIPAddress: string; subnetId: string }>;
  tags?: Record<string, string> | undefined;
}
export interface VirtualMachineInput {
  osType: 'linux' | 'windows';
  networkInterfaceIds: string[];
  tags?: Record<string, string> | undefined;
}
