import { BtfBuilder, type BtfFeatures, FuncLinkage, IntEncoding } from "@bpfkit/btf";
import { btfLoad, feature } from "@bpfkit/syscall";

/** Does the kernel accept this BTF? (A probe: the fd is closed at once.) */
function accepts(build: (b: BtfBuilder, int: number) => void): boolean {
  const b = new BtfBuilder();
  const int = b.add({ kind: "INT", name: "int", size: 4, encoding: IntEncoding.SIGNED });
  build(b, int);
  try {
    btfLoad(b.build()).close();
    return true;
  } catch {
    return false;
  }
}

// One tiny BTF per kind, as libbpf probes them. Kinds from before struct_ops existed (FUNC,
// DATASEC) are assumed.
const globalFunc = feature("btf_global_func", "5.6", () =>
  accepts((b, int) => {
    const proto = b.add({ kind: "FUNC_PROTO", returnType: int, params: [] });
    b.add({ kind: "FUNC", name: "probe", type: proto, linkage: FuncLinkage.GLOBAL });
  }),
);
const float = feature("btf_float", "5.13", () => accepts((b) => void b.add({ kind: "FLOAT", name: "float", size: 4 })));
const declTag = feature("btf_decl_tag", "5.16", () =>
  accepts((b, int) => {
    const s = b.add({ kind: "STRUCT", name: "probe", size: 4, members: [{ name: "a", type: int, bitOffset: 0 }] });
    b.add({ kind: "DECL_TAG", name: "tag", type: s, componentIdx: -1 });
  }),
);
const typeTag = feature("btf_type_tag", "5.17", () =>
  accepts((b, int) => {
    const tag = b.add({ kind: "TYPE_TAG", name: "tag", type: int });
    b.add({ kind: "PTR", type: tag });
  }),
);
const enum64 = feature("btf_enum64", "6.0", () => accepts((b) => void b.add({ kind: "ENUM64", name: "probe", values: [{ name: "P", value: 1n << 40n }] })));

/** Which BTF kinds the running kernel's BTF_LOAD accepts (each a feature: see overrideFeature to pretend otherwise). */
export function btfFeatures(): BtfFeatures {
  return { func: true, datasec: true, globalFunc: globalFunc(), float: float(), declTag: declTag(), typeTag: typeTag(), enum64: enum64() };
}
