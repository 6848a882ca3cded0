import { execFileSync } from "node:child_process";
import { Btf, BtfBuilder } from "@bpfkit/btf";
import { BpfObject, ObjectError } from "@bpfkit/struct-ops";
import { BpfError, fdById, mapInfo, mapLookup, progTestRun } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel, thrown } from "@bpfkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HeldLoad, libbpf18, libbpfLoad } from "../../object/test/support/libbpf18.ts";
import { resolveKsym } from "../src/ksym.ts";
import { fixture } from "./support/paths.ts";

const FLAVOURS = fixture("flavours");
const ref = libbpf18();
if (ref.reason) console.log(`skipping the libbpf 1.8 comparisons of flavours.bpf.o: ${ref.reason}`);

/** `bpftool prog dump xlated id N` with map ids normalised (they differ between any two loads). */
function xlated(bpftool: string, id: number): string {
  return execFileSync(bpftool, ["prog", "dump", "xlated", "id", String(id)], { encoding: "utf8" }).replace(/map\[id:\d+\]/g, "map[id:N]");
}

/** A map's only value, read by id (the object holding it lives in another process). */
function valueById(id: number): Uint8Array {
  using fd = fdById("map", id)!;
  const value = new Uint8Array(new ArrayBuffer(mapInfo(fd.value).valueSize));
  mapLookup(fd.value, new Uint8Array(4), value);
  return value;
}

describeKernel("extern flavours resolve as libbpf 1.8 resolves them", () => {
  checkFdLeaks();

  it("bpfkit: each kfunc flavour by its essential name and prototype, variables by their whole name", () => {
    using obj = BpfObject.open(FLAVOURS);
    obj.load();
    expect(obj.program("pick_flavours").testRun().retval).toBe(0);
    const bss = obj.data(".bss");
    const seen = Object.fromEntries(bss.variables.map((v) => [v.name, bss.get(v.name)]));
    expect(seen).toEqual({
      have_a: 1, // bpf_rcu_read_lock___a → bpf_rcu_read_lock
      have_b: 1, // another flavour of it, resolved on its own
      have_args: 0, // the prototype has a parameter the kernel's lacks
      have_ret: 0, // returns int where the kernel's returns void
      have_compat: 0, // essential name bpf_rcu_read_lock___a: no such kfunc
      have_none: 0,
      have_create: 1,
      have_typed: 0, // bpf_prog_active exists, bpf_prog_active___v1 does not
      have_typeless: 0, // _stext exists, _stext___v1 does not
      lock_path: 4, // the first existing flavour in the compat chain
      created: 1,
    });
  });

  it("a weak typed ksym must still fit the kernel's type, while a weak kfunc that does not fit is missing", () => {
    // libbpf 1.8 refuses the load ("extern (var ksym) 'bpf_prog_active': incompatible types")
    // for a __weak variable, but treats a __weak kfunc flavour that does not fit as absent.
    const b = new BtfBuilder();
    const long = b.add({ kind: "INT", name: "long", size: 8 });
    const notInt = b.add({ kind: "STRUCT", name: "bpfkit_not_int", size: 16, members: [{ name: "a", type: long, bitOffset: 0 }] });
    const proto = b.add({ kind: "FUNC_PROTO", returnType: long, params: [] });
    const func = b.add({ kind: "FUNC", name: "bpf_rcu_read_lock___long", type: proto, linkage: 2 });
    const local = Btf.parse(b.build());
    const err = thrown(() => resolveKsym({ name: "bpf_prog_active", kind: "ksym", weak: true, localType: notInt }, local, "km", "f"));
    expect(err).toBeInstanceOf(ObjectError);
    expect((err as Error).message).toMatch(/ksym variable "bpf_prog_active" is declared unlike the kernel's: its type is STRUCT bpfkit_not_int here but INT int in the kernel/);
    expect(resolveKsym({ name: "bpf_rcu_read_lock___long", kind: "kfunc", weak: true, localType: func }, local, "km", "f")).toEqual({ kind: "missing" });
  });

  describe.skipIf(ref.reason !== undefined)("against libbpf 1.8 on the same object", () => {
    let theirs: HeldLoad;
    beforeAll(async () => {
      theirs = await libbpfLoad(ref.libbpfDir!, FLAVOURS);
    });
    afterAll(async () => {
      await theirs?.release();
    });

    it("the same values after a run, and the same xlated code", () => {
      if (!theirs.result.ok) throw new Error(`libbpf failed to load flavours.bpf.o: ${theirs.result.log.slice(-2000)}`);
      const prog = theirs.result.programs.find((p) => p.name === "pick_flavours")!;
      const bssMap = theirs.result.maps.find((m) => m.name === "flavours.bss")!;
      {
        using fd = fdById("prog", prog.id)!;
        expect(progTestRun(fd.value).retval).toBe(0);
      }
      using obj = BpfObject.open(FLAVOURS);
      obj.load();
      obj.program("pick_flavours").testRun();
      expect(obj.data(".bss").read()).toEqual(valueById(bssMap.id));
      expect(xlated(ref.bpftool!, obj.program("pick_flavours").info().id)).toBe(xlated(ref.bpftool!, prog.id));
    });

    it("a reachable call to a missing flavour is the helper call libbpf makes of it: 2002000000 + its extern index", async () => {
      const held = await libbpfLoad(ref.libbpfDir!, FLAVOURS, ["--autoload", "call_missing"]);
      await held.release();
      expect(held.result.ok).toBe(false);
      // libbpf numbers the externs it collected, and turns the kernel's complaint about the
      // poisoned call back into the extern's name only when the call's imm is its own value.
      const index = Number(/extern \(ksym\) #(\d+): symbol \d+, name bpf_rcu_read_lock___a___compat\n/.exec(held.result.log)?.[1]);
      expect(held.result.log).toContain("kfunc 'bpf_rcu_read_lock___a___compat' is referenced but wasn't resolved");
      using obj = BpfObject.open(FLAVOURS);
      obj.program("call_missing").autoload = true;
      const err = thrown(() => obj.load());
      expect(err).toBeInstanceOf(BpfError);
      expect((err as BpfError).log).toContain(`invalid func unknown#${2002000000 + index}\n`);
    });
  });
});
