/**
 * Shared by object's kconfig tests and kernel's (which feed the host's config into the same
 * encoder): fixtures/kconfig.bpf.o with the development kernel's values, hand-built `.kconfig`
 * BTF, and the decoder the tests read values through. Pure (runs under plain Node).
 */
import { readFileSync } from "node:fs";
import { Btf, BtfBuilder, IntEncoding } from "@bpfkit/btf";
import { ElfFile, STB_WEAK } from "@bpfkit/elf";
import { type KconfigExtras, kconfigLayout, kernelVersionCode } from "@bpfkit/object";
import { fixture } from "./paths.ts";

/** A system config that must not be read: the values come from elsewhere. */
export const neverRead = (): never => {
  throw new Error("the system config was read, but nothing needed it");
};

/** The error `fn` throws (failing the test when it throws none). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

// ---------------------------------------------------------------------------------------------
// The fixture: fixtures/src/kconfig.bpf.c
// ---------------------------------------------------------------------------------------------

export const elf: ElfFile = ElfFile.parse(new Uint8Array(readFileSync(fixture("kconfig"))));
export const fixtureBtf: Btf = Btf.parse(elf.section(".BTF")!.data);
export const weak: Set<string> = new Set(elf.symbols.filter((s) => s.bind === STB_WEAK).map((s) => s.name));
export const VERSION: number = kernelVersionCode(6, 18, 44);
export const extras: KconfigExtras = { weak, hasBpfCookie: true, hasSyscallWrapper: false, kernelVersion: VERSION };

/** The development kernel's values for the fixture's options (and a few to spare). */
export const DEV_CONFIG = `
CONFIG_BPF_SYSCALL=y
CONFIG_BPF_JIT=y
CONFIG_BPF_LSM=y
CONFIG_ARCH_MMAP_RND_BITS_MIN=28
CONFIG_NR_CPUS=256
CONFIG_HZ=250
CONFIG_LOG_BUF_SHIFT=17
CONFIG_ILLEGAL_POINTER_VALUE=0xdead000000000000
CONFIG_DEFAULT_HOSTNAME="(none)"
CONFIG_CC_VERSION_TEXT="gcc (GCC) 15.3.0"
# CONFIG_WERROR is not set
`;

/** The fixture's map value decoded by the layout, so tests read values rather than offsets. */
export function decode(data: Uint8Array, config: KconfigExtras = extras): Record<string, bigint | string> {
  const layout = kconfigLayout(fixtureBtf, "kconfig", config.weak)!;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Record<string, bigint | string> = {};
  for (const e of layout.externs) {
    if (e.shape === "chars") {
      const bytes = data.subarray(e.offset, e.offset + e.size);
      out[e.name] = Buffer.from(bytes).toString("latin1");
    } else {
      let v = 0n;
      for (let i = e.size - 1; i >= 0; i--) v = (v << 8n) | BigInt(view.getUint8(e.offset + i));
      out[e.name] = e.signed ? BigInt.asIntN(e.size * 8, v) : v;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hand-built BTF
// ---------------------------------------------------------------------------------------------

export type TypeName = "bool" | "char" | "s8" | "u8" | "u16" | "s16" | "u32" | "s32" | "u64" | "s64" | "tri" | "tri64" | "chars4" | "u8x4" | "int128" | "bool4" | "struct" | "enum";

/** BTF with one `.kconfig` extern of each given type (names → type). */
export function btfOf(externs: Record<string, TypeName>, littleEndian = true): Btf {
  const b = new BtfBuilder({ littleEndian });
  const S = IntEncoding.SIGNED;
  const ints: Record<string, [number, number]> = { bool: [1, IntEncoding.BOOL], char: [1, S], s8: [1, S], u8: [1, 0], u16: [2, 0], s16: [2, S], u32: [4, 0], s32: [4, S], u64: [8, 0], s64: [8, S], int128: [16, 0] };
  const ids: Partial<Record<TypeName, number>> = {};
  for (const [n, [size, encoding]] of Object.entries(ints)) ids[n as TypeName] = b.add({ kind: "INT", name: n, size, encoding });
  const tri = [{ name: "TRI_NO", value: 0 }, { name: "TRI_YES", value: 1 }, { name: "TRI_MODULE", value: 2 }];
  ids.tri = b.add({ kind: "ENUM", name: "libbpf_tristate", values: tri });
  ids.tri64 = b.add({ kind: "ENUM64", name: "libbpf_tristate", size: 8, values: tri.map((t) => ({ ...t, value: BigInt(t.value) })) });
  ids.enum = b.add({ kind: "ENUM", name: "other", values: tri });
  ids.chars4 = b.add({ kind: "ARRAY", elemType: ids.char!, indexType: ids.u32!, nelems: 4 });
  ids.u8x4 = b.add({ kind: "ARRAY", elemType: b.add({ kind: "CONST", type: ids.u8! }), indexType: ids.u32!, nelems: 4 });
  ids.bool4 = b.add({ kind: "ARRAY", elemType: ids.bool!, indexType: ids.u32!, nelems: 4 });
  ids.struct = b.add({ kind: "STRUCT", name: "s", size: 4, members: [{ name: "x", type: ids.u32!, bitOffset: 0 }] });
  const vars = Object.entries(externs).map(([name, t]) => ({ type: b.add({ kind: "VAR", name, type: ids[t]!, linkage: 2 }), offset: 0, size: 0 }));
  b.add({ kind: "DATASEC", name: ".kconfig", size: 0, vars });
  return Btf.parse(b.build());
}

export const none: KconfigExtras = { weak: new Set(), hasBpfCookie: true, hasSyscallWrapper: true, kernelVersion: 0x061200 };
