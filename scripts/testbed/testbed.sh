#!/bin/bash
# Bastion testbed: a private "VNet" of real machines in network namespaces on this host (root only).
#
#   bstbr0 10.90.0.4/16 (host = the bastion, in AzureBastionSubnet 10.90.0.0/26)
#     |- bst-vm-ssh   10.90.1.4  sshd
#     |- bst-vm-ssh2  10.90.1.5  sshd (second Linux VM, for isolation checks)
#     |- bst-vm-xrdp  10.90.1.6  sshd + xrdp/xorgxrdp (RDP, TLS)
#     |- bst-vm-nla   10.90.1.7  sshd + freerdp-shadow-cli (RDP with NLA; stands in for a Windows VM)
#     '- bst-vm-weston 10.90.1.8 sshd + weston's RDP backend (TLS only, no RDP login)
#
# Usage: testbed.sh up|down|status      (npm run testbed -- up|down|status)
# State, logs and outputs (inventory.yaml, testbed.json, client_key): ${BASTION_TESTBED_DIR:-/tmp/bastion-testbed}
# See docs/testbed.md.
set -euo pipefail
TESTBED_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$TESTBED_HOME/lib/common.sh"
# shellcheck source=lib/network.sh
. "$TESTBED_HOME/lib/network.sh"
# shellcheck source=lib/services.sh
. "$TESTBED_HOME/lib/services.sh"
# shellcheck source=lib/outputs.sh
. "$TESTBED_HOME/lib/outputs.sh"

usage() {
  cat <<USAGE
Usage: testbed.sh up|down|status
  up      create the VNet and its VMs (installs missing packages); keeps a testbed that is already up
  down    stop the VMs' processes and remove namespaces, bridge and firewall tables (harmless if down)
  status  show what is up; exit 0 when everything is up, 1 otherwise
Environment: BASTION_TESTBED_DIR (default /tmp/bastion-testbed), BASTION_TESTBED_WAIT (seconds, default 30)
USAGE
}

# Serialise concurrent runs (two test runs, a developer and CI...). fd 9 is closed for the VMs.
take_lock() {
  mkdir -p "$STATE_DIR"
  [ -O "$STATE_DIR" ] || die "$STATE_DIR is not owned by $(id -un); refusing to use it (set BASTION_TESTBED_DIR)"
  exec 9>"$STATE_DIR/.lock"
  flock -w 120 9 || die "another testbed.sh holds $STATE_DIR/.lock for more than 120 s"
}

# Everything that is missing or dead, one line each; empty output means the testbed is fully up.
problems() {
  local vm port
  network_problems
  for vm in "${VMS[@]}"; do
    netns_exists "$(netns_of "$vm")" || continue
    for port in $(ports_of "$vm"); do
      listening "$(netns_of "$vm")" "$port" || echo "$vm: $(service_of_port "$port") is not listening on port $port"
    done
  done
}

# Is any piece of a testbed present (complete or not)?
anything_present() {
  local vm
  ip link show "$BRIDGE" >/dev/null 2>&1 && return 0
  nft list table inet "$HOST_NFT_TABLE" >/dev/null 2>&1 && return 0
  for vm in "${VMS[@]}"; do netns_exists "$(netns_of "$vm")" && return 0; done
  return 1
}

# VMs of the table whose namespace does not exist at all (e.g. a VM added to the table since 'up').
absent_vms() {
  local vm
  for vm in "${VMS[@]}"; do netns_exists "$(netns_of "$vm")" || echo "$vm"; done
}

# Adds VMs that are entirely absent to a testbed that is otherwise complete, without touching the
# others (people may be using them). Returns 1 when anything else is wrong (then 'up' recreates all).
add_absent_vms() {
  local issues absent=() vm others
  issues=$(problems)
  mapfile -t absent < <(absent_vms)
  [ ${#absent[@]} -gt 0 ] && [ ${#absent[@]} -lt ${#VMS[@]} ] || return 1
  others=$(grep -v -E "^($(IFS='|'; echo "${absent[*]}")): " <<<"$issues" || true)
  [ -z "$others" ] || return 1
  log "adding VMs missing from the running testbed: ${absent[*]}"
  ensure_user
  for vm in "${absent[@]}"; do
    prepare_vm_files "$vm"
    create_vm_network "$vm"
    start_vm "$vm"
  done
  wait_for_services
}

cmd_up() {
  local start=$EPOCHREALTIME vm
  require_root up
  take_lock
  ensure_packages
  if anything_present; then
    if [ -z "$(problems)" ]; then
      log "already up: keeping it"
      ensure_user                                 # cheap; heals a changed password or key file
      write_inventory; write_testbed_json; print_summary
      return 0
    fi
    if add_absent_vms; then
      write_inventory; write_testbed_json; print_summary
      log "up in $(elapsed_since "$start") s"
      return 0
    fi
    log "found a partial testbed; recreating it:"; problems | sed 's/^/    /' >&2
    teardown
  fi
  check_address_space_free
  ensure_user
  for vm in "${VMS[@]}"; do prepare_vm_files "$vm"; done
  create_bridge
  apply_host_firewall
  for vm in "${VMS[@]}"; do
    create_vm_network "$vm"
    start_vm "$vm"
  done
  wait_for_services
  write_inventory; write_testbed_json
  print_summary
  log "up in $(elapsed_since "$start") s"
}

teardown() {
  local vm
  for vm in "${VMS[@]}"; do stop_vm "$vm"; done
  remove_network
}

cmd_down() {
  local start=$EPOCHREALTIME
  require_root down
  take_lock
  if ! anything_present && [ -z "$(cat "$STATE_DIR"/*/*.pid 2>/dev/null)" ]; then
    log "nothing to do: the testbed is down"
    return 0
  fi
  teardown
  log "down in $(elapsed_since "$start") s"
}

cmd_status() {
  local vm port line state rc=0 issues
  require_root status
  issues=$(problems)
  printf 'bastion  %-10s on %-8s %s\n' "$BASTION_IP" "$BRIDGE" \
    "$(ip link show "$BRIDGE" >/dev/null 2>&1 && echo up || echo DOWN)"
  for vm in "${VMS[@]}"; do
    line=""
    for port in $(ports_of "$vm"); do
      netns_exists "$(netns_of "$vm")" && listening "$(netns_of "$vm")" "$port" && state=up || state=DOWN
      line="$line $(service_of_port "$port"):$state"
    done
    printf '%-8s %-10s ns %-12s %s\n' "$vm" "${VM_IP[$vm]}" "$(netns_of "$vm")" "$line"
  done
  if [ -n "$issues" ]; then
    echo "NOT UP:"; printf '  %s\n' "${issues//$'\n'/$'\n'  }"; rc=1
  else
    echo "all up (outputs: $STATE_DIR/inventory.yaml, $STATE_DIR/testbed.json)"
  fi
  return $rc
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
