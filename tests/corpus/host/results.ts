/** One JSON line per corpus object in .test-results/corpus-results.jsonl (the summary prints them). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { RESULTS } from "../paths.ts";

/** Records the host outcome of `name`, replacing an earlier line for it (a re-run of one file). */
export function recordResult(name: string, bpfkit: string, libbpf: string): void {
  mkdirSync(dirname(RESULTS), { recursive: true });
  const kept = existsSync(RESULTS)
    ? readFileSync(RESULTS, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "" && !isHostLine(l, name))
    : [];
  kept.push(JSON.stringify({ tier: "host", name, bpfkit, libbpf, same: bpfkit === libbpf }));
  writeFileSync(RESULTS, `${kept.join("\n")}\n`);
}

function isHostLine(line: string, name: string): boolean {
  try {
    const o = JSON.parse(line) as { tier?: string; name?: string };
    return o.tier === "host" && o.name === name;
  } catch {
    return false;
  }
}
