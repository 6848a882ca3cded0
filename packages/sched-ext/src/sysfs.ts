// sched_ext's own view of the machine, from its sysfs directory.
import { existsSync, readFileSync } from "node:fs";

export const SCHED_EXT_SYSFS = "/sys/kernel/sched_ext";

/** sched_ext's files, under `root` (the real /sys/kernel/sched_ext unless a test points elsewhere). */
export class SchedExtSysfs {
  constructor(readonly root: string = SCHED_EXT_SYSFS) {}

  /** Has the kernel sched_ext at all (CONFIG_SCHED_CLASS_EXT)? */
  get present(): boolean {
    return existsSync(this.root);
  }

  /** "enabled", "disabled", "enabling" or "disabling". */
  state(): string {
    return readFileSync(`${this.root}/state`, "utf8").trim();
  }

  /** The ops name of the BPF scheduler in charge, or undefined when none is. */
  currentOps(): string | undefined {
    try {
      return readFileSync(`${this.root}/root/ops`, "utf8").trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /** The CPU hotplug sequence number a scheduler is enabled against (ops.hotplug_seq). */
  hotplugSeq(): bigint {
    return BigInt(readFileSync(`${this.root}/hotplug_seq`, "utf8").trim());
  }
}
