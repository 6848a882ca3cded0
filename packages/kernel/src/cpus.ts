import { readFileSync } from "node:fs";

let cached: number | undefined;

/**
 * How many CPUs the kernel may ever bring up: per-CPU map values hold one slot per possible CPU
 * (not per online CPU), so reads and writes size their buffers by this.
 */
export function possibleCpus(): number {
  if (cached !== undefined) return cached;
  const text = readFileSync("/sys/devices/system/cpu/possible", "utf8").trim();
  let max = -1;
  for (const part of text.split(",")) {
    const [lo, hi] = part.split("-").map(Number);
    max = Math.max(max, hi ?? lo ?? -1);
  }
  if (!(max >= 0)) throw new Error(`cannot read the possible CPUs from /sys/devices/system/cpu/possible ("${text}")`);
  cached = max + 1;
  return cached;
}
