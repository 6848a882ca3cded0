/** sched_ext's view of the world, from /sys/kernel/sched_ext: used by the example and its test. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

const ROOT = "/sys/kernel/sched_ext";

/** True when the running kernel has sched_ext (CONFIG_SCHED_CLASS_EXT). */
export function hasSchedExt(): boolean {
  return existsSync(ROOT);
}

/** "enabled", "disabled", "enabling", "disabling". */
export function schedExtState(): string {
  return readFileSync(`${ROOT}/state`, "utf8").trim();
}

/** Name of the BPF scheduler in charge, or undefined when none is. */
export function currentScheduler(): string | undefined {
  try {
    return readFileSync(`${ROOT}/root/ops`, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Waits (polling) for sched_ext to reach `state`; false on timeout. The kernel switches asynchronously. */
export async function waitForState(state: string, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (schedExtState() === state) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return schedExtState() === state;
}

/** Gives the scheduler something to schedule: short-lived processes that spin a little. */
export function busyWork(processes = 8): void {
  for (let i = 0; i < processes; i++) {
    spawnSync("sh", ["-c", "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done"], { stdio: "ignore" });
  }
}
