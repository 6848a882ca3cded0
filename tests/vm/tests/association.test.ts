// BPF_PROG_ASSOC_STRUCT_OPS (Linux 7.0+) through bpfkit's public API, every outcome the kernel
// defines. The host kernel (6.18) only shows UnsupportedFeatureError; this proves the rest.
import { describe, expect, test } from "bun:test";
import { BpfObject, StateError } from "@bpfkit/struct-ops";
import { BpfError, hasProgAssocStructOps, progAssocStructOps } from "@bpfkit/syscall";

const inVm = process.env.BPFKIT_VM === "1";
const fixture = (name: string) => `/repo/fixtures/${name}.bpf.o`;

describe.skipIf(!inVm)("association with struct_ops maps (7.x)", () => {
  test("the probe sees the command", () => {
    expect(hasProgAssocStructOps()).toBe(true);
  });

  test("a syscall program: same map twice is fine, another struct_ops map is EBUSY", () => {
    using a = BpfObject.open(fixture("assoc"));
    using other = BpfObject.open(fixture("two_cc"));
    a.load();
    other.load();
    const prog = a.program("count_runs");
    const map = a.structOps("assoc_cc");
    prog.assocStructOps(map);
    prog.assocStructOps(map); // idempotent for the same map
    let err: unknown;
    try {
      prog.assocStructOps(other.structOps("cc_a"));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BpfError);
    expect((err as BpfError).code).toBe("EBUSY");
    expect((err as BpfError).hint).toMatch(/already associated with a different struct_ops map/);
  });

  test("a map that is not struct_ops, a struct_ops program, and non-zero flags are refused", () => {
    using a = BpfObject.open(fixture("assoc"));
    a.load();
    const prog = a.program("count_runs");
    const map = a.structOps("assoc_cc");
    const notOps = a.data(".bss");
    const e1 = (() => {
      try {
        progAssocStructOps(prog.fd.value, notOps.fd.value);
      } catch (e) {
        return e as BpfError;
      }
    })();
    expect(e1?.code).toBe("EINVAL");
    expect(e1?.hint).toMatch(/must be a struct_ops map/);
    // bpfkit refuses a struct_ops program before asking; the raw call shows the kernel agrees.
    expect(() => a.program("assoc_ssthresh").assocStructOps(map)).toThrow(StateError);
    const e2 = (() => {
      try {
        progAssocStructOps(a.program("assoc_ssthresh").fd.value, map.fd.value);
      } catch (e) {
        return e as BpfError;
      }
    })();
    expect(e2?.code).toBe("EINVAL");
    const e3 = (() => {
      try {
        progAssocStructOps(prog.fd.value, map.fd.value, 1);
      } catch (e) {
        return e as BpfError;
      }
    })();
    expect(e3?.code).toBe("EINVAL");
    expect(e3?.hint).toMatch(/flags must be 0 \(got 1\)/);
  });

  test("a program associates with a registered congestion control's map", () => {
    using a = BpfObject.open(fixture("assoc"));
    a.load();
    const [link] = a.attach();
    expect(link?.info().structOpsMapId).toBe(a.structOps("assoc_cc").info().id);
    a.program("count_runs").assocStructOps(a.structOps("assoc_cc"));
    // The association holds in the kernel: a different map is now refused.
    using other = BpfObject.open(fixture("two_cc"));
    other.load();
    expect(() => a.program("count_runs").assocStructOps(other.structOps("cc_b"))).toThrow(/EBUSY/);
  });

  test("load({ assocStructOps: true }) associates every non-struct_ops program", () => {
    using a = BpfObject.open(fixture("assoc"));
    a.load({ assocStructOps: true });
    using other = BpfObject.open(fixture("two_cc"));
    other.load();
    // Already associated at load: another map is refused, the same one accepted.
    expect(() => a.program("count_runs").assocStructOps(other.structOps("cc_a"))).toThrow(/EBUSY/);
    a.program("count_runs").assocStructOps(a.structOps("assoc_cc"));
  });
});
