#!/usr/bin/env bash
# `npm start`: install what is missing, build what is stale, start the bastion on the embedded default
# (SQLite and a self-signed certificate in ./data). Extra arguments go to `bastion start`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
bash scripts/build-if-stale.sh
exec node bin/bastion.mjs start "$@"
