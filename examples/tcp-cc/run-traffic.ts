import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TrafficResult } from "./loopback.ts";

/** Runs traffic.ts in a child process (its own network namespace) and returns what it measured. */
export function runTraffic(cc: string, bytes: number): TrafficResult {
  const script = fileURLToPath(new URL("./traffic.ts", import.meta.url));
  const r = spawnSync(process.execPath, [script, cc, String(bytes)], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`traffic run failed (status ${r.status}): ${r.stderr || r.stdout}`);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as TrafficResult;
}
