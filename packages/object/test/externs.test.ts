import { readFileSync } from "node:fs";
import { Btf, BtfBuilder } from "@bpfkit/btf";
import { type Extern, kernelLookupName, libbpfExternIndex, ObjectSpec, prototypeMismatch } from "@bpfkit/object";
import { describe, expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

describe("extern names", () => {
  it("a kfunc is looked up by what precedes its last ___flavour; variables by their whole name", () => {
    const f = (name: string, kind: Extern["kind"] = "kfunc") => kernelLookupName({ name, kind });
    expect(f("scx_bpf_dsq_insert___v2___compat")).toBe("scx_bpf_dsq_insert___v2");
    expect(f("scx_bpf_dsq_move_to_local___v1")).toBe("scx_bpf_dsq_move_to_local");
    expect(f("bpf_rcu_read_lock")).toBe("bpf_rcu_read_lock");
    expect(f("a____b")).toBe("a____b"); // four underscores: no flavour
    expect(f("bpf_prog_active___v1", "ksym")).toBe("bpf_prog_active___v1");
  });

  it("numbers externs as libbpf does: .kconfig ones first, then the rest by name", () => {
    // The order libbpf 1.8 printed for fixtures/flavours.bpf.o ("extern (ksym) #N: ... name X").
    const obj = ObjectSpec.parse(new Uint8Array(readFileSync(fixture("flavours"))), { name: "flavours" });
    const order = [
      "_stext___v1",
      "bpf_cpumask_create___v2",
      "bpf_cpumask_release___v2",
      "bpf_prog_active___v1",
      "bpf_rcu_read_lock___a",
      "bpf_rcu_read_lock___a___compat",
      "bpf_rcu_read_lock___args",
      "bpf_rcu_read_lock___b",
      "bpf_rcu_read_unlock",
      "bpf_rcu_read_unlock___ret",
      "bpfkit_no_such___v1",
    ];
    expect(order.map((n) => libbpfExternIndex(obj.externs, n))).toEqual(order.map((_, i) => i));
    const withKconfig: Extern[] = [...obj.externs, { name: "CONFIG_HZ", kind: "kconfig", weak: false, localType: 1 }];
    expect(libbpfExternIndex(withKconfig, "_stext___v1")).toBe(1);
    expect(libbpfExternIndex(withKconfig, "no_such")).toBe(-1);
  });
});

describe("prototypeMismatch: libbpf's bpf_core_types_are_compat", () => {
  const b = new BtfBuilder();
  const int = b.add({ kind: "INT", name: "int", size: 4 });
  const long = b.add({ kind: "INT", name: "long", size: 8 });
  const dbl = b.add({ kind: "FLOAT", name: "double", size: 8 });
  const s = b.add({ kind: "STRUCT", name: "s", size: 4, members: [{ name: "x", type: int, bitOffset: 0 }] });
  const fwd = b.add({ kind: "FWD", name: "s" });
  const ps = b.add({ kind: "PTR", type: s });
  const pfwd = b.add({ kind: "PTR", type: fwd });
  const td = b.add({ kind: "TYPEDEF", name: "s_t", type: ps });
  const proto = (ret: number, ...params: number[]) => b.add({ kind: "FUNC_PROTO", returnType: ret, params: params.map((type) => ({ type })) });
  const voidNone = proto(0);
  const voidInt = proto(0, int);
  const intNone = proto(int);
  const voidPs = proto(0, ps);
  const voidTd = proto(0, td);
  const voidPfwd = proto(0, pfwd);
  const voidLong = proto(0, long);
  const dblNone = proto(dbl);
  const btf = Btf.parse(b.build());
  const why = (local: number, kernel: number) => prototypeMismatch(btf, local, btf, kernel);

  it("fits: same shape, any integers, typedefs seen through", () => {
    expect(why(voidNone, voidNone)).toBeUndefined();
    expect(why(voidInt, voidLong)).toBeUndefined();
    expect(why(voidTd, voidPs)).toBeUndefined();
  });

  it("does not fit: parameter count, return kind, a pointer to a forward declaration, FLOAT", () => {
    expect(why(voidInt, voidNone)).toMatch(/1 parameter\(s\) here but 0/);
    expect(why(intNone, voidNone)).toMatch(/return type is INT int here but void/);
    expect(why(voidPfwd, voidPs)).toMatch(/FWD s here but STRUCT s/);
    expect(why(dblNone, dblNone)).toMatch(/FLOAT, which libbpf never finds compatible/);
  });
});
