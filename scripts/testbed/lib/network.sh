# shellcheck shell=bash
# The virtual network: bridge bstbr0 (host = bastion, 10.90.0.4/16), one network namespace per VM with
# a veth into the bridge, an nftables "NSG" inside every VM and a host-side table so VMs can only answer.
# IP forwarding is never touched: the VMs have no way out of 10.90.0.0/16.

# Refuse to start when another interface already uses the VNet's range (routes would clash).
check_address_space_free() {
  local clash
  clash=$(ip -4 -o addr show | awk -v br="$BRIDGE" '$2 != br && $4 ~ /^10\.90\./ {print $2" "$4}')
  [ -z "$clash" ] || die "10.90.0.0/16 is already in use on this host ($clash); the testbed needs it for its VNet."
}

create_bridge() {
  ip link add "$BRIDGE" type bridge stp_state 0 forward_delay 0
  # No IPv6 on the VNet: keeps it to the IPv4 plan (no link-local side doors).
  sysctl -qw "net.ipv6.conf.$BRIDGE.disable_ipv6=1" 2>/dev/null || true
  ip addr add "$BASTION_IP/16" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

# The VM's "hardware": namespace, cable into the bridge, address in snet-vms, route to the VNet only.
create_vm_network() {
  local vm=$1 ns veth ip
  ns=$(netns_of "$vm"); veth=$(veth_of "$vm"); ip=${VM_IP[$vm]}
  ip netns add "$ns"
  in_net "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  sysctl -qw "net.ipv6.conf.$veth.disable_ipv6=1" 2>/dev/null || true
  ip link set "$veth" master "$BRIDGE" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$ip/24" dev eth0          # snet-vms 10.90.1.0/24
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add "$VNET_CIDR" dev eth0      # the rest of the VNet (the bastion); no default route
  # A VM re-created at the same address has a new MAC: forget the host's cached one (else SYNs go nowhere).
  ip neigh del "$ip" dev "$BRIDGE" 2>/dev/null || true
  apply_vm_nsg "$ns"
}

# NSG inside the VM: deny by default; only the bastion may open SSH/RDP (like Azure's Bastion NSG rules).
apply_vm_nsg() {
  in_net "$1" nft -f - <<NFT
table inet nsg {
  chain input {
    type filter hook input priority 0; policy drop;
    iif "lo" accept
    ct state established,related accept
    ip saddr $BASTION_IP tcp dport { 22, 3389 } accept comment "AllowBastionInbound"
  }
}
NFT
}

# Host side: nothing from the VNet may open a connection to the host, and nothing is routed in or out.
apply_host_firewall() {
  nft delete table inet "$HOST_NFT_TABLE" 2>/dev/null || true
  nft -f - <<NFT
table inet $HOST_NFT_TABLE {
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "$BRIDGE" ct state established,related accept
    iifname "$BRIDGE" counter drop comment "VMs may only answer the bastion"
  }
  # Never route into or out of the VNet (ip_forward stays as it is; this holds even where it is on).
  # Bridged VM-to-VM frames also pass here when br_netfilter is active (in and out = $BRIDGE): those are
  # left alone, so that the VMs' own NSGs are what isolates them, as in Azure.
  chain forward {
    type filter hook forward priority 0; policy accept;
    iifname "$BRIDGE" oifname != "$BRIDGE" drop
    oifname "$BRIDGE" iifname != "$BRIDGE" drop
  }
}
NFT
}

# Removing a namespace removes its veth pair; the bridge and the host table go last. Every step is
# allowed to find nothing (down is idempotent).
remove_network() {
  local vm ns
  for vm in "${VMS[@]}"; do
    ns=$(netns_of "$vm")
    if netns_exists "$ns"; then ip netns del "$ns" 2>/dev/null || true; fi
    ip link del "$(veth_of "$vm")" 2>/dev/null || true   # in case the namespace was removed by hand
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  rm -rf /run/bastion-testbed             # empty mount points used by vm-init.sh
  nft delete table inet "$HOST_NFT_TABLE" 2>/dev/null || true
}

# One line per problem on stdout; nothing when the network is complete.
network_problems() {
  local vm ns
  ip -4 -o addr show dev "$BRIDGE" 2>/dev/null | grep -q " $BASTION_IP/16 " || echo "bridge $BRIDGE with $BASTION_IP/16 is missing"
  nft list table inet "$HOST_NFT_TABLE" >/dev/null 2>&1 || echo "host nftables table inet $HOST_NFT_TABLE is missing"
  for vm in "${VMS[@]}"; do
    ns=$(netns_of "$vm")
    if ! netns_exists "$ns"; then echo "$vm: network namespace $ns is missing"; continue; fi
    in_net "$ns" ip -4 -o addr show dev eth0 2>/dev/null | grep -q " ${VM_IP[$vm]}/24 " || echo "$vm: eth0 without ${VM_IP[$vm]}"
    in_net "$ns" nft list table inet nsg >/dev/null 2>&1 || echo "$vm: NSG (nft table inet nsg) is missing"
  done
}
