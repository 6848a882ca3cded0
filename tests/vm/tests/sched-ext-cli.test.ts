// `bpfkit sched-ext` on the 7.x guest, as a user runs it: `run` on the kernel's own scx_simple
// (built by the corpus tier, shipped at /corpus) enables it as "simple", stops after --for and
// hands the machine back (exit 0, sched_ext "disabled"); `state` reports what sched_ext's sysfs says.
import { describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

const inVm = process.env.BPFKIT_VM === "1";
const MANIFEST = "/corpus/manifest.json";
const UNAVAILABLE = "/corpus/unavailable.txt";
const CLI = "/repo/packages/cli/src/cli.ts";
const STATE = "/sys/kernel/sched_ext/state";

function simplePath(): { path: string } | { missing: string } {
  if (!existsSync(MANIFEST)) return { missing: existsSync(UNAVAILABLE) ? readFileSync(UNAVAILABLE, "utf8").trim() : `the harness put no corpus in the guest (${MANIFEST} is missing)` };
  const m = JSON.parse(readFileSync(MANIFEST, "utf8")) as { objects: { name: string; set: string; path?: string }[] };
  const o = m.objects.find((x) => x.set === "sched_ext" && x.name === "scx_simple" && x.path);
  return o ? { path: o.path! } : { missing: `${MANIFEST} lists no scx_simple object` };
}

const kernelState = (): string => readFileSync(STATE, "utf8").trim();

/** Runs the CLI to completion; stdout split into lines. */
function bpfkit(
  args: string[],
  timeoutMs: number,
  onEnabled: (child: ReturnType<typeof spawn>) => void = () => undefined,
): Promise<{ status: number | null; lines: string[]; stderr: string; stateWhileRunning: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const stateWhileRunning: string[] = [];
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      // Sampled as soon as the CLI says "enabled": the kernel's view, not the CLI's.
      if (out.includes('"event":"enabled"') && stateWhileRunning.length === 0) {
        stateWhileRunning.push(kernelState(), readFileSync("/sys/kernel/sched_ext/root/ops", "utf8").trim());
        onEnabled(child);
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`bpfkit ${args.join(" ")} did not finish within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, lines: out.split("\n").filter((l) => l !== ""), stderr: err, stateWhileRunning });
    });
  });
}

describe.skipIf(!inVm)("bpfkit sched-ext (7.x guest)", () => {
  const found = inVm ? simplePath() : { missing: "not in the VM" };
  if ("missing" in found) {
    (process.env.BPFKIT_REQUIRE_KERNEL === "1" ? test : test.skip)(`corpus available: ${found.missing}`, () => {
      throw new Error(`no sched_ext corpus in the guest: ${found.missing}`);
    });
    return;
  }

  test("state --json while nothing runs: disabled, no ops, enable_seq as sysfs has it", () => {
    expect(kernelState()).toBe("disabled");
    const r = spawnSync(process.execPath, [CLI, "sched-ext", "state", "--json"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(s.state).toBe("disabled");
    expect(s.ops).toBeUndefined();
    expect(s.enableSeq).toBe(readFileSync("/sys/kernel/sched_ext/enable_seq", "utf8").trim());
  });

  test("run scx_simple --for 3 --json: enabled as simple, stopped by bpfkit with SCX_EXIT_UNREG, exit 0, disabled again", async () => {
    expect(kernelState()).toBe("disabled");
    const seqBefore = BigInt(readFileSync("/sys/kernel/sched_ext/enable_seq", "utf8").trim());
    let stateJson: Record<string, unknown> = {};
    let names: string[] = [];
    const r = await bpfkit(["sched-ext", "run", found.path, "--for", "3", "--json"], 30_000, () => {
      const s = spawnSync(process.execPath, [CLI, "sched-ext", "state", "--json"], { encoding: "utf8" });
      stateJson = JSON.parse(s.stdout) as Record<string, unknown>;
      // root/ exists only while a BPF scheduler is in charge.
      names = readFileSync("/sys/kernel/sched_ext/root/events", "utf8").trim().split("\n").map((l) => l.split(/\s+/)[0] ?? "");
    });
    expect(r.stderr).toBe("");
    const events = r.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual(["enabled", "exit"]);
    expect(events[0]).toEqual({ event: "enabled", ops: "simple" });
    expect(r.stateWhileRunning).toEqual(["enabled", "simple"]);
    // `state` while it runs: the ops in charge and its event counters, as root/events lists them.
    expect(stateJson.state).toBe("enabled");
    expect(stateJson.ops).toBe("simple");
    expect(names.length).toBeGreaterThan(0);
    expect(Object.keys(stateJson.events as object)).toEqual(names);
    const exit = events[1]!;
    expect(exit.ops).toBe("simple");
    expect(exit.stoppedBy).toBe("bpfkit");
    expect(exit.kindName).toBe("SCX_EXIT_UNREG");
    // The kernel's text for SCX_EXIT_UNREG (scx_exit_reason() in kernel/sched/ext.c).
    expect(exit.reason).toBe("unregistered from user space");
    expect(r.status).toBe(0);
    expect(kernelState()).toBe("disabled");
    expect(BigInt(readFileSync("/sys/kernel/sched_ext/enable_seq", "utf8").trim())).toBe(seqBefore + 1n);
  }, 60_000);

  test("run scx_simple without --for, then SIGTERM: stopped by bpfkit, exit 0, disabled again", async () => {
    expect(kernelState()).toBe("disabled");
    const r = await bpfkit(["sched-ext", "run", found.path, "--json"], 30_000, (child) => child.kill("SIGTERM"));
    expect(r.stderr).toBe("");
    const events = r.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual(["enabled", "exit"]);
    expect(events[1]!.stoppedBy).toBe("bpfkit");
    expect(events[1]!.kindName).toBe("SCX_EXIT_UNREG");
    expect(r.status).toBe(0);
    expect(kernelState()).toBe("disabled");
  }, 60_000);
});
