// What Scheduler.open refuses before anything is created, and the exit-info decoding, on kernels
// described by BTF of our own (the host has no sched_ext; the VM tier runs real schedulers).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Btf, BtfBuilder } from "@bpfkit/btf";
import { BpfObject } from "@bpfkit/struct-ops";
import { afterAll, describe, expect, it } from "vitest";
import { kernelEnumerators, SchedExtError, Scheduler } from "../src/index.ts";
import { decodeUei } from "../src/uei.ts";

const FIFO = new URL("../../../examples/sched-ext/scx_fifo.bpf.o", import.meta.url).pathname;
const sysfs = mkdtempSync(join(tmpdir(), "bpfkit-sched-ext-"));
writeFileSync(join(sysfs, "hotplug_seq"), "7\n");
afterAll(() => rmSync(sysfs, { recursive: true, force: true }));

/** A kernel BTF with a sched_ext_ops of the given members and some enums. */
function kernel(members: string[]): Btf {
  const b = new BtfBuilder();
  const u64 = b.add({ kind: "INT", name: "unsigned long long", size: 8 });
  b.add({ kind: "STRUCT", name: "sched_ext_ops", size: 8 * members.length, members: members.map((name, i) => ({ name, type: u64, bitOffset: i * 64 })) });
  b.add({ kind: "ENUM", name: "small", values: [{ name: "SCX_NEG", value: -2 }, { name: "SCX_TWO", value: 2 }] });
  b.add({ kind: "ENUM64", name: "scx_dsq_id_flags", size: 8, values: [{ name: "SCX_DSQ_LOCAL", value: (1n << 63n) | 2n }] });
  return Btf.parse(b.build());
}

function refusal(f: () => unknown): SchedExtError {
  try {
    f();
  } catch (e) {
    if (e instanceof SchedExtError) return e;
    throw e;
  }
  throw new Error("not refused");
}

describe("Scheduler.open refusals", () => {
  it("no sched_ext directory: no-sched-ext, naming CONFIG_SCHED_CLASS_EXT", () => {
    const e = refusal(() => Scheduler.open(FIFO, { sysfs: join(sysfs, "absent"), kernelBtf: kernel(["dump"]) }));
    expect(e.code).toBe("no-sched-ext");
    expect(e.message).toContain("this kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT)");
  });

  it("a sched_ext_ops without dump: too-old", () => {
    const e = refusal(() => Scheduler.open(FIFO, { sysfs, kernelBtf: kernel(["enqueue", "dispatch"]) }));
    expect(e.code).toBe("too-old");
    expect(e.message).toContain('"dump"');
  });

  it("no sched_ext_ops in the kernel's BTF: no-sched-ext", () => {
    const b = new BtfBuilder();
    b.add({ kind: "INT", name: "int", size: 4 });
    expect(refusal(() => Scheduler.open(FIFO, { sysfs, kernelBtf: Btf.parse(b.build()) })).code).toBe("no-sched-ext");
  });

  it("a bad SCX_TIMEOUT_MS: bad-timeout, quoting it", () => {
    const e = refusal(() => Scheduler.open(FIFO, { sysfs, kernelBtf: kernel(["dump"]), env: { SCX_TIMEOUT_MS: "5s" } }));
    expect(e.code).toBe("bad-timeout");
    expect(e.message).toContain('"5s"');
  });
});

describe("Scheduler.open compat fixes", () => {
  it("empties every slot the kernel's sched_ext_ops lacks, one warning each; applies SCX_TIMEOUT_MS", () => {
    const set = (() => {
      using plain = BpfObject.open(FIFO);
      return [...plain.structOpsMaps[0]!.slots()].filter(([, p]) => p).map(([m]) => m);
    })();
    expect(set).toContain("enqueue");
    const kept = ["enqueue", "dispatch"];
    using sched = Scheduler.open(FIFO, { sysfs, kernelBtf: kernel(["dump", "name", "hotplug_seq", "timeout_ms", ...kept]), env: { SCX_TIMEOUT_MS: "2500" } });
    const cleared = set.filter((m) => !kept.includes(m));
    expect(cleared.length).toBeGreaterThan(0);
    expect(sched.warnings).toHaveLength(cleared.length);
    for (const m of cleared) {
      expect(sched.ops.program(m)).toBeUndefined();
      expect(sched.warnings.some((w) => w.includes(`"${m}"`))).toBe(true);
    }
    for (const m of kept) expect(sched.ops.program(m)).toBeDefined();
    expect(sched.ops.field("timeout_ms")).toBe(2500);
  });
});

describe("kernel enumerators", () => {
  it("reads ENUM (sign-extended to u64, as the C loaders store it) and ENUM64", () => {
    const t = kernelEnumerators(kernel(["dump"]));
    expect(t.get("SCX_TWO")).toBe(2n);
    expect(t.get("SCX_NEG")).toBe((1n << 64n) - 2n);
    expect(t.get("SCX_DSQ_LOCAL")).toBe((1n << 63n) | 2n);
  });
});

describe("exit info", () => {
  it("decodes kind, cpu, code, reason, msg and dump from struct user_exit_info's layout", () => {
    const rec = new Uint8Array(16 + 128 + 1024);
    const v = new DataView(rec.buffer);
    v.setInt32(0, 1024, true);
    v.setInt32(4, 1, true);
    v.setBigInt64(8, (1n << 48n) | 7n, true);
    rec.set(new TextEncoder().encode("runtime error"), 16);
    rec.set(new TextEncoder().encode("boom"), 16 + 128);
    const dump = new Uint8Array(32);
    dump.set(new TextEncoder().encode("line1\nline2"));
    const exit = decodeUei(rec, dump, (k) => (k === 1024 ? "SCX_EXIT_ERROR" : undefined));
    expect(exit).toEqual({ kind: 1024, kindName: "SCX_EXIT_ERROR", exitCpu: 1, exitCode: (1n << 48n) | 7n, restart: true, reason: "runtime error", msg: "boom", dump: "line1\nline2" });
  });

  it("refuses a record too short to be one, with a typed error", () => {
    expect(() => decodeUei(new Uint8Array(8), new Uint8Array(0), () => undefined)).toThrow(SchedExtError);
  });
});
