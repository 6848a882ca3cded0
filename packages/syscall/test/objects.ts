// Hand-built inputs shared by the Bun (vitest) and Deno test suites. Runtime-free: bytes only.

/** `r0 = 0; exit`: the smallest program every verifier accepts. */
export const RETURN_ZERO: Uint8Array = Uint8Array.of(
  0xb7, 0, 0, 0, 0, 0, 0, 0, // mov r0, 0
  0x95, 0, 0, 0, 0, 0, 0, 0, // exit
);

/** `exit` with r0 never written: the verifier refuses it ("R0 !read_ok") and says so in its log. */
export const UNINIT_R0: Uint8Array = Uint8Array.of(0x95, 0, 0, 0, 0, 0, 0, 0);

const BTF_MAGIC = 0xeb9f;
const BTF_KIND_INT = 1;
const BTF_INT_SIGNED = 1;

/**
 * A minimal valid BTF blob: header, one type (`int`, 4 bytes, signed) and its string section.
 * `magic` lets a test corrupt it where the kernel checks first.
 */
export function intBtf(magic: number = BTF_MAGIC): Uint8Array {
  const strings = new TextEncoder().encode("\0int\0");
  const hdrLen = 24;
  const typeLen = 16; // struct btf_type (12) + the INT encoding word (4)
  const out = new Uint8Array(hdrLen + typeLen + strings.byteLength);
  const v = new DataView(out.buffer);
  v.setUint16(0, magic, true);
  v.setUint8(2, 1); // version
  v.setUint8(3, 0); // flags
  v.setUint32(4, hdrLen, true);
  v.setUint32(8, 0, true); // type_off, from the end of the header
  v.setUint32(12, typeLen, true);
  v.setUint32(16, typeLen, true); // str_off
  v.setUint32(20, strings.byteLength, true);
  v.setUint32(24, 1, true); // name_off: "int"
  v.setUint32(28, BTF_KIND_INT << 24, true); // info: kind, vlen 0
  v.setUint32(32, 4, true); // size
  v.setUint32(36, (BTF_INT_SIGNED << 24) | 32, true); // encoding, offset 0, 32 bits
  out.set(strings, hdrLen + typeLen);
  return out;
}

/** A BTF blob whose INT claims 64 bits in a 4-byte type: well-formed header, invalid type. */
export function badIntBtf(): Uint8Array {
  const out = intBtf();
  new DataView(out.buffer).setUint32(36, (BTF_INT_SIGNED << 24) | 64, true);
  return out;
}

/** A little-endian u32 key or value in a buffer of its own. */
export function u32(value: number): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer(4));
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

export function u64(value: bigint): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer(8));
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}
