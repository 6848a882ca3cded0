// Boots the guest once under QEMU: the first serial port is the console,
// streamed to our stdout as it comes; the second goes to a file where the
// guest's /init writes the exit status of the test command. A timeout stops
// QEMU (SIGTERM, then SIGKILL) and the run fails saying so.
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Accel } from "./host.ts";

export interface BootOptions {
  qemu: string;
  kernel: string;
  initrd: string;
  accel: Accel;
  memoryMb: number;
  timeoutMs: number;
  /** Show the kernel's boot messages instead of booting `quiet`. */
  verbose: boolean;
  /** The whole console output is also written here. */
  consoleLog: string;
  statusFile: string;
}

export interface BootResult {
  /** Exit status of the guest's test command; null when the guest never reported one. */
  status: number | null;
  timedOut: boolean;
  /** The signal that made us stop QEMU early, if any. */
  interrupted: NodeJS.Signals | null;
  /** Set when the console showed a kernel panic. */
  panicked: boolean;
  qemuExit: number | null;
  /** `uname -r` as the guest printed it. */
  guestKernel: string | null;
  passed: number | null;
  failed: number | null;
  /** The JSON objects of the guest's `corpus-result {...}` lines, in order. */
  corpusResults: Record<string, unknown>[];
  elapsedMs: number;
}

const STATUS_RE = /BPFKIT_VM_STATUS=(\d+)/;
// bun test's closing counts, e.g. " 3 pass" / " 0 fail".
const PASS_RE = /^\s*(\d+) pass$/;
const FAIL_RE = /^\s*(\d+) fail$/;
const ANSI_RE = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** A corpus test's one line per object (tests/vm/tests/corpus-*.test.ts). */
const CORPUS_RESULT_RE = /^corpus-result (\{.*\})\s*$/;

export function qemuCommand(o: BootOptions): string[] {
  const append = [
    "console=ttyS0",
    // A panic or oops ends the VM at once (with -no-reboot) instead of hanging until the timeout.
    "panic=-1",
    "oops=panic",
    o.verbose ? "loglevel=7" : "quiet",
  ];
  const cpu =
    o.accel === "kvm"
      ? ["-accel", "kvm", "-cpu", "host", "-smp", "2"]
      : // Two vCPUs, round-robin on one host thread: scx_pair needs an even CPU count, and
        // multi-threaded TCG with two vCPUs oopsed now and then. -cpu max for AVX2, which Bun needs.
        ["-accel", "tcg,thread=single", "-cpu", "max", "-smp", "2"];
  return [
    o.qemu,
    "-nodefaults",
    "-no-user-config",
    "-no-reboot",
    "-display",
    "none",
    "-machine",
    "q35",
    ...cpu,
    "-m",
    String(o.memoryMb),
    "-kernel",
    o.kernel,
    "-initrd",
    o.initrd,
    "-append",
    append.join(" "),
    "-chardev",
    "stdio,id=console,signal=off",
    "-serial",
    "chardev:console",
    "-serial",
    `file:${o.statusFile}`,
  ];
}

export async function boot(o: BootOptions): Promise<BootResult> {
  rmSync(o.statusFile, { force: true });
  writeFileSync(o.consoleLog, "");
  const started = performance.now();
  const proc = Bun.spawn(qemuCommand(o), { stdin: "ignore", stdout: "pipe", stderr: "inherit" });

  let timedOut = false;
  let interrupted: NodeJS.Signals | null = null;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    proc.kill("SIGTERM");
    killTimer = setTimeout(() => proc.kill("SIGKILL"), 5000);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    console.log(`\nvm: timed out after ${Math.round(o.timeoutMs / 1000)} s (BPFKIT_VM_TIMEOUT); stopping QEMU`);
    stop();
  }, o.timeoutMs);
  // Ctrl-C or a CI cancel must not leave QEMU running.
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = sig;
    stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const result = {
    guestKernel: null as string | null,
    passed: null as number | null,
    failed: null as number | null,
    panicked: false,
    corpusResults: [] as Record<string, unknown>[],
  };
  const decoder = new TextDecoder();
  let partial = "";
  const onLine = (raw: string) => {
    const line = raw.replace(ANSI_RE, "");
    const kernel = /^VM kernel: (\S+)/.exec(line);
    if (kernel) result.guestKernel = kernel[1]!;
    const pass = PASS_RE.exec(line);
    if (pass) result.passed = Number(pass[1]);
    const fail = FAIL_RE.exec(line);
    if (fail) result.failed = Number(fail[1]);
    if (line.includes("Kernel panic")) result.panicked = true;
    const corpus = CORPUS_RESULT_RE.exec(line);
    if (corpus) {
      try {
        result.corpusResults.push(JSON.parse(corpus[1]!) as Record<string, unknown>);
      } catch {
        // A line the kernel interleaved with: the test itself still fails or passes on its own.
        console.log(`vm: unreadable corpus-result line: ${line}`);
      }
    }
  };
  for await (const chunk of proc.stdout) {
    // The guest tty turns \n into \r\n; CI logs want plain lines.
    const text = decoder.decode(chunk, { stream: true }).replaceAll("\r", "");
    process.stdout.write(text);
    appendFileSync(o.consoleLog, text);
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  }
  if (partial) onLine(partial);
  const qemuExit = await proc.exited;
  clearTimeout(timer);
  clearTimeout(killTimer);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);

  const reported = existsSync(o.statusFile) ? STATUS_RE.exec(readFileSync(o.statusFile, "utf8")) : null;
  return {
    status: reported ? Number(reported[1]) : null,
    timedOut,
    interrupted,
    panicked: result.panicked,
    qemuExit,
    guestKernel: result.guestKernel,
    passed: result.passed,
    failed: result.failed,
    corpusResults: result.corpusResults,
    elapsedMs: performance.now() - started,
  };
}
