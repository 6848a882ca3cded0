import { type SchedExtStatus, SchedExtSysfs, Scheduler, type SchedulerExit } from "@bpfkit/sched-ext";
import { UsageError } from "../args.ts";
import type { Command, Io } from "../command.ts";
import { toJson } from "../json.ts";

const state: Command = {
  name: "sched-ext state",
  usage: "sched-ext state [--json]",
  summary: "print sched_ext's state, the ops in charge, enable_seq, nr_rejected and the scheduler's events",
  help: [
    "Reads /sys/kernel/sched_ext: state, root/ops (only while a BPF scheduler is in charge),",
    "enable_seq, nr_rejected, switch_all and root/events. Fields the kernel does not have are left out.",
    "A kernel without sched_ext (CONFIG_SCHED_CLASS_EXT) is an error (exit 1).",
  ].join("\n"),
  options: { json: { type: "boolean" } },
  run(args, io) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const status = new SchedExtSysfs().status();
    if (args.values.json) io.out(toJson(status));
    else printStatus(io, status);
    return 0;
  },
};

function printStatus(io: Io, s: SchedExtStatus): void {
  io.out(`state        ${s.state}`);
  if (s.ops !== undefined) io.out(`ops          ${s.ops}`);
  if (s.enableSeq !== undefined) io.out(`enable_seq   ${s.enableSeq}`);
  if (s.nrRejected !== undefined) io.out(`nr_rejected  ${s.nrRejected}`);
  if (s.switchAll !== undefined) io.out(`switch_all   ${s.switchAll ? 1 : 0}`);
  if (s.events) for (const [name, n] of Object.entries(s.events)) io.out(`  ${name.padEnd(36)} ${n}`);
}

/** --for SECONDS: a positive number (fractions allowed). */
function seconds(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`--for wants a positive number of seconds, got "${raw}"`);
  return n;
}

type Why = "signal" | "timer" | "exited";

const run: Command = {
  name: "sched-ext run",
  usage: "sched-ext run OBJ [--for SECONDS] [--json]",
  summary: "run the sched_ext scheduler in OBJ until SIGINT/SIGTERM or --for seconds, then hand the machine back",
  help: [
    "Opens OBJ as the kernel's C loaders do (enums from kernel BTF, hotplug_seq, ops members the kernel",
    "lacks cleared with a warning), loads, registers and waits until sched_ext reports it enabled:",
    '  scheduler "simple" enabled',
    "It stays in the foreground. On SIGINT or SIGTERM, or after --for seconds, it unregisters, waits",
    "until sched_ext is disabled again and prints the exit kind, reason and message.",
    'With --json every line is one event: {"event":"enabled","ops":...}, {"event":"exit",...}.',
    "Exit status: 0 when bpfkit stopped it; 1 when it failed to load or enable, or the kernel ejected",
    "it (the exit line says why); 2 for a usage error.",
    "",
    "Example (as root, on a kernel with sched_ext):",
    "  bpfkit sched-ext run scx_simple.bpf.o --for 3",
  ].join("\n"),
  options: { for: { type: "string" }, json: { type: "boolean" } },
  async run(args, io) {
    const [path] = args.positionals;
    if (!path) throw new UsageError("missing OBJ");
    if (args.positionals.length > 1) throw new UsageError(`one OBJ only (got ${args.positionals.length})`);
    const forSeconds = seconds(args.values.for as string | undefined);
    const json = args.values.json === true;
    await using sched = Scheduler.open(path);
    for (const w of sched.warnings) io.err(`warning: ${w}`);
    await sched.attach();
    io.out(json ? toJson({ event: "enabled", ops: sched.name }) : `scheduler "${sched.name}" enabled`);

    let wake: (why: Why) => void = () => undefined;
    const stopRequested = new Promise<Why>((r) => {
      wake = r;
    });
    const onSignal = (): void => wake("signal");
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const timer = forSeconds === undefined ? undefined : setTimeout(() => wake("timer"), forSeconds * 1000);
    let why: Why;
    let exit: SchedulerExit | undefined;
    try {
      why = await Promise.race([stopRequested, sched.exited.then((): Why => "exited")]);
      exit = why === "exited" ? await sched.exited : await sched.stop();
    } finally {
      if (timer) clearTimeout(timer);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    const stoppedBy = why === "exited" ? "kernel" : "bpfkit";
    printExit(io, json, sched.name, stoppedBy, exit);
    return why === "exited" ? 1 : 0;
  },
};

function printExit(io: Io, json: boolean, ops: string, stoppedBy: string, exit: SchedulerExit | undefined): void {
  const kind = exit?.kindName ?? String(exit?.kind ?? 0);
  if (json) {
    io.out(toJson({ event: "exit", ops, stoppedBy, kind: exit?.kind ?? 0, kindName: exit?.kindName ?? null, exitCode: exit?.exitCode ?? 0n, reason: exit?.reason ?? "", msg: exit?.msg ?? "" }));
    return;
  }
  const msg = exit?.msg ? ` (${exit.msg})` : "";
  io.out(`scheduler "${ops}" exited (stopped by ${stoppedBy}): ${kind}: ${exit?.reason ?? ""}${msg}`);
}

export const schedExtCommands: readonly Command[] = [state, run];
