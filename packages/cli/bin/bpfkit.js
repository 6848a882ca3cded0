#!/usr/bin/env node
// bpfkit needs an FFI (Bun or Deno). Under Node this re-runs the CLI with the Bun binary that
// ships in the `bun` npm package (a dependency of the workspace) or the one on PATH.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
if (globalThis.Bun || globalThis.Deno) {
  await import(entry);
} else {
  let bun = "bun";
  try {
    const require = createRequire(import.meta.url);
    bun = require.resolve("bun/bin/bun.exe");
  } catch {
    // fall back to PATH
  }
  const r = spawnSync(bun, [entry, ...process.argv.slice(2)], { stdio: "inherit" });
  if (r.error) {
    console.error(`bpfkit: cannot start Bun (${r.error.message}); install it (npm i bun) or run with deno -A`);
    process.exit(1);
  }
  process.exit(r.status ?? 1);
}
