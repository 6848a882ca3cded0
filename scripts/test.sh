#!/usr/bin/env bash
# Every test tier this machine supports: static checks, unit + kernel tests under Bun, the Deno
# backend's suite, and the VM tier. Kernel tests skip with a reason without privileges, and fail
# instead when BPFKIT_REQUIRE_KERNEL=1 (CI sets it).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
mkdir -p .test-results
status=0
step() { echo; echo "=== $*"; "$@" || status=1; }

step bash scripts/system-deps.sh
step turbo run typecheck lint --output-logs=errors-only
step tsc -p examples/tsconfig.json
step tsc -p tests/vm/tsconfig.json --noEmit
step bun --bun vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json
step deno test --allow-all --config deno.json packages/syscall/test/deno/ packages/struct-ops/test/deno/
step bun tests/vm/run.ts
node scripts/summary.mjs || status=1
exit $status
