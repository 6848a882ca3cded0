// sched_ext's own view of the machine, from its sysfs directory.
import { existsSync, readFileSync } from "node:fs";
import { SchedExtError } from "./errors.ts";

export const SCHED_EXT_SYSFS = "/sys/kernel/sched_ext";

/** What sched_ext reports about itself (`bpfkit sched-ext state`); a field is absent when this kernel has no such file. */
export interface SchedExtStatus {
  /** "enabled", "disabled", "enabling" or "disabling". */
  readonly state: string;
  /** The ops name of the BPF scheduler in charge (root/ops), when one is. */
  readonly ops?: string;
  /** How many times a BPF scheduler has been enabled since boot (enable_seq). */
  readonly enableSeq?: bigint;
  /** Tasks whose switch to SCHED_EXT was rejected (nr_rejected). */
  readonly nrRejected?: bigint;
  /** Whether the scheduler in charge runs every task (switch_all). */
  readonly switchAll?: boolean;
  /** The scheduler in charge's event counters (root/events: one "NAME VALUE" line each), by name. */
  readonly events?: Readonly<Record<string, bigint>>;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

function optionalInteger(text: string | undefined): bigint | undefined {
  return text !== undefined && /^\d+$/.test(text) ? BigInt(text) : undefined;
}

/** Parses root/events: lines of an event name and its decimal count; anything else is skipped. */
export function parseEvents(text: string): Record<string, bigint> {
  const events: Record<string, bigint> = {};
  for (const line of text.split("\n")) {
    const m = /^(\S+)\s+(\d+)$/.exec(line.trim());
    if (m) events[m[1]!] = BigInt(m[2]!);
  }
  return events;
}

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

  /** Everything sched_ext reports: state, the ops in charge, enable_seq, nr_rejected, switch_all and root/events. */
  status(): SchedExtStatus {
    if (!this.present) throw new SchedExtError("no-sched-ext", `this kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT): ${this.root} is absent`);
    const state = this.state();
    const ops = this.currentOps();
    const enableSeq = optionalInteger(readOptional(`${this.root}/enable_seq`));
    const nrRejected = optionalInteger(readOptional(`${this.root}/nr_rejected`));
    const switchAll = readOptional(`${this.root}/switch_all`);
    const events = readOptional(`${this.root}/root/events`);
    return {
      state,
      ...(ops !== undefined ? { ops } : {}),
      ...(enableSeq !== undefined ? { enableSeq } : {}),
      ...(nrRejected !== undefined ? { nrRejected } : {}),
      ...(switchAll !== undefined ? { switchAll: switchAll === "1" } : {}),
      ...(events !== undefined ? { events: parseEvents(events) } : {}),
    };
  }

  /** The CPU hotplug sequence number a scheduler is enabled against (ops.hotplug_seq). */
  hotplugSeq(): bigint {
    return BigInt(readFileSync(`${this.root}/hotplug_seq`, "utf8").trim());
  }
}
