// A sched_ext scheduler driven as the kernel's C loaders drive theirs (SCX_OPS_OPEN / SCX_OPS_LOAD /
// SCX_OPS_ATTACH in tools/sched_ext/include/scx/compat.h): compat fixes at open, exit-info sizing and
// program association at load, a refusal when another scheduler runs, and the exit info when it leaves.
import type { Btf } from "@bpfkit/btf";
import { kernelBtf } from "@bpfkit/kernel";
import { BpfObject, type Link, type OpenOptions, type StructOpsMap } from "@bpfkit/struct-ops";
import { hasProgAssocStructOps, ProgType } from "@bpfkit/syscall";
import { importEnums } from "./enums.ts";
import { SchedExtError, type SchedulerExit } from "./errors.ts";
import { SchedExtSysfs } from "./sysfs.ts";
import { exitKindName, findUei, readUei, UEI_DUMP_DEFAULT_LEN, type UeiLayout } from "./uei.ts";

const OPS_TYPE = "sched_ext_ops";
const POLL_MS = 20;

export interface SchedulerOptions extends Pick<OpenOptions, "name"> {
  /**
   * ops.timeout_ms (the watchdog). Defaults to the SCX_TIMEOUT_MS environment variable when set
   * (as scx's loaders honour it), else the object's own value.
   */
  readonly timeoutMs?: number;
  /** The kernel BTF to check the ops and read enums from; defaults to /sys/kernel/btf/vmlinux. */
  readonly kernelBtf?: Btf;
  /** sched_ext's sysfs directory; defaults to /sys/kernel/sched_ext. */
  readonly sysfs?: string;
  /** The environment SCX_TIMEOUT_MS is read from; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface AttachOptions {
  /** How long to wait for sched_ext to report "enabled" (default 10 s). */
  readonly enableTimeoutMs?: number;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function timeoutFrom(options: SchedulerOptions): number | undefined {
  if (options.timeoutMs !== undefined) {
    if (!Number.isSafeInteger(options.timeoutMs) || options.timeoutMs < 0) {
      throw new SchedExtError("bad-timeout", `timeoutMs must be a whole number of milliseconds >= 0, got ${options.timeoutMs}`);
    }
    return options.timeoutMs;
  }
  const raw = (options.env ?? process.env).SCX_TIMEOUT_MS;
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d+$/.test(raw.trim())) throw new SchedExtError("bad-timeout", `SCX_TIMEOUT_MS must be a whole number of milliseconds, got "${raw}": fix or unset it`);
  return Number(raw.trim());
}

function isZero(v: unknown): boolean {
  return v === 0 || v === 0n;
}

export class Scheduler implements AsyncDisposable, Disposable {
  readonly object: BpfObject;
  /** The object's sched_ext_ops struct_ops map. */
  readonly ops: StructOpsMap;
  /** One line per ops member the running kernel lacks that was cleared (as the C loaders warn). */
  readonly warnings: string[] = [];
  /** Debug notes: `__SCX_*` constants the kernel has no enumerator for (left as compiled), skipped steps. */
  readonly notes: string[] = [];
  /** The `__SCX_*` constants set from kernel BTF, with their values. */
  readonly enums: ReadonlyMap<string, bigint>;
  /** Programs associated with the ops map at load (BPF_PROG_ASSOC_STRUCT_OPS), by name. */
  readonly associated: string[] = [];
  readonly #btf: Btf;
  readonly #sysfs: SchedExtSysfs;
  readonly #uei: UeiLayout | undefined;
  #link: Link | undefined;
  #exited: Promise<SchedulerExit> | undefined;

  private constructor(object: BpfObject, ops: StructOpsMap, btf: Btf, sysfs: SchedExtSysfs, enums: ReadonlyMap<string, bigint>) {
    this.object = object;
    this.ops = ops;
    this.#btf = btf;
    this.#sysfs = sysfs;
    this.enums = enums;
    this.#uei = findUei(object);
  }

  /**
   * Opens a scheduler object (a path or its bytes) and applies what SCX_OPS_OPEN does: refuses a
   * kernel without sched_ext or too old for it, sets hotplug_seq, imports the `__SCX_*` enums,
   * clears ops members the kernel lacks (one warning each), and applies SCX_TIMEOUT_MS.
   */
  static open(source: string | Uint8Array, options: SchedulerOptions = {}): Scheduler {
    const sysfs = new SchedExtSysfs(options.sysfs);
    if (!sysfs.present) {
      throw new SchedExtError("no-sched-ext", `this kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT): ${sysfs.root} is absent; boot a kernel built with it`);
    }
    const btf = options.kernelBtf ?? kernelBtf();
    const opsType = btf.find(OPS_TYPE, "STRUCT");
    if (opsType === undefined) {
      throw new SchedExtError("no-sched-ext", `this kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT): its BTF has no struct ${OPS_TYPE}`);
    }
    if (!btf.member(opsType, "dump")) {
      throw new SchedExtError("too-old", `the kernel's ${OPS_TYPE} has no "dump" member: sched_ext on this kernel is too old for these schedulers (need Linux 6.12+)`);
    }
    const timeout = timeoutFrom(options);
    const openOptions = options.name === undefined ? {} : { name: options.name };
    const object = typeof source === "string" ? BpfObject.open(source, openOptions) : BpfObject.fromBytes(source, openOptions);
    try {
      const candidates = object.structOpsMaps.filter((m) => m.kernelTypeName === OPS_TYPE);
      if (candidates.length === 0) {
        throw new SchedExtError("no-ops", `object "${object.name}" has no ${OPS_TYPE} struct_ops map (SEC(".struct_ops.link") struct ${OPS_TYPE} ...): not a sched_ext scheduler`);
      }
      if (candidates.length > 1) {
        throw new SchedExtError("several-ops", `object "${object.name}" has ${candidates.length} ${OPS_TYPE} maps (${candidates.map((m) => m.name).join(", ")}); a scheduler has one`);
      }
      const ops = candidates[0]!;
      if (ops.members.some((m) => m.name === "hotplug_seq")) ops.setField("hotplug_seq", sysfs.hotplugSeq());
      const imported = importEnums(object.findData(".rodata"), btf);
      const sched = new Scheduler(object, ops, btf, sysfs, imported.set);
      for (const name of imported.unknown) sched.notes.push(`${name}: the kernel has no enumerator ${name.slice(2)}; left as compiled`);
      sched.#clearMissingMembers(opsType);
      if (timeout !== undefined) ops.setField("timeout_ms", timeout);
      return sched;
    } catch (e) {
      object.close();
      throw e;
    }
  }

  /** Members of the object's ops the kernel's sched_ext_ops lacks: emptied, as the C loaders do for the ones they know. */
  #clearMissingMembers(opsType: number): void {
    for (const m of this.ops.members) {
      if (this.#btf.member(opsType, m.name)) continue;
      if (m.isFunc) {
        const prog = this.ops.program(m.name);
        if (!prog) continue;
        this.ops.setProgram(m.name, undefined);
        // A struct_ops program no slot refers to is not loaded (libbpf's rule), so it cannot fail the load.
        const stillUsed = [...this.ops.slots().values()].includes(prog);
        if (!stillUsed) prog.autoload = false;
        this.warnings.push(`the kernel's ${OPS_TYPE} has no "${m.name}": ops.${m.name}() (program "${prog.name}") cleared`);
      } else if (!m.bitfield) {
        const v = this.ops.field(m.name);
        // Only integers are cleared (sub_cgroup_id and the like); anything else is left to struct-ops' own refusal.
        if (isZero(v) || (typeof v !== "number" && typeof v !== "bigint")) continue;
        this.ops.setField(m.name, typeof v === "bigint" ? 0n : 0);
        this.warnings.push(`the kernel's ${OPS_TYPE} has no "${m.name}": ops.${m.name} (${String(v)}) cleared to 0`);
      }
    }
  }

  /** The ops name (ops.name), as /sys/kernel/sched_ext/root/ops will show it. */
  get name(): string {
    return String(this.ops.field("name"));
  }

  /** Is the scheduler registered (attached and not yet exited)? */
  get attached(): boolean {
    return this.#link !== undefined;
  }

  /**
   * SCX_OPS_LOAD: sizes the exit-info dump (ops.exit_dump_len, else 32 KiB: `<uei>_dump_len` and
   * the `.data.<uei>_dump` section), loads, then associates every non-struct_ops program with the
   * ops map where the kernel has BPF_PROG_ASSOC_STRUCT_OPS (7.0+).
   */
  load(): void {
    if (this.object.state !== "opened") throw new SchedExtError("state", `scheduler "${this.name}" is ${this.object.state}; load() needs a freshly opened one`);
    if (this.#uei) {
      const configured = Number(this.ops.field("exit_dump_len"));
      const len = configured || UEI_DUMP_DEFAULT_LEN;
      this.object.data(".rodata").set(this.#uei.dumpLenVariable, len);
      this.#uei.dump.valueSize = len;
    } else {
      this.notes.push("no UEI_DEFINE exit info in the object: exits are reported without reason or message");
    }
    this.object.load();
    const others = this.object.programs.filter((p) => p.loaded && p.type !== ProgType.STRUCT_OPS);
    if (others.length === 0) return;
    if (!hasProgAssocStructOps()) {
      this.notes.push(`the kernel has no BPF_PROG_ASSOC_STRUCT_OPS: ${others.length} program(s) not associated with "${this.ops.name}"`);
      return;
    }
    for (const p of others) {
      p.assocStructOps(this.ops);
      this.associated.push(p.name);
    }
  }

  /** The exit info the BPF side has recorded so far (kind 0: none yet). */
  exitInfo(): SchedulerExit | undefined {
    return this.#uei ? readUei(this.#uei, (k) => exitKindName(this.#btf, k)) : undefined;
  }

  /**
   * SCX_OPS_ATTACH: refuses when another scheduler is in charge ("busy"), registers the ops
   * through a struct_ops link, and waits until sched_ext reports "enabled". Loads first if needed.
   */
  async attach(options: AttachOptions = {}): Promise<void> {
    if (this.#link || this.#exited) throw new SchedExtError("state", `scheduler "${this.name}" was already attached; open a new one to run it again`);
    const state = this.#sysfs.state();
    if (state !== "disabled") {
      const running = this.#sysfs.currentOps() ?? "(unnamed)";
      throw new SchedExtError("busy", `another sched_ext scheduler is in charge: "${running}" (state ${state}); stop it before attaching "${this.name}"`, { running });
    }
    if (this.object.state === "opened") this.load();
    let link: Link;
    try {
      const links = this.object.attach();
      link = links.find((l) => l.map === this.ops)!;
    } catch (e) {
      throw this.#enableFailed("the kernel refused to enable it", e);
    }
    this.#link = link;
    const exited = this.#watch(link);
    this.#exited = exited;
    const deadline = Date.now() + (options.enableTimeoutMs ?? 10_000);
    let gone = false;
    void exited.then(() => {
      gone = true;
    });
    for (;;) {
      if (this.#sysfs.state() === "enabled" && this.#sysfs.currentOps() === this.name) return;
      if (gone || Date.now() > deadline) break;
      await delay(POLL_MS);
    }
    const why = gone ? "the kernel ejected it while enabling" : `sched_ext did not report "enabled" within ${options.enableTimeoutMs ?? 10_000} ms`;
    await this.stop().catch(() => undefined);
    throw this.#enableFailed(why);
  }

  #enableFailed(why: string, cause?: unknown): SchedExtError {
    const exit = this.exitInfo();
    const recorded = exit && exit.kind !== 0 ? `: ${exit.reason}${exit.msg ? ` (${exit.msg})` : ""}` : "";
    const errno = cause instanceof Error ? ` [${cause.message}]` : "";
    return new SchedExtError("enable-failed", `scheduler "${this.name}": ${why}${recorded}${errno}`, { ...(exit && exit.kind !== 0 ? { exit } : {}), cause });
  }

  /**
   * Settles once the link is detached or sched_ext is back to "disabled", with the recorded exit
   * info. The kernel enables synchronously within link creation, so any "disabled" seen after it
   * means this scheduler left.
   */
  async #watch(link: Link): Promise<SchedulerExit> {
    let watching = true;
    const disabled = (async () => {
      while (watching && this.#sysfs.state() !== "disabled") await delay(POLL_MS * 5);
    })();
    await Promise.race([link.detached, disabled]);
    watching = false;
    // The kernel has run ops.exit (which records the exit info) before the link is gone; the state follows.
    const deadline = Date.now() + 2_000;
    while (this.#sysfs.state() !== "disabled" && Date.now() < deadline) await delay(POLL_MS);
    this.#link = undefined;
    return this.exitInfo() ?? { kind: 0, kindName: undefined, exitCode: 0n, restart: false, exitCpu: -1, reason: "", msg: "", dump: "" };
  }

  /** Settles when the scheduler leaves (ejected by the kernel, unregistered elsewhere, or stop()). Rejects if never attached. */
  get exited(): Promise<SchedulerExit> {
    return this.#exited ?? Promise.reject(new SchedExtError("state", `scheduler "${this.name}" was never attached`));
  }

  /** Unregisters (detaches the link) and waits until sched_ext is "disabled"; returns the exit info. */
  async stop(): Promise<SchedulerExit | undefined> {
    const exited = this.#exited;
    if (!exited) return undefined;
    const link = this.#link;
    if (link) {
      try {
        link.detach();
      } catch {
        // Already detached by the kernel or someone else: exited settles either way.
      }
    }
    return exited;
  }

  /** Closes the object (and the link, unregistering when still attached). */
  close(): void {
    this.#link = undefined;
    this.object.close();
  }

  /** close(): unregisters without waiting for "disabled"; prefer `await using` for a running scheduler. */
  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.stop();
    } finally {
      this.close();
    }
  }
}
