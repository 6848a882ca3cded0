/**
 * Why a scheduler could not be opened, loaded, enabled or stopped:
 * - `no-sched-ext`: the kernel has no sched_ext (no /sys/kernel/sched_ext, or no `sched_ext_ops` in its BTF);
 * - `too-old`: the kernel's `sched_ext_ops` lacks `dump` (older than the loaders support);
 * - `no-ops` / `several-ops`: the object has no, or more than one, sched_ext_ops struct_ops map;
 * - `bad-timeout`: SCX_TIMEOUT_MS (or the `timeoutMs` option) is not a whole number of milliseconds;
 * - `busy`: another BPF scheduler is in charge (named in the message and in `running`);
 * - `enable-failed`: the kernel refused or ejected the scheduler while enabling (its exit info in `exit`);
 * - `state`: the call does not fit the scheduler's state (e.g. attach before load, or twice).
 */
export type SchedExtErrorCode = "no-sched-ext" | "too-old" | "no-ops" | "several-ops" | "bad-timeout" | "busy" | "enable-failed" | "state";

/** What the BPF side recorded when the scheduler left (its `struct user_exit_info`). */
export interface SchedulerExit {
  /** The kernel's exit kind (`enum scx_exit_kind`), 0 when the BPF side recorded nothing. */
  readonly kind: number;
  /** Its enumerator name in the running kernel's BTF, e.g. "SCX_EXIT_UNREG"; undefined for 0 or an unknown value. */
  readonly kindName: string | undefined;
  /** `exit_code` (low 32 bits: the scheduler's own; upper bits: the kernel's reason and action flags). */
  readonly exitCode: bigint;
  /**
   * The kernel asks for a restart (the action bits of exit_code are SCX_ECODE_ACT_RESTART, e.g.
   * after CPU hotplug): a loader reopens and attaches the scheduler again, as scx's loaders do.
   */
  readonly restart: boolean;
  /** CPU that triggered the exit, or -1. */
  readonly exitCpu: number;
  readonly reason: string;
  readonly msg: string;
  /** The debug dump (empty unless the kernel wrote one, e.g. after an error). */
  readonly dump: string;
}

export class SchedExtError extends Error {
  override readonly name = "SchedExtError";
  readonly code: SchedExtErrorCode;
  /** For `busy`: the ops name of the scheduler in charge. */
  readonly running?: string;
  /** For `enable-failed`: what the BPF side recorded, when it did. */
  readonly exit?: SchedulerExit;

  constructor(code: SchedExtErrorCode, message: string, extra: { running?: string; exit?: SchedulerExit; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    if (extra.running !== undefined) this.running = extra.running;
    if (extra.exit !== undefined) this.exit = extra.exit;
  }
}
