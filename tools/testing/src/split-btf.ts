import type { Btf } from "@bpfkit/btf";

/**
 * A kernel module's BTF, built by hand as split BTF over `base`: ids continue after the base's
 * last, string offsets after the base's string table, and types may refer to base types — as a
 * real module's /sys/kernel/btf/<module> does.
 *
 * Defines: struct bpfkit_mod_ops { int (*run)(struct sock *); char name[16]; __u32 flags; }
 * and struct bpf_struct_ops_bpfkit_mod_ops { <common 64 bytes>; struct bpfkit_mod_ops data; }.
 */
export function moduleSplitBtf(base: Btf): Uint8Array {
  const int = (base.find("int", "INT") ?? base.find("unsigned int", "INT"))!;
  const u32 = base.find("__u32", "TYPEDEF")!;
  const char = base.find("char", "INT")!;
  const sock = base.find("sock", "STRUCT")!;
  const strings: string[] = [];
  const strOff = (s: string) => {
    let off = 1; // after the split table's own leading NUL
    for (const x of strings) {
      if (x === s) return base.strings.end + off;
      off += new TextEncoder().encode(x).byteLength + 1;
    }
    strings.push(s);
    return base.strings.end + off;
  };
  const first = base.lastId + 1;
  const id = (n: number) => first + n;
  const types: number[][] = [];
  const kindInfo = (kind: number, vlen = 0) => ((kind << 24) | vlen) >>> 0;
  // [0] PTR -> struct sock (base)
  types.push([0, kindInfo(2), sock]);
  // [1] FUNC_PROTO int (struct sock *)
  types.push([0, kindInfo(13, 1), int, 0, id(0)]);
  // [2] PTR -> [1]
  types.push([0, kindInfo(2), id(1)]);
  // [3] ARRAY char[16] (index type int)
  types.push([0, kindInfo(3), 0, char, int, 16]);
  // [4] STRUCT bpfkit_mod_ops, 24 bytes: run@0, name@8, flags@24? -> flags@24 makes 28, pad to 32
  types.push([strOff("bpfkit_mod_ops"), kindInfo(4, 3), 32, strOff("run"), id(2), 0, strOff("name"), id(3), 64, strOff("flags"), u32, 192]);
  // [5] ARRAY char[64]: stands in for the kernel's common header
  types.push([0, kindInfo(3), 0, char, int, 64]);
  // [6] STRUCT bpf_struct_ops_bpfkit_mod_ops: common@0 (64 bytes), data@64
  types.push([strOff("bpf_struct_ops_bpfkit_mod_ops"), kindInfo(4, 2), 96, strOff("common"), id(5), 0, strOff("data"), id(4), 512]);
  const typeWords = types.flat();
  const str = new TextEncoder().encode(`\0${strings.join("\0")}\0`);
  const out = new Uint8Array(24 + typeWords.length * 4 + str.byteLength);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0xeb9f, true);
  v.setUint8(2, 1);
  v.setUint32(4, 24, true);
  v.setUint32(8, 0, true);
  v.setUint32(12, typeWords.length * 4, true);
  v.setUint32(16, typeWords.length * 4, true);
  v.setUint32(20, str.byteLength, true);
  typeWords.forEach((w, i) => {
    v.setUint32(24 + i * 4, w, true);
  });
  out.set(str, 24 + typeWords.length * 4);
  return out;
}
