#!/usr/bin/env bash
# Builds server and web when a source file is newer than the last build (or nothing was built yet).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=dist/.build-stamp
if [[ -f $stamp && -f dist/web/index.html && -f dist/cli/src/main.js ]] &&
  [[ -z $(find packages package.json package-lock.json tsconfig.base.json -newer "$stamp" -type f -not -path '*/node_modules/*' -print -quit) ]]; then
  exit 0
fi
echo "build: compiling server and web client..."
npx tsc -b packages/protocol packages/server
npx vite build --config packages/web/vite.config.ts --logLevel warn
touch "$stamp"
