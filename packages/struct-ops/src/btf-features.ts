import { BtfBuilder, type BtfFeatures, FuncLinkage, IntEncoding } from "@bpfkit/btf";
import { btfLoad } from "@bpfkit/syscall";

let cached: BtfFeatures | undefined;

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

/**
 * Which BTF kinds the running kernel's BTF_LOAD accepts, probed once per process with one tiny
 * BTF each (as libbpf does). Kinds from before struct_ops existed (FUNC, DATASEC) are assumed.
 */
export function btfFeatures(): BtfFeatures {
  cached ??= {
    func: true,
    datasec: true,
    globalFunc: accepts((b, int) => {
      const proto = b.add({ kind: "FUNC_PROTO", returnType: int, params: [] });
      b.add({ kind: "FUNC", name: "probe", type: proto, linkage: FuncLinkage.GLOBAL });
    }),
    float: accepts((b) => void b.add({ kind: "FLOAT", name: "float", size: 4 })),
    declTag: accepts((b, int) => {
      const s = b.add({ kind: "STRUCT", name: "probe", size: 4, members: [{ name: "a", type: int, bitOffset: 0 }] });
      b.add({ kind: "DECL_TAG", name: "tag", type: s, componentIdx: -1 });
    }),
    typeTag: accepts((b, int) => {
      const tag = b.add({ kind: "TYPE_TAG", name: "tag", type: int });
      b.add({ kind: "PTR", type: tag });
    }),
    enum64: accepts((b) => void b.add({ kind: "ENUM64", name: "probe", values: [{ name: "P", value: 1n << 40n }] })),
  };
  return cached;
}

/** For tests: pretend the kernel lacks (or has) these kinds; undefined probes again. */
export function setBtfFeatures(f: Partial<BtfFeatures> | undefined): void {
  cached = f === undefined ? undefined : { ...btfFeatures(), ...f };
}
