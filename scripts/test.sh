#!/usr/bin/env bash
# Every test tier this machine supports: static checks, unit + kernel tests under Bun, the Deno
# backend's suite, the corpus tier (kernel programs built from sid's sources, against libbpf 1.8)
# and the VM tier. Kernel tests skip with a reason without privileges, and fail
# instead when BPFKIT_REQUIRE_KERNEL=1 (CI sets it).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
mkdir -p .test-results
# The corpus tier's per-object lines come from the corpus step and the VM step: start empty once.
: > .test-results/corpus-results.jsonl
rm -f .test-results/vitest-corpus.json
export BPFKIT_CORPUS_RESULTS_APPEND=1
status=0
step() { echo; echo "=== $*"; "$@" || status=1; }

step bash scripts/system-deps.sh
# The corpus build first: the kernel tier compares with the libbpf 1.8 it builds.
step bun tests/corpus/run.ts --build
step turbo run typecheck lint --output-logs=errors-only
step tsc -p examples/tsconfig.json
step tsc -p tests/vm/tsconfig.json --noEmit
step tsc -p tests/corpus/tsconfig.json --noEmit
[ -f tests/corpus/host/tsconfig.json ] && step tsc -p tests/corpus/host/tsconfig.json --noEmit
step bun --bun vitest run --project unit --project kernel --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json
step deno test --allow-all --config deno.json packages/syscall/test/deno/ packages/struct-ops/test/deno/
# Before the VM step: it loads the sched_ext objects this step builds.
step bun tests/corpus/run.ts
step bun tests/vm/run.ts
node scripts/summary.mjs || status=1
exit $status
