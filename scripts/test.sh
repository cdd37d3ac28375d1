#!/usr/bin/env bash
# `npm test`: install what the tests need, build, run the unit, integration (real machines in network
# namespaces, real PostgreSQL) and end-to-end (real Chromium) suites, clean up, print one summary line.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh --test || exit 1
bash scripts/build-if-stale.sh || exit 1
npx tsc -p packages/web --noEmit && npx tsc -p tsconfig.test.json || { echo "typecheck of the web client or the tests failed"; exit 1; }

results=$(mktemp -d)
cleanup() {
  bash scripts/testbed/testbed.sh down >/dev/null 2>&1 || true
  rm -rf "$results"
}
trap cleanup EXIT

status=0
for project in unit integration e2e; do
  echo "=== $project tests ==="
  npx vitest run --project "$project" --reporter=default --reporter=json --outputFile="$results/$project.json" || status=1
done

# The benchmark harness in smoke mode (docs/benchmarks.md): tiny sizes, no timing assertions; it keeps
# `npm run bench` working. Its own step, after the suites; a failure fails the run.
echo "=== bench smoke (npm run bench -- --quick) ==="
npm run --silent bench -- --quick || { echo "bench smoke failed"; status=1; }

# One closing line over the three suites ("N passed, N failed"), read from vitest's JSON reports.
node -e '
  const fs = require("fs"); let passed = 0, failed = 0, skipped = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + (r.numTodoTests || 0);
  }
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" || status=1
exit $status
