import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TrafficResult } from "./loopback.ts";

const script = fileURLToPath(new URL("./traffic.ts", import.meta.url));

function parse(status: number | null, stdout: string, stderr: string): TrafficResult {
  if (status !== 0) throw new Error(`traffic run failed (status ${status}): ${stderr || stdout}`);
  return JSON.parse(stdout.trim().split("\n").pop() ?? "") as TrafficResult;
}

/** Runs traffic.ts in a child process (its own network namespace) and returns what it measured. */
export function runTraffic(cc: string, bytes: number): TrafficResult {
  const r = spawnSync(process.execPath, [script, cc, String(bytes)], { encoding: "utf8", timeout: 60_000 });
  return parse(r.status, r.stdout, r.stderr);
}

/** Keeps one connection with congestion control `cc` busy for `ms` in a child process. */
export function startTraffic(cc: string, ms: number): Promise<TrafficResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, cc, "0", String(ms)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (status) => {
      try {
        resolve(parse(status, out, err));
      } catch (e) {
        reject(e);
      }
    });
  });
}
