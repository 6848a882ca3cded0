/** BPF instruction encoding: 8 bytes — opcode, dst:4|src:4, off s16, imm s32 (little-endian host). */

export const INSN_SIZE = 8;
export const OP_LD_IMM64 = 0x18;
export const OP_CALL = 0x85;
export const OP_EXIT = 0x95;

/** Opcode fields: the instruction class (BPF_CLASS, low 3 bits), BPF_SRC's X bit, BPF_SIZE. */
export const OP_CLASS_MASK = 0x07;
export const OpClass = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, ALU64: 0x07 } as const;
export const OP_SRC_X = 0x08;
export const OP_SIZE_MASK = 0x18;
/** Access size in bytes by BPF_SIZE field >> 3: W, H, B, DW. */
export const OP_SIZE_BYTES: readonly number[] = [4, 2, 1, 8];

/** src_reg values with special meaning. */
export const PSEUDO_MAP_FD = 1;
export const PSEUDO_MAP_VALUE = 2;
export const PSEUDO_BTF_ID = 3;
export const PSEUDO_CALL = 1;
export const PSEUDO_KFUNC_CALL = 2;
export const PSEUDO_FUNC = 4;

/** Mutable view of an instruction buffer. */
export class Insns {
  readonly bytes: Uint8Array;
  readonly #view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get count(): number {
    return this.bytes.byteLength / INSN_SIZE;
  }

  op(i: number): number {
    return this.bytes[i * INSN_SIZE]!;
  }

  setOp(i: number, op: number): void {
    this.bytes[i * INSN_SIZE] = op;
  }

  setDst(i: number, dst: number): void {
    const b = i * INSN_SIZE + 1;
    this.bytes[b] = (this.bytes[b]! & 0xf0) | (dst & 0xf);
  }

  src(i: number): number {
    return this.bytes[i * INSN_SIZE + 1]! >> 4;
  }

  setSrc(i: number, src: number): void {
    const b = i * INSN_SIZE + 1;
    this.bytes[b] = (this.bytes[b]! & 0x0f) | ((src & 0xf) << 4);
  }

  off(i: number): number {
    return this.#view.getInt16(i * INSN_SIZE + 2, true);
  }

  setOff(i: number, off: number): void {
    this.#view.setInt16(i * INSN_SIZE + 2, off, true);
  }

  imm(i: number): number {
    return this.#view.getInt32(i * INSN_SIZE + 4, true);
  }

  setImm(i: number, imm: number): void {
    this.#view.setInt32(i * INSN_SIZE + 4, imm | 0, true);
  }

  isPseudoCall(i: number): boolean {
    return this.op(i) === OP_CALL && this.src(i) === PSEUDO_CALL;
  }

  isPseudoFunc(i: number): boolean {
    return this.op(i) === OP_LD_IMM64 && this.src(i) === PSEUDO_FUNC;
  }
}
