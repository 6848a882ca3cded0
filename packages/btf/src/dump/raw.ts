import type { Btf } from "../btf.ts";
import { hostLittleEndian } from "../endian.ts";
import { BtfError } from "../error.ts";
import { ENTRY_WORDS, FuncLinkage, isReferenceKind, Kind, RECORD_WORDS, VarLinkage } from "../kind.ts";
import type { StringTable } from "../strings.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (s: string) => encoder.encode(s);

const KIND_NAMES: readonly Uint8Array[] = [
  "UNKNOWN",
  "INT",
  "PTR",
  "ARRAY",
  "STRUCT",
  "UNION",
  "ENUM",
  "FWD",
  "TYPEDEF",
  "VOLATILE",
  "CONST",
  "RESTRICT",
  "FUNC",
  "FUNC_PROTO",
  "VAR",
  "DATASEC",
  "FLOAT",
  "DECL_TAG",
  "TYPE_TAG",
  "ENUM64",
].map(bytes);
const INT_ENCODINGS: readonly Uint8Array[] = ["(none)", "SIGNED", "CHAR", "UNKN", "BOOL"].map(bytes);
const LINKAGE: Record<number, Uint8Array> = { [FuncLinkage.STATIC]: bytes("static"), [FuncLinkage.GLOBAL]: bytes("global"), [FuncLinkage.EXTERN]: bytes("extern") };
const VAR_LINKAGE: Record<number, Uint8Array> = { [VarLinkage.STATIC]: bytes("static"), [VarLinkage.GLOBAL_ALLOCATED]: bytes("global"), [VarLinkage.GLOBAL_EXTERN]: bytes("extern") };
const UNKNOWN_LINKAGE = bytes("(unknown)");
const ANON = bytes("(anon)");
const S = {
  size: bytes(" size="),
  bitsOffset: bytes(" bits_offset="),
  nrBits: bytes(" nr_bits="),
  encoding: bytes(" encoding="),
  typeId: bytes(" type_id="),
  indexTypeId: bytes(" index_type_id="),
  nrElems: bytes(" nr_elems="),
  vlen: bytes(" vlen="),
  memberBitsOffset: bytes(" bits_offset="),
  bitfieldSize: bytes(" bitfield_size="),
  signed: bytes(" encoding=SIGNED"),
  unsigned: bytes(" encoding=UNSIGNED"),
  val: bytes(" val="),
  fwdStruct: bytes(" fwd_kind=struct"),
  fwdUnion: bytes(" fwd_kind=union"),
  linkage: bytes(" linkage="),
  varLinkage: bytes(", linkage="),
  retTypeId: bytes(" ret_type_id="),
  secTypeId: bytes("\n\ttype_id="),
  offset: bytes(" offset="),
  componentIdx: bytes(" component_idx="),
  ll: bytes("LL"),
  ull: bytes("ULL"),
};

/**
 * The BTF's types in `bpftool btf dump file FILE format raw` form, byte for byte: one type per
 * line, members indented by a tab, this blob's own types only (a split BTF's, not its base's).
 */
export function dumpRaw(btf: Btf): string {
  return decoder.decode(dumpRawBytes(btf));
}

/**
 * `dumpRaw` as UTF-8 bytes, written straight from the BTF's words and string table (names are
 * copied, never decoded): the kernel's 126k types become 12 MB of text in tens of milliseconds.
 */
export function dumpRawBytes(btf: Btf): Uint8Array {
  return new RawWriter(btf).write();
}

/** Where a writer reads from: the blob's words and string table. */
interface Source {
  readonly btf: Btf;
  /** The type section as host-order words (a view when the blob allows, else a converted copy). */
  readonly words: Uint32Array;
  /** Byte offset of the type section in the blob: record offsets are relative to the blob. */
  readonly typeStart: number;
  readonly str: Uint8Array;
  readonly strStart: number;
}

class RawWriter {
  readonly #src: Source;
  /** Longest string in the string tables: with it, one capacity check per type covers every write. */
  readonly #maxName: number;
  #out: Uint8Array;

  constructor(btf: Btf) {
    const b = btf.bytes;
    const { typeStart, typeLen } = btf.header;
    let words: Uint32Array;
    if (btf.littleEndian === hostLittleEndian && (b.byteOffset + typeStart) % 4 === 0) {
      words = new Uint32Array(b.buffer, b.byteOffset + typeStart, typeLen >>> 2);
    } else {
      // Other byte orders and odd alignments: one conversion, then the same fast reads.
      const v = new DataView(b.buffer, b.byteOffset + typeStart, typeLen);
      words = new Uint32Array(typeLen >>> 2);
      for (let i = 0; i < words.length; i++) words[i] = v.getUint32(i * 4, btf.littleEndian);
    }
    this.#src = { btf, words, typeStart, str: btf.strings.bytes, strStart: btf.strings.start };
    let max = ANON.byteLength;
    for (let t: StringTable | undefined = btf.strings; t; t = t.base) max = Math.max(max, longestString(t.bytes));
    this.#maxName = max;
    // The kernel's text is 2.2 times its BTF: this size rarely needs to grow.
    this.#out = new Uint8Array(Math.max(65536, typeLen * 4 + btf.header.strLen));
  }

  write(): Uint8Array {
    const btf = this.#src.btf;
    const words = this.#src.words;
    const perLine = 128 + 2 * this.#maxName;
    let p = 0;
    // Parsing checked that the records tile the type section: walk them in order.
    let off = btf.count ? (btf.typeOffset(btf.firstId) - this.#src.typeStart) >>> 2 : 0;
    for (let id = btf.firstId, last = btf.lastId; id <= last; id++) {
      const info = words[off + 1]!;
      const vlen = info & 0xffff;
      // Each line is at most ~110 bytes of text plus two names.
      const need = (1 + vlen) * perLine;
      if (p + need > this.#out.byteLength) {
        const grown = new Uint8Array(Math.max(this.#out.byteLength * 2, p + need));
        grown.set(this.#out.subarray(0, p));
        this.#out = grown;
      }
      p = writeType(this.#src, this.#out, p, id, off);
      off += 3 + RECORD_WORDS[(info >>> 24) & 0x1f]! + ENTRY_WORDS[(info >>> 24) & 0x1f]! * vlen;
    }
    return this.#out.subarray(0, p);
  }
}

function longestString(b: Uint8Array): number {
  let max = 0;
  for (let p = 0; p < b.byteLength; ) {
    let end = b.indexOf(0, p);
    if (end < 0) end = b.byteLength;
    if (end - p > max) max = end - p;
    p = end + 1;
  }
  return max;
}

function put(out: Uint8Array, p: number, b: Uint8Array): number {
  for (let i = 0; i < b.byteLength; i++) out[p++] = b[i]!;
  return p;
}

/** "00".."99": two digits per division. */
const PAIRS: Uint8Array = (() => {
  const t = new Uint8Array(200);
  for (let i = 0; i < 100; i++) {
    t[2 * i] = 48 + Math.floor(i / 10);
    t[2 * i + 1] = 48 + (i % 10);
  }
  return t;
})();

/** An unsigned 32-bit number in decimal. */
function num(out: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    out[p] = 48 + n;
    return p + 1;
  }
  const digits = n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
  let q = p + digits;
  if (n >= 0x80000000) {
    // Past int32: one float division brings it into range.
    const d = Math.floor(n / 100);
    const r = 2 * (n - d * 100);
    out[--q] = PAIRS[r + 1]!;
    out[--q] = PAIRS[r]!;
    n = d;
  }
  while (n >= 100) {
    const d = (n / 100) | 0;
    const r = 2 * (n - d * 100);
    out[--q] = PAIRS[r + 1]!;
    out[--q] = PAIRS[r]!;
    n = d;
  }
  if (n >= 10) {
    out[--q] = PAIRS[2 * n + 1]!;
    out[--q] = PAIRS[2 * n]!;
  } else {
    out[--q] = 48 + n;
  }
  return p + digits;
}

function signed(out: Uint8Array, p: number, n: number): number {
  if (n >= 0) return num(out, p, n);
  out[p] = 45;
  return num(out, p + 1, -n);
}

/** 'name', or '(anon)': the bytes exactly as the string table holds them. */
function name(src: Source, out: Uint8Array, p: number, off: number, id: number): number {
  let str = src.str;
  let rel = off - src.strStart;
  if (rel < 0) {
    const at = src.btf.strings.locate(off);
    if (!at) throw new BtfError(`string offset ${off} is outside the string table`, { typeId: id, code: "malformed" });
    str = at.bytes;
    rel = at.rel;
  }
  if (rel >= str.byteLength) throw new BtfError(`string offset ${off} is outside the string table`, { typeId: id, code: "malformed" });
  out[p++] = 39;
  if (str[rel] === 0) {
    p = put(out, p, ANON);
  } else {
    for (let c = str[rel]; c !== 0; c = str[++rel]) {
      if (c === undefined) throw new BtfError(`string at offset ${off} is not NUL-terminated`, { typeId: id, code: "malformed" });
      out[p++] = c;
    }
  }
  out[p++] = 39;
  return p;
}

function writeType(src: Source, out: Uint8Array, p: number, id: number, w: number): number {
  const words = src.words;
  const info = words[w + 1]!;
  const kind = (info >>> 24) & 0x1f;
  const vlen = info & 0xffff;
  const kflag = info >>> 31 === 1;
  const st = words[w + 2]!;
  const x = w + 3;
  out[p++] = 91; // [
  p = num(out, p, id);
  out[p++] = 93; // ]
  out[p++] = 32;
  p = put(out, p, KIND_NAMES[kind] ?? KIND_NAMES[0]!);
  out[p++] = 32;
  p = name(src, out, p, words[w]!, id);
  switch (kind) {
    case Kind.INT: {
      const d = words[x]!;
      p = num(out, put(out, p, S.size), st);
      p = num(out, put(out, p, S.bitsOffset), (d >>> 16) & 0xff);
      p = num(out, put(out, p, S.nrBits), d & 0xff);
      const enc = (d >>> 24) & 0x0f;
      p = put(out, put(out, p, S.encoding), INT_ENCODINGS[enc <= 2 || enc === 4 ? enc : 3]!);
      break;
    }
    case Kind.ARRAY:
      p = num(out, put(out, p, S.typeId), words[x]!);
      p = num(out, put(out, p, S.indexTypeId), words[x + 1]!);
      p = num(out, put(out, p, S.nrElems), words[x + 2]!);
      break;
    case Kind.STRUCT:
    case Kind.UNION:
      p = num(out, put(out, p, S.size), st);
      p = num(out, put(out, p, S.vlen), vlen);
      for (let i = 0, m = x; i < vlen; i++, m += 3) {
        out[p++] = 10;
        out[p++] = 9;
        p = name(src, out, p, words[m]!, id);
        p = num(out, put(out, p, S.typeId), words[m + 1]!);
        const raw = words[m + 2]!;
        p = num(out, put(out, p, S.memberBitsOffset), kflag ? raw & 0xffffff : raw);
        if (kflag && raw >>> 24) p = num(out, put(out, p, S.bitfieldSize), raw >>> 24);
      }
      break;
    case Kind.ENUM:
    case Kind.ENUM64: {
      p = put(out, p, kflag ? S.signed : S.unsigned);
      p = num(out, put(out, p, S.size), st);
      p = num(out, put(out, p, S.vlen), vlen);
      const step = kind === Kind.ENUM ? 2 : 3;
      for (let i = 0, e = x; i < vlen; i++, e += step) {
        out[p++] = 10;
        out[p++] = 9;
        p = name(src, out, p, words[e]!, id);
        p = put(out, p, S.val);
        const lo = words[e + 1]!;
        if (kind === Kind.ENUM) {
          p = kflag ? signed(out, p, lo | 0) : num(out, p, lo);
        } else {
          const u = (BigInt(words[e + 2]!) << 32n) | BigInt(lo);
          p = put(out, put(out, p, bytes(String(kflag ? BigInt.asIntN(64, u) : u))), kflag ? S.ll : S.ull);
        }
      }
      break;
    }
    case Kind.FWD:
      p = put(out, p, kflag ? S.fwdUnion : S.fwdStruct);
      break;
    case Kind.FUNC:
      p = num(out, put(out, p, S.typeId), st);
      p = put(out, put(out, p, S.linkage), LINKAGE[vlen] ?? UNKNOWN_LINKAGE);
      break;
    case Kind.FUNC_PROTO:
      p = num(out, put(out, p, S.retTypeId), st);
      p = num(out, put(out, p, S.vlen), vlen);
      for (let i = 0, q = x; i < vlen; i++, q += 2) {
        out[p++] = 10;
        out[p++] = 9;
        p = name(src, out, p, words[q]!, id);
        p = num(out, put(out, p, S.typeId), words[q + 1]!);
      }
      break;
    case Kind.VAR:
      p = num(out, put(out, p, S.typeId), st);
      p = put(out, put(out, p, S.varLinkage), VAR_LINKAGE[words[x]!] ?? UNKNOWN_LINKAGE);
      break;
    case Kind.DATASEC: {
      const btf = src.btf;
      p = num(out, put(out, p, S.size), st);
      p = num(out, put(out, p, S.vlen), vlen);
      for (let i = 0, v = x; i < vlen; i++, v += 3) {
        const type = words[v]!;
        p = num(out, put(out, p, S.secTypeId), type);
        p = num(out, put(out, p, S.offset), words[v + 1]!);
        p = num(out, put(out, p, S.size), words[v + 2]!);
        out[p++] = 32;
        out[p++] = 40;
        p = put(out, p, KIND_NAMES[btf.kind(type)] ?? KIND_NAMES[0]!);
        out[p++] = 32;
        p = name(src, out, p, btf.nameOffset(type), id);
        out[p++] = 41;
      }
      break;
    }
    case Kind.FLOAT:
      p = num(out, put(out, p, S.size), st);
      break;
    case Kind.DECL_TAG:
      p = num(out, put(out, p, S.typeId), st);
      p = signed(out, put(out, p, S.componentIdx), words[x]! | 0);
      break;
    default:
      if (isReferenceKind(kind)) p = num(out, put(out, p, S.typeId), st);
      break;
  }
  out[p++] = 10;
  return p;
}
