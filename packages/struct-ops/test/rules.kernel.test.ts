import { BpfObject, ObjectError, StructOpsError } from "@bpfkit/struct-ops";
import { describeKernel, trackCreated, waitGone } from "@bpfkit/testing";
import { describe, expect, it } from "vitest";
import { availableCCs, fixture } from "./support/paths.ts";

/** Loads bad_struct_ops with only `enable` created; returns what load() threw. */
function loadOnly(...enable: string[]): unknown {
  const obj = BpfObject.open(fixture("bad_struct_ops"));
  for (const v of enable) obj.structOps(v).autocreate = true;
  try {
    obj.load();
    return undefined;
  } catch (e) {
    return e;
  } finally {
    obj.close();
  }
}

describeKernel("struct_ops matching rules, each refused with a StructOpsError naming it", () => {
  const cases: [variable: string, rule: string, member: string | undefined, message: RegExp][] = [
    ["extra_nonzero", "missing-member-nonzero", "bpfkit_extra", /has no member "bpfkit_extra"; it may only be left zero/],
    ["extra_fn", "missing-member-program", "bpfkit_hook", /no member "bpfkit_hook", but a program is set/],
    ["kind_mismatch", "kind-mismatch", "flags", /local member is PTR but the kernel's is INT/],
    ["size_mismatch", "size-mismatch", "flags", /local member is 8 bytes, the kernel's is 4/],
    ["bitfield", "bitfield", "flags", /bitfield/],
    ["unknown_type", "unknown-kernel-type", undefined, /the kernel has no struct bpfkit_nosuch_ops/],
    ["not_struct_ops", "not-struct-ops", undefined, /no bpf_struct_ops_sock_common/],
  ];
  for (const [variable, rule, member, message] of cases) {
    it(`${rule}: ${variable}`, () => {
      const err = loadOnly(variable);
      expect(err).toBeInstanceOf(StructOpsError);
      const e = err as StructOpsError;
      expect(e.code).toBe(rule);
      expect(e.map).toBe(variable);
      expect(e.member).toBe(member);
      expect(e.kernelType).toBeDefined();
      expect(e.message).toMatch(message);
    });
  }

  it("program-reuse: one program in different members of two maps", () => {
    const e = loadOnly("reuse_a", "reuse_b") as StructOpsError;
    expect(e).toBeInstanceOf(StructOpsError);
    expect(e.code).toBe("program-reuse");
    expect(e.member).toBe("undo_cwnd");
  });

  it("a member the kernel lacks is fine while zero: the map registers", () => {
    using obj = BpfObject.open(fixture("bad_struct_ops"));
    obj.structOps("extra_zero").autocreate = true;
    obj.load();
    obj.attach();
    expect(availableCCs()).toContain("bk_extra0");
  });

  it("unreferenced-program: a struct_ops program no variable uses", () => {
    const obj = BpfObject.open(fixture("unreferenced"));
    let err: unknown;
    try {
      obj.load();
    } catch (e) {
      err = e;
    }
    obj.close();
    expect(err).toBeInstanceOf(StructOpsError);
    expect((err as StructOpsError).code).toBe("unreferenced-program");
    expect((err as Error).message).toMatch(/"orphan_ssthresh".*autoload = false/);
    // ...and the way out the message names works.
    using ok = BpfObject.open(fixture("unreferenced"));
    ok.program("orphan_ssthresh").autoload = false;
    ok.load();
  });
});

describe("function slots must hold struct_ops programs", () => {
  it("refuses, at open, an object whose slot points at a SEC(\"syscall\") program", () => {
    expect(() => BpfObject.open(fixture("bad_slot"))).toThrow(ObjectError);
    expect(() => BpfObject.open(fixture("bad_slot"))).toThrow(/member "ssthresh" points at "not_ops" \(section syscall\)/);
  });

  it("refuses the same from TypeScript, with the rule named", () => {
    const obj = BpfObject.open(fixture("assoc"));
    const e = (() => {
      try {
        obj.structOps("assoc_cc").setProgram("init", obj.program("count_runs"));
      } catch (err) {
        return err;
      }
    })() as StructOpsError;
    expect(e).toBeInstanceOf(StructOpsError);
    expect(e.code).toBe("not-struct-ops-program");
    expect(e.member).toBe("init");
  });
});

describeKernel("kfunc externs are checked against the kernel's prototypes", () => {
  const cases: [variable: string, message: RegExp][] = [
    ["uses_extra", /kfunc "tcp_reno_ssthresh" is declared unlike the kernel's: it takes 2 parameter\(s\) here but 1 in the kernel/],
    ["uses_fwd", /kfunc "tcp_reno_undo_cwnd" .*parameter 1 \(sk\) \(pointed to\) is FWD tcp_sock here but STRUCT sock in the kernel/],
  ];
  for (const [variable, message] of cases) {
    it(`refuses ${variable} before the kernel sees the program, releasing what load created`, async () => {
      const obj = BpfObject.open(fixture("bad_kfunc"));
      obj.structOps(variable).autocreate = true;
      const { ids, error } = trackCreated(() => obj.load());
      obj.close();
      expect(error).toBeInstanceOf(ObjectError);
      expect((error as ObjectError).subject).toMatch(/^program "/);
      expect((error as Error).message).toMatch(message);
      expect(ids.prog).toEqual([]); // refused before PROG_LOAD
      expect(await waitGone("map", ids.map)).toEqual([]);
      expect(await waitGone("btf", ids.btf)).toEqual([]);
    });
  }
});
