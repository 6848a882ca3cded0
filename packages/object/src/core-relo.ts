import { type Btf, CoreError, type CoreRelo, CoreResolver, type CoreResult, coreKindName } from "@bpfkit/btf";
import { ObjectError } from "./error.ts";
import { INSN_SIZE, OP_CALL, OP_CLASS_MASK, OP_LD_IMM64, OP_SIZE_BYTES, OP_SIZE_MASK, OP_SRC_X, OpClass } from "./insn.ts";

/** The object's BTF and the BTFs its CO-RE relocations target: vmlinux first, then module BTFs. */
export interface CoreTargets {
  readonly local: Btf;
  readonly targets: readonly Btf[];
}

/** A CO-RE relocation that cannot be applied: which instruction, type, access string and kind. */
export class CoreRelocationError extends ObjectError {
  override readonly name: string = "CoreRelocationError";
  readonly program: string;
  /** Instruction index within the ELF section. */
  readonly instruction: number;
  /** Index of the record among the section's CO-RE records (libbpf's "relo #N"). */
  readonly relocation: number;
  readonly typeId: number;
  readonly typeName: string;
  readonly accessStr: string;
  /** CoreReloKind number. */
  readonly kind: number;

  constructor(
    where: { object: string; program: string; section: string },
    relo: { index: number; instruction: number; typeId: number; typeName: string; accessStr: string; kind: number },
    message: string,
    cause?: unknown,
  ) {
    const what = `${coreKindName(relo.kind)} of [${relo.typeId}] ${relo.typeName || "<anon>"}, access "${relo.accessStr}"`;
    super(where.object, `CO-RE relocation #${relo.index} at instruction #${relo.instruction} (${what}): ${message}`, {
      section: where.section,
      subject: `program "${where.program}"`,
      code: "core-relocation",
    });
    this.program = where.program;
    this.instruction = relo.instruction;
    this.relocation = relo.index;
    this.typeId = relo.typeId;
    this.typeName = relo.typeName;
    this.accessStr = relo.accessStr;
    this.kind = relo.kind;
    if (cause !== undefined) Object.defineProperty(this, "cause", { value: cause, enumerable: false });
  }
}

/** libbpf's poison: a call of helper 0xbad2310 ("bad relo"); the verifier rejects it only if reachable. */
export const POISON_HELPER = 0xbad2310;

/** One resolver per CoreTargets: candidate lists are shared (and narrowed) across one object's chunks. */
const resolvers = new WeakMap<CoreTargets, CoreResolver>();

function resolverFor(t: CoreTargets): CoreResolver {
  let r = resolvers.get(t);
  if (!r) {
    r = new CoreResolver(t.local, t.targets);
    resolvers.set(t, r);
  }
  return r;
}

/**
 * Patches `code` (a copy of `count` instructions of ELF section `section` starting at section
 * instruction `start`) by every CO-RE record of that section falling in [start, start+count).
 * Throws ObjectError (a CoreRelocationError) saying object, program, section, instruction, type
 * (id and name), access string and kind when a relocation cannot be applied.
 *
 * Pass the same `t` for every chunk of one object: like libbpf, candidates that fail to match one
 * relocation of a type are dropped for the type's later relocations.
 */
export function applyCoreRelos(
  t: CoreTargets,
  code: Uint8Array,
  section: string,
  start: number,
  count: number,
  records: readonly CoreRelo[],
  where: { object: string; program: string },
): void {
  if (code.byteLength < count * INSN_SIZE) {
    throw new ObjectError(where.object, `CO-RE: ${count} instructions do not fit in ${code.byteLength} bytes`, { section, subject: `program "${where.program}"` });
  }
  const first = start * INSN_SIZE;
  const end = (start + count) * INSN_SIZE;
  records.forEach((rec, index) => {
    if (rec.insnOff < first || rec.insnOff >= end) return;
    const instruction = Math.floor(rec.insnOff / INSN_SIZE);
    const fail = (message: string, cause?: unknown): never => {
      throw new CoreRelocationError({ ...where, section }, { index, instruction, typeId: rec.typeId, typeName: safeName(t.local, rec.typeId), accessStr: rec.accessStr, kind: rec.kind }, message, cause);
    };
    if (rec.insnOff % INSN_SIZE !== 0) fail(`instruction offset ${rec.insnOff} is not a multiple of ${INSN_SIZE}`);
    let result: CoreResult;
    try {
      result = resolverFor(t).resolve(rec);
    } catch (e) {
      if (e instanceof CoreError) fail(e.reason, e);
      throw e;
    }
    const problem = patchInsn(code, instruction - start, count, result);
    if (problem) fail(problem);
  });
}

function safeName(btf: Btf, id: number): string {
  return Number.isInteger(id) && id > 0 && id <= btf.lastId ? btf.nameOf(id) : "";
}

/** Little-endian instruction fields of `code`, as insn.ts reads them. */
function view(code: Uint8Array): DataView {
  return new DataView(code.buffer, code.byteOffset, code.byteLength);
}

function poison(code: Uint8Array, i: number): void {
  const o = i * INSN_SIZE;
  code[o] = OP_CALL;
  code[o + 1] = 0;
  view(code).setInt16(o + 2, 0, true);
  view(code).setInt32(o + 4, POISON_HELPER, true);
}

/**
 * Applies `r` to instruction `i` of `code` the way libbpf does: immediates of ALU/ALU64 (source
 * K), offsets (and, for a resized field, the access size) of LDX/ST/STX, both halves of a
 * LD_IMM64. Returns why it cannot, or undefined once patched.
 */
function patchInsn(code: Uint8Array, i: number, count: number, r: CoreResult): string | undefined {
  const v = view(code);
  const o = i * INSN_SIZE;
  const op = code[o]!;
  const wide = op === OP_LD_IMM64;
  if (wide && i + 1 >= count) return "LD_IMM64 is cut off by the end of the code";
  const poisonHere = (): undefined => {
    // Both halves of a LD_IMM64, or the verifier would report an unknown opcode 0 instead.
    if (wide) poison(code, i + 1);
    poison(code, i);
    return undefined;
  };
  if (r.poison) return poisonHere();

  const want = r.localValue;
  const value = r.targetValue;
  switch (op & OP_CLASS_MASK) {
    case OpClass.ALU:
    case OpClass.ALU64: {
      if (op & OP_SRC_X) return `ALU instruction 0x${hex(op)} takes no immediate to relocate`;
      const imm = v.getInt32(o + 4, true);
      if (r.validate && BigInt.asUintN(64, BigInt(imm)) !== want) return `instruction holds ${imm}, expected ${want} (the local value) to relocate to ${value}`;
      v.setInt32(o + 4, Number(BigInt.asIntN(32, value)), true);
      return undefined;
    }
    case OpClass.LDX:
    case OpClass.ST:
    case OpClass.STX: {
      const off = v.getInt16(o + 2, true);
      if (r.validate && BigInt.asUintN(64, BigInt(off)) !== want) return `memory access at offset ${off}, expected ${want} (the local value) to relocate to ${value}`;
      if (value > 0x7fffn) return `offset ${value} does not fit a memory access instruction`;
      // A field that changed size in a way a load cannot follow: leave it to the verifier.
      if (r.sizeMismatch) return poisonHere();
      v.setInt16(o + 2, Number(value), true);
      if (r.targetSize !== r.localSize) {
        const bytes = OP_SIZE_BYTES[(op & OP_SIZE_MASK) >> 3];
        if (bytes !== r.localSize) return `memory access of ${bytes} bytes, expected ${r.localSize} (the local field size)`;
        const size = OP_SIZE_BYTES.indexOf(r.targetSize);
        if (size < 0) return `the target field size ${r.targetSize} is no load or store size`;
        code[o] = (op & ~OP_SIZE_MASK) | (size << 3);
      }
      return undefined;
    }
    case OpClass.LD: {
      const o2 = o + INSN_SIZE;
      if (!wide || code[o + 1]! >> 4 !== 0 || v.getInt16(o + 2, true) !== 0 || code[o2] !== 0 || code[o2 + 1] !== 0 || v.getInt16(o2 + 2, true) !== 0) {
        return `LD instruction 0x${hex(op)} is not a plain 64-bit immediate load`;
      }
      const imm = (BigInt(v.getUint32(o2 + 4, true)) << 32n) | BigInt(v.getUint32(o + 4, true));
      if (r.validate && imm !== want) return `instruction holds ${imm}, expected ${want} (the local value) to relocate to ${value}`;
      v.setUint32(o + 4, Number(value & 0xffffffffn), true);
      v.setUint32(o2 + 4, Number(value >> 32n), true);
      return undefined;
    }
    default:
      return `instruction 0x${hex(op)} cannot be relocated (not ALU, LDX/ST/STX or LD_IMM64)`;
  }
}

function hex(op: number): string {
  return op.toString(16).padStart(2, "0");
}
