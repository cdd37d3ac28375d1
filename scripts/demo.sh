#!/usr/bin/env bash
# `npm run demo` (root): bring up the testbed of real VMs and start a bastion that knows them, with a
# demo user. Ctrl-C stops the bastion; `npm run testbed -- down` removes the testbed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
((EUID == 0)) || { echo "npm run demo needs root (it creates network namespaces)"; exit 1; }
bash scripts/install-deps.sh
bash scripts/build-if-stale.sh
bash scripts/testbed/testbed.sh up
state=${BASTION_TESTBED_DIR:-/tmp/bastion-testbed}
config=$state/demo-bastion.yaml
{
  echo "dataDir: ./data-demo"
  echo "users:"
  echo "  - { username: demo, password: Demo-Pass-123, displayName: Demo User }"
  echo "roleAssignments:"
  echo "  - { assignee: demo, role: Reader, scope: /subscriptions/00000000-0000-0000-0000-000000000000 }"
  cat "$state/inventory.yaml"
} >"$config"
echo "Demo user: demo / Demo-Pass-123   (testbed VMs: see $state/testbed.json)"
exec node bin/bastion.mjs start --config "$config"
