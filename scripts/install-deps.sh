#!/usr/bin/env bash
# Makes sure everything Bastion needs is installed. Idempotent, and quiet and fast (well under 2 s) when
# nothing is missing; otherwise prints one line per action it takes.
#
#   scripts/install-deps.sh          used by `npm start`: Node >= 20.19, node_modules, better-sqlite3
#   scripts/install-deps.sh --test   used by `npm test`: the above plus the Debian packages the
#                                    integration and e2e tests drive (apt-get when root; otherwise it
#                                    prints what to install and fails)
set -euo pipefail

NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19
TEST_PACKAGES=(
  openssh-server openssh-client sshpass nftables iproute2
  xrdp xorgxrdp xterm twm x11-xserver-utils xvfb xclip
  freerdp2-shadow-x11 freerdp2-x11 winpr-utils
  chromium postgresql openssl
)

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

mode=start
for arg in "$@"; do
  case "$arg" in
    --test) mode=test ;;
    -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (usage: scripts/install-deps.sh [--test])" ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# 1. Debian packages for the tests (first: a failure here should not cost a long npm install).
ensure_test_packages() {
  command -v dpkg-query >/dev/null 2>&1 ||
    die "cannot check system packages (dpkg-query not found; this script expects Debian). The tests need: ${TEST_PACKAGES[*]}"
  local installed missing=() pkg
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${TEST_PACKAGES[@]}" 2>/dev/null || true)
  for pkg in "${TEST_PACKAGES[@]}"; do
    grep -qx "$pkg installed" <<<"$installed" || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0

  if ((EUID != 0)); then
    printf 'install-deps: the tests need these Debian packages, which are not installed:\n  %s\n' "${missing[*]}" >&2
    printf 'install them as root with:\n  apt-get update && apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
    exit 1
  fi
  local apt_opts=(-o DPkg::Lock::Timeout=300 -q)
  say "apt-get update (missing: ${missing[*]})"
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update >/dev/null ||
    die "apt-get update failed; check network access to the Debian mirrors"
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" ||
    die "apt-get install failed for: ${missing[*]}"
}

# 2. Node.js version (package.json: engines.node >= 20.19).
ensure_node() {
  command -v node >/dev/null 2>&1 ||
    die "Node.js ${NODE_MIN_MAJOR}.${NODE_MIN_MINOR} or newer is required, but 'node' is not on PATH. Install it from https://nodejs.org/ (or your package manager) and retry."
  local version major minor
  version=$(node --version) # v20.19.2
  version=${version#v}
  IFS=. read -r major minor _ <<<"$version"
  if ((major < NODE_MIN_MAJOR || (major == NODE_MIN_MAJOR && minor < NODE_MIN_MINOR))); then
    die "Node.js ${NODE_MIN_MAJOR}.${NODE_MIN_MINOR} or newer is required; found ${version} at $(command -v node). Upgrade Node and retry."
  fi
}

# 3. node_modules, installed exactly from package-lock.json.
ensure_node_modules() {
  local reason=
  if [[ ! -d node_modules ]]; then
    reason="node_modules is missing"
  elif [[ ! -f node_modules/.package-lock.json ]]; then
    reason="node_modules was not installed by npm (no node_modules/.package-lock.json)"
  elif [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    reason="package-lock.json changed since the last install"
  fi
  [[ -z "$reason" ]] && return 0
  say "npm ci ($reason; building better-sqlite3 from source can take a minute or two)"
  npm ci --no-audit --no-fund || die "npm ci failed (see npm's output above)"
}

# 4. better-sqlite3's native module. Requiring the package alone does not load the addon (it is loaded
#    on first open), so open an in-memory database.
sqlite_loads() {
  node -e "new (require('better-sqlite3'))(':memory:').close()" 2>/dev/null
}

ensure_sqlite() {
  sqlite_loads && return 0
  local why
  why=$(node -e "new (require('better-sqlite3'))(':memory:').close()" 2>&1 | grep -m1 -E 'Error|error' || true)
  say "npm rebuild better-sqlite3 (its native module does not load: ${why:-unknown error}; usually its install script was skipped or it was built for another Node version)"
  npm rebuild better-sqlite3 ||
    die "npm rebuild better-sqlite3 failed; building it needs python3, make and a C++ compiler (apt-get install python3 make g++)"
  sqlite_loads || die "better-sqlite3 still does not load after a rebuild: $(node -e "new (require('better-sqlite3'))(':memory:')" 2>&1 | grep -m1 -E 'Error|error' || true)"
}

# 5. ssh2's optional native crypto binding (package.json allowScripts; issue 20): without it ssh2 writes
#    every SSH packet in three pieces. A node_modules installed before allowScripts allowed it lacks it;
#    build it once (~5 s). ssh2's install script never fails the install, so a machine without a compiler
#    goes on in JavaScript; the marker (gone with the next npm ci) keeps that from being retried each start.
ensure_ssh2_binding() {
  local marker=node_modules/.bastion-ssh2-rebuild-tried
  node -e "process.exit(require('ssh2/lib/protocol/crypto.js').bindingAvailable ? 0 : 1)" 2>/dev/null && return 0
  [[ -f $marker ]] && return 0
  say "npm rebuild ssh2 (its native crypto binding is not built; optional, a few seconds)"
  npm rebuild ssh2 >/dev/null 2>&1 || true
  touch "$marker"
}

if [[ "$mode" == test ]]; then ensure_test_packages; fi
ensure_node
ensure_node_modules
ensure_sqlite
ensure_ssh2_binding
