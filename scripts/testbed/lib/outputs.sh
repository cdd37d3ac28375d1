# shellcheck shell=bash
# The testbed's two outputs in $STATE_DIR: inventory.yaml (a Bastion config fragment, the format of
# docs/api-and-config.md) and testbed.json (for tests and scripts). Rewritten on every 'up'.

SUBSCRIPTION_ID=00000000-0000-0000-0000-000000000000
RESOURCE_GROUP=rg-testbed
VNET_NAME=vnet-testbed
BASTION_HOST_NAME=bastion-testbed

write_inventory() {
  local vm out=$STATE_DIR/inventory.yaml
  {
    cat <<YAML
# Bastion configuration fragment for the testbed (written by 'npm run testbed -- up'; do not edit).
# Merge into bastion.yaml, e.g. append this file to a config that has no inventory: key.
inventory:
  subscription:
    id: $SUBSCRIPTION_ID
    name: Bastion
  resourceGroups:
    - name: $RESOURCE_GROUP
      location: local
  virtualNetworks:
    - name: $VNET_NAME
      resourceGroup: $RESOURCE_GROUP
      addressSpace: [$VNET_CIDR]
      subnets:
        - { name: AzureBastionSubnet, addressPrefix: 10.90.0.0/26 }
        - { name: snet-vms, addressPrefix: 10.90.1.0/24 }
      peerings: []
  virtualMachines:
YAML
    for vm in "${VMS[@]}"; do
      is_registered "$vm" || continue
      cat <<YAML
    - name: $vm
      resourceGroup: $RESOURCE_GROUP
      osType: ${VM_OS[$vm]}
      tags: { services: "${VM_SERVICES[$vm]}" }
      nics:
        - { name: $vm-nic, virtualNetwork: $VNET_NAME, subnet: snet-vms, privateIpAddress: ${VM_IP[$vm]} }
YAML
    done
    cat <<YAML
  bastionHosts:
    - name: $BASTION_HOST_NAME
      resourceGroup: $RESOURCE_GROUP
      virtualNetwork: $VNET_NAME
YAML
  } >"$out.tmp" && mv "$out.tmp" "$out"
}

# JSON by hand: every value here is a fixed, quote-free string (names, addresses, base64 keys).
write_testbed_json() {
  local vm out=$STATE_DIR/testbed.json sep='' services rdp dir
  {
    cat <<JSON
{
  "stateDir": "$STATE_DIR",
  "inventoryPath": "$STATE_DIR/inventory.yaml",
  "bastionAddress": "$BASTION_IP",
  "bridge": "$BRIDGE",
  "vnetCidr": "$VNET_CIDR",
  "subscriptionId": "$SUBSCRIPTION_ID",
  "resourceGroup": "$RESOURCE_GROUP",
  "virtualNetwork": "$VNET_NAME",
  "bastionHost": "$BASTION_HOST_NAME",
  "user": "$VM_USER",
  "password": "$VM_PASSWORD",
  "clientKeyPath": "$STATE_DIR/client_key",
  "vms": [
JSON
    for vm in "${VMS[@]}"; do
      is_registered "$vm" || continue
      dir=$(vm_dir "$vm")
      services=$(echo "${VM_SERVICES[$vm]}" | sed 's/[^,]*/"&"/g; s/,/, /g')
      rdp=null
      [ -n "${VM_RDP_SECURITY[$vm]:-}" ] && rdp="{ \"port\": 3389, \"security\": \"${VM_RDP_SECURITY[$vm]}\", \
\"desktopColor\": \"${VM_DESKTOP_COLOR[$vm]}\", \"bannerText\": \"${VM_BANNER[$vm]}\" }"
      printf '%s    { "name": "%s", "namespace": "%s", "ip": "%s", "osType": "%s", "nic": "%s-nic", "services": [%s],\n' \
        "$sep" "$vm" "$(netns_of "$vm")" "${VM_IP[$vm]}" "${VM_OS[$vm]}" "$vm" "$services"
      printf '      "stateDir": "%s", "sshHostPublicKey": "%s",\n      "rdp": %s }' \
        "$dir" "$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" "$rdp"
      sep=$',\n'
    done
    # Machines in the VNet that the inventory does not know (IP-based connection targets).
    printf '\n  ],\n  "unregistered": ['
    sep=''
    for vm in "${UNREGISTERED_VMS[@]}"; do
      printf '%s\n    { "name": "%s", "namespace": "%s", "ip": "%s", "stateDir": "%s" }' "$sep" "$vm" "$(netns_of "$vm")" "${VM_IP[$vm]}" "$(vm_dir "$vm")"
      sep=','
    done
    printf '\n  ]\n}\n'
  } >"$out.tmp" && mv "$out.tmp" "$out"
}

print_summary() {
  local vm
  echo "Bastion testbed is up (state: $STATE_DIR)"
  echo "  bastion (this host)  $BASTION_IP on $BRIDGE   VNet $VNET_CIDR, VMs in snet-vms 10.90.1.0/24"
  for vm in "${VMS[@]}"; do
    printf '  %-8s %-10s ns %-12s %-8s %s\n' "$vm" "${VM_IP[$vm]}" "$(netns_of "$vm")" "${VM_OS[$vm]}" \
      "${VM_SERVICES[$vm]}${VM_RDP_SECURITY[$vm]:+ (rdp: ${VM_RDP_SECURITY[$vm]})}"
  done
  echo "  login: $VM_USER / $VM_PASSWORD, or key $STATE_DIR/client_key"
  echo "  outputs: $STATE_DIR/inventory.yaml (Bastion config fragment), $STATE_DIR/testbed.json"
}
