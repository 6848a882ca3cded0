import { Btf, BtfBuilder } from "@bpfkit/btf";
import { ObjectError, sectionDef } from "@bpfkit/object";
import { thrown } from "@bpfkit/testing";
import { describe, expect, it } from "vitest";
import { type AttachBtfs, AttachTargetError, resolveAttachTarget } from "../src/attach-target.ts";

// A tiny "vmlinux" and a module over it, built by hand: module BTF is split BTF, so the same
// rules (vmlinux first, "module:" forms, ids continuing the base's) can be checked without modules.
function kernel(): AttachBtfs {
  const b = new BtfBuilder();
  const int = b.add({ kind: "INT", name: "int", size: 4 });
  const proto = b.add({ kind: "FUNC_PROTO", returnType: int, params: [] });
  b.add({ kind: "FUNC", name: "shared_fn", type: proto });
  b.add({ kind: "FUNC", name: "bpf_lsm_file_open", type: proto });
  b.add({ kind: "FUNC", name: "bpf_iter_task", type: proto });
  b.add({ kind: "TYPEDEF", name: "btf_trace_sched_switch", type: proto });
  b.add({ kind: "FUNC", name: "sched_switch", type: proto }); // a FUNC of the bare name: tp_btf must not take it
  const vmlinux = Btf.parse(b.build());
  const mod = (name: string, funcs: string[]) => {
    const m = new BtfBuilder({ base: vmlinux });
    const p = m.add({ kind: "FUNC_PROTO", returnType: int, params: [] });
    for (const f of funcs) m.add({ kind: "FUNC", name: f, type: p });
    return { name, btf: Btf.parse(m.build(), { base: vmlinux }) };
  };
  const p = new BtfBuilder();
  const pint = p.add({ kind: "INT", name: "int", size: 4 });
  p.add({ kind: "FUNC", name: "handler", type: p.add({ kind: "FUNC_PROTO", returnType: pint, params: [] }) });
  return { vmlinux, modules: [mod("mod_a", ["a_fn", "both_fn"]), mod("mod_b", ["both_fn", "shared_fn"])], program: Btf.parse(p.build()) };
}

const btfs = kernel();
const req = { object: "probe", program: "on_it" };
const resolve = (section: string, over: Partial<AttachBtfs> = {}, target?: string) =>
  resolveAttachTarget(sectionDef(section)!, section, { ...btfs, ...over }, { ...req, ...(target ? { target } : {}) });

describe("resolveAttachTarget", () => {
  it("looks each kind up under its BTF name and kind", () => {
    const v = btfs.vmlinux;
    expect(resolve("fentry/shared_fn")).toEqual({ attachBtfId: v.find("shared_fn", "FUNC"), lookedUp: { name: "shared_fn", kind: "FUNC" } });
    expect(resolve("tp_btf/sched_switch")?.attachBtfId).toBe(v.find("btf_trace_sched_switch", "TYPEDEF"));
    expect(resolve("lsm.s/file_open")?.attachBtfId).toBe(v.find("bpf_lsm_file_open", "FUNC"));
    expect(resolve("lsm_cgroup/file_open")?.lookedUp).toEqual({ name: "bpf_lsm_file_open", kind: "FUNC" });
    expect(resolve("iter/task")?.attachBtfId).toBe(v.find("bpf_iter_task", "FUNC"));
  });

  it("searches vmlinux first, then modules in order, naming the module it found", () => {
    expect(resolve("fexit/shared_fn")?.module).toBeUndefined();
    const a = btfs.modules![0]!.btf;
    expect(resolve("fentry/both_fn")).toMatchObject({ attachBtfId: a.find("both_fn", "FUNC"), module: "mod_a" });
    expect(resolve("fentry/mod_b:both_fn")).toMatchObject({ attachBtfId: btfs.modules![1]!.btf.findAll("both_fn", "FUNC").at(-1), module: "mod_b" });
    expect(resolve("fentry/vmlinux:shared_fn")).toMatchObject({ attachBtfId: btfs.vmlinux.find("shared_fn", "FUNC") });
    // mod_b's own shared_fn, not vmlinux's, when the module is named.
    const own = resolve("fmod_ret/mod_b:shared_fn")!;
    expect(own.module).toBe("mod_b");
    expect(own.attachBtfId).toBeGreaterThan(btfs.vmlinux.lastId);
  });

  it("takes an explicit target over the section's, and nothing for sections without BTF targets", () => {
    expect(resolve("fentry", {}, "a_fn")?.module).toBe("mod_a");
    expect(resolve("kprobe/shared_fn")).toBeUndefined();
    expect(resolve("struct_ops/x")).toBeUndefined();
    expect(resolve("fentry.multi/a_*")).toBeUndefined();
    expect(resolve("fentry.multi/mod_a:a_*")).toEqual({ attachBtfId: 0, module: "mod_a" });
  });

  it("resolves freplace in the target program's BTF", () => {
    expect(resolve("freplace/handler")?.attachBtfId).toBe(btfs.program!.find("handler", "FUNC"));
  });

  it("names program, section, what was looked up and where when the target is missing", () => {
    const e = thrown(() => resolve("tp_btf/no_such_tp"));
    expect(e).toBeInstanceOf(AttachTargetError);
    expect(e).toBeInstanceOf(ObjectError);
    const err = e as AttachTargetError;
    expect(err).toMatchObject({ object: "probe", program: "on_it", section: "tp_btf/no_such_tp", target: "no_such_tp", searched: ["vmlinux", "mod_a", "mod_b"] });
    expect(err.lookedUp).toEqual({ name: "btf_trace_no_such_tp", kind: "TYPEDEF" });
    expect(err.message).toContain('program "on_it"');
    expect(err.message).toContain('no TYPEDEF "btf_trace_no_such_tp" in BTF of vmlinux, mod_a, mod_b');
    expect(err.hint).toContain("raw tracepoint name");
  });

  it("refuses missing, empty, module-less and misplaced targets", () => {
    expect((thrown(() => resolve("fentry")) as AttachTargetError).message).toContain('write SEC("fentry/<name>")');
    expect((thrown(() => resolve("fentry/")) as AttachTargetError).target).toBe("");
    expect((thrown(() => resolve("fentry/mod_c:a_fn")) as AttachTargetError).message).toContain('module "mod_c" has no BTF loaded (loaded: mod_a, mod_b)');
    expect((thrown(() => resolve("fentry.multi/mod_c:x")) as AttachTargetError).message).toContain('module "mod_c"');
    // A vmlinux function named through a module: libbpf would pass the module's BTF and the kernel would refuse it.
    expect((thrown(() => resolve("fentry/mod_a:shared_fn")) as AttachTargetError).searched).toEqual(["mod_a"]);
    expect((thrown(() => resolve("fentry/vmlinux:a_fn")) as AttachTargetError).searched).toEqual(["vmlinux"]);
    expect((thrown(() => resolve("fentry/a_fn", { modules: [] })) as AttachTargetError).message).toContain("vmlinux BTF (no module BTF loaded)");
    expect((thrown(() => resolve("freplace/handler", { program: undefined })) as AttachTargetError).message).toContain("needs the program it replaces");
    expect((thrown(() => resolve("freplace/nope")) as AttachTargetError).searched).toEqual(["target program"]);
  });
});
