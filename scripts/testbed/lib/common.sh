# shellcheck shell=bash
# Shared definitions for the Bastion testbed: the address plan, the VM table, logging and small helpers.
# Sourced by testbed.sh and vm-init.sh; nothing here changes the machine.
# shellcheck disable=SC2034  # the variables are used by the files that source this one

# ---- address plan (mirrors an Azure VNet with a Bastion) -------------------------------------------
STATE_DIR=${BASTION_TESTBED_DIR:-/tmp/bastion-testbed}
case $STATE_DIR in /*) ;; *) STATE_DIR=$PWD/$STATE_DIR ;; esac   # configs need absolute paths
BRIDGE=bstbr0                      # the VNet's switch; the host (bastion) sits on it
BASTION_IP=10.90.0.4               # inside AzureBastionSubnet 10.90.0.0/26
VNET_CIDR=10.90.0.0/16
HOST_NFT_TABLE=bastion_testbed     # host-side firewall: VMs may only answer the bastion
WAIT_SECONDS=${BASTION_TESTBED_WAIT:-30}

VM_USER=vmuser
VM_PASSWORD=Vm-Pass-123

# ---- the VMs: name -> ip, role, os type, services ----------------------------------------------------
# role decides what vm-init.sh starts: ssh = sshd only; xrdp = sshd + xrdp/xorgxrdp;
# shadow = sshd + Xvfb desktop shared by freerdp-shadow-cli with NLA (our stand-in for a Windows VM);
# weston = sshd + weston's RDP backend (TLS only, no RDP login: the desktop is shown at once).
# host-unreg is a machine in the VNet that is NOT in the generated inventory: the target of IP-based
# connection (design 0007). It is left out of inventory.yaml and listed apart in testbed.json.
VMS=(vm-ssh vm-ssh2 vm-xrdp vm-nla vm-weston host-unreg)
UNREGISTERED_VMS=(host-unreg)
declare -A VM_IP=([vm-ssh]=10.90.1.4 [vm-ssh2]=10.90.1.5 [vm-xrdp]=10.90.1.6 [vm-nla]=10.90.1.7 [vm-weston]=10.90.1.8 [host-unreg]=10.90.1.20)
declare -A VM_ROLE=([vm-ssh]=ssh [vm-ssh2]=ssh [vm-xrdp]=xrdp [vm-nla]=shadow [vm-weston]=weston [host-unreg]=ssh)
declare -A VM_OS=([vm-ssh]=linux [vm-ssh2]=linux [vm-xrdp]=linux [vm-nla]=windows [vm-weston]=linux [host-unreg]=linux)
declare -A VM_SERVICES=([vm-ssh]=ssh [vm-ssh2]=ssh [vm-xrdp]="ssh,rdp" [vm-nla]="ssh,rdp" [vm-weston]="ssh,rdp" [host-unreg]=ssh)
is_registered() { [[ " ${UNREGISTERED_VMS[*]} " != *" $1 "* ]]; }
# What an RDP client sees: security protocol, desktop colour and the text in the xterm (for pixel checks).
declare -A VM_RDP_SECURITY=([vm-xrdp]=tls [vm-nla]=nla [vm-weston]=tls)
declare -A VM_DESKTOP_COLOR=([vm-xrdp]='#2e5e8e' [vm-nla]='#5e2e8e' [vm-weston]='#2e8e5e')
declare -A VM_BANNER=([vm-xrdp]='BASTION-TESTBED-XRDP-OK' [vm-nla]='BASTION-TESTBED-NLA-OK' [vm-weston]='BASTION-TESTBED-WESTON-OK')

netns_of() { echo "bst-$1"; }                 # bst-vm-ssh
veth_of() { echo "bstv-${1#vm-}"; }           # host end of the VM's cable: bstv-ssh (<= 15 chars)
vm_dir() { echo "$STATE_DIR/$1"; }
ports_of() {                                   # TCP ports that must listen in the VM when it is up
  case ${VM_ROLE[$1]} in
    xrdp) echo "22 3389 3350" ;;                 # 3350: xrdp-sesman (loopback only; xrdp needs it to log in)
    shadow | weston) echo "22 3389" ;;
    *) echo 22 ;;
  esac
}
service_of_port() { case $1 in 22) echo ssh ;; 3389) echo rdp ;; 3350) echo sesman ;; *) echo "tcp/$1" ;; esac; }

# ---- output ------------------------------------------------------------------------------------------
log() { printf '[testbed] %s\n' "$*" >&2; }
die() { printf '[testbed] ERROR: %s\n' "$*" >&2; exit 1; }

# Seconds (one decimal) since an earlier $EPOCHREALTIME.
elapsed_since() {
  local us=$(( ${EPOCHREALTIME/./} - ${1/./} ))
  printf '%d.%d' $((us / 1000000)) $((us % 1000000 / 100000))
}

require_root() {
  [ "$(id -u)" = 0 ] || die "the testbed needs root (it creates network namespaces, a bridge, nftables rules \
and a test user). Run it as root, e.g. 'sudo npm run testbed -- ${1:-up}'."
  local tool
  for tool in ip nft nsenter unshare ss setsid; do
    command -v "$tool" >/dev/null || die "'$tool' not found (packages iproute2, nftables, util-linux)."
  done
}

# ---- namespaces ----------------------------------------------------------------------------------------
netns_exists() { [ -e "/run/netns/$1" ]; }
# Run a command in a VM's network namespace only (cheaper than 'ip netns exec': no /sys remount).
in_net() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }
# Is something listening on TCP <port> inside namespace <ns>?
listening() { [ -n "$(in_net "$1" ss -Hltn "sport = :$2" 2>/dev/null)" ]; }
# Pids whose network namespace is <ns> (everything a VM runs, including login sessions).
# A process that exists and is not a zombie (a dead child nobody reaped yet).
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
netns_pids() { netns_exists "$1" && ip netns pids "$1" 2>/dev/null; }
