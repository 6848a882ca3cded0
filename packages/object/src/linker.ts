import type { BtfExt, ExtSection } from "@bpfkit/btf";
import { type ElfFile, type ElfSymbol, SHN_UNDEF } from "@bpfkit/elf";
import { applyCoreRelos, type CoreTargets } from "./core-relo.ts";
import { ObjectError } from "./error.ts";
import { INSN_SIZE, Insns, OP_CALL, OP_LD_IMM64, PSEUDO_BTF_ID, PSEUDO_FUNC, PSEUDO_KFUNC_CALL, PSEUDO_MAP_FD, PSEUDO_MAP_VALUE } from "./insn.ts";

/** The part of a program the linker reads: where its code is and what it is. */
export interface ProgramCode {
  readonly name: string;
  readonly section: string;
  readonly sectionIndex: number;
  /** Index of its first instruction within the section. */
  readonly sectionInsn: number;
  readonly insns: Uint8Array;
}

/** A created map, as far as the linker needs it: its fd. */
export interface MapFdHolder {
  readonly fd: { readonly value: number };
}

/**
 * A missing weak kfunc's call becomes a call of helper 2002000000 + the extern's index in
 * libbpf's order of externs: libbpf's value, so programs and verifier logs read the same.
 */
const POISON_KFUNC_CALL = 2002000000;
/** A 64-bit load of a map that is not created (autocreate off) becomes two calls of helper 2001000000 + its libbpf index. */
const POISON_MAP_LOAD = 2001000000;

/** A function in .text that programs may call. */
export interface Subprog {
  readonly name: string;
  readonly start: number;
  readonly count: number;
}

/** Everything the linker needs from the opened (and, for maps, created) object. */
export interface LinkContext {
  readonly object: string;
  readonly elf: ElfFile;
  /** Per section index: instruction index → ELF symbol index. */
  readonly relocs: ReadonlyMap<number, ReadonlyMap<number, number>>;
  readonly textIndex: number | undefined;
  readonly subprogs: readonly Subprog[];
  readonly dataMaps: ReadonlyMap<number, MapFdHolder>;
  /** The `.maps` section's index and its maps' fds by the offset of their variable. */
  readonly btfMaps: { readonly section: number | undefined; readonly byOffset: ReadonlyMap<number, { name: string; fd: number }> };
  readonly ext: BtfExt | undefined;
  /** The object's BTF and the kernel's, for CO-RE relocations (one object per load: it caches candidates). */
  readonly core: CoreTargets | undefined;
  /**
   * Resolves an extern function (kfunc) to its kernel BTF id and fd_array slot (0: vmlinux), or,
   * for a missing __weak one, to its index among the object's externs in libbpf's order.
   */
  kfunc(name: string, program: string): { id: number; fdIndex: number } | { missing: number };
  /**
   * For a 64-bit load of section `section` at `offset`: the index (libbpf's order of the
   * object's maps) of the map there when that map is not created, else undefined.
   */
  uncreatedMap(section: number, offset: number): number | undefined;
  /** What a 64-bit load of an extern becomes: a kernel BTF id (+ module BTF fd), an address, or a .kconfig value. */
  externLoad(name: string, program: string): { kind: "btf"; id: number; btfFd: number } | { kind: "imm"; value: bigint } | { kind: "kconfig"; fd: number; offset: number };
}

export interface LinkedProgram {
  readonly insns: Uint8Array;
  /** bpf_func_info records (insn_off in instructions), 8 bytes each. */
  readonly funcInfo: Uint8Array;
  /** bpf_line_info records, 16 bytes each. */
  readonly lineInfo: Uint8Array;
}

interface Chunk {
  readonly section: number;
  readonly start: number;
  readonly count: number;
  readonly at: number;
}

/**
 * Builds the instructions the kernel gets for one program: its own code, then every .text
 * subprogram it reaches (each once, in first-use order), with calls, callbacks, global data and
 * kfunc references rewritten, and func/line info rebased to match.
 */
export function linkProgram(ctx: LinkContext, prog: ProgramCode): LinkedProgram {
  const chunks: Chunk[] = [{ section: prog.sectionIndex, start: prog.sectionInsn, count: prog.insns.byteLength / INSN_SIZE, at: 0 }];
  const parts: Uint8Array[] = [prog.insns.slice()];
  let total = chunks[0]!.count;
  const fail = (msg: string): never => {
    throw new ObjectError(ctx.object, msg, { subject: `program "${prog.name}"`, section: prog.section });
  };

  const place = (section: number, target: number): number => {
    for (const c of chunks) if (c.section === section && target >= c.start && target < c.start + c.count) return c.at + target - c.start;
    if (section !== ctx.textIndex) fail(`call to instruction ${target} of section #${section}, outside this program and not in .text`);
    const sub = ctx.subprogs.find((s) => target >= s.start && target < s.start + s.count);
    if (!sub) return fail(`call to .text instruction ${target}, which is in no function`);
    const text = ctx.elf.sections[section]!.data;
    chunks.push({ section, start: sub.start, count: sub.count, at: total });
    parts.push(text.slice(sub.start * INSN_SIZE, (sub.start + sub.count) * INSN_SIZE));
    total += sub.count;
    return total - sub.count + target - sub.start;
  };

  // Chunks are appended while we walk them; each is rewritten exactly once.
  for (let ci = 0; ci < chunks.length; ci++) {
    const c = chunks[ci]!;
    applyCore(ctx, parts[ci]!, c, prog.name);
    const code = new Insns(parts[ci]!);
    const relocs = ctx.relocs.get(c.section);
    for (let j = 0; j < c.count; j++) {
      const symIdx = relocs?.get(c.start + j);
      const sym: ElfSymbol | undefined = symIdx === undefined ? undefined : ctx.elf.symbols[symIdx];
      if (code.op(j) === OP_LD_IMM64) {
        if (sym) relocateLoad(ctx, code, j, sym, c, place, fail, prog.name);
        j++; // the second half of a 16-byte load
        continue;
      }
      if (!code.isPseudoCall(j)) continue;
      if (sym && sym.shndx === SHN_UNDEF) {
        const k = ctx.kfunc(sym.name, prog.name);
        if ("missing" in k) {
          // A missing __weak kfunc: an invalid helper call the verifier rejects only if reachable.
          code.setSrc(j, 0);
          code.setOff(j, 0);
          code.setImm(j, POISON_KFUNC_CALL + k.missing);
          continue;
        }
        code.setSrc(j, PSEUDO_KFUNC_CALL);
        code.setImm(j, k.id);
        code.setOff(j, k.fdIndex);
        continue;
      }
      const [section, target] = sym ? [sym.shndx, sym.value / INSN_SIZE + code.imm(j) + 1] : [c.section, c.start + j + code.imm(j) + 1];
      code.setImm(j, place(section, target) - (c.at + j + 1));
    }
  }

  const insns = new Uint8Array(total * INSN_SIZE);
  chunks.forEach((c, i) => {
    insns.set(parts[i]!, c.at * INSN_SIZE);
  });
  return {
    insns,
    funcInfo: rebase(ctx, chunks, ctx.ext?.funcInfo, 8, (out, r, at) => {
      out.setUint32(0, at, true);
      out.setUint32(4, r.typeId, true);
    }),
    lineInfo: rebase(ctx, chunks, ctx.ext?.lineInfo, 16, (out, r, at) => {
      out.setUint32(0, at, true);
      out.setUint32(4, r.fileNameOff, true);
      out.setUint32(8, r.lineOff, true);
      out.setUint32(12, r.lineCol, true);
    }),
  };
}

function relocateLoad(
  ctx: LinkContext,
  code: Insns,
  j: number,
  sym: ElfSymbol,
  c: Chunk,
  place: (section: number, target: number) => number,
  fail: (msg: string) => never,
  program: string,
): void {
  const uncreated = ctx.uncreatedMap(sym.shndx, sym.value + code.imm(j));
  if (uncreated !== undefined) {
    // As libbpf: an invalid helper call the verifier rejects only if this code is reachable.
    for (const k of [j, j + 1]) {
      code.setOp(k, OP_CALL);
      code.setDst(k, 0);
      code.setSrc(k, 0);
      code.setOff(k, 0);
      code.setImm(k, POISON_MAP_LOAD + uncreated);
    }
    return;
  }
  const data = ctx.dataMaps.get(sym.shndx);
  if (data) {
    // Global data: the map's fd, and the byte offset of the variable in its value.
    const offset = code.imm(j) + sym.value;
    code.setSrc(j, PSEUDO_MAP_VALUE);
    code.setImm(j, data.fd.value);
    code.setImm(j + 1, offset);
    return;
  }
  if (sym.shndx === ctx.btfMaps.section && sym.shndx !== undefined) {
    const map = ctx.btfMaps.byOffset.get(sym.value + code.imm(j));
    if (!map) fail(`64-bit load of "${sym.name}" refers to offset ${sym.value + code.imm(j)} of .maps, where no map starts`);
    code.setSrc(j, PSEUDO_MAP_FD);
    code.setImm(j, map!.fd);
    code.setImm(j + 1, 0);
    return;
  }
  if (sym.shndx === ctx.textIndex) {
    // A callback: the address of a .text function.
    const target = (sym.value + code.imm(j)) / INSN_SIZE;
    code.setSrc(j, PSEUDO_FUNC);
    code.setImm(j, place(sym.shndx, target) - (c.at + j + 1));
    return;
  }
  if (sym.shndx === SHN_UNDEF) {
    const e = ctx.externLoad(sym.name, program);
    if (e.kind === "kconfig") {
      code.setSrc(j, PSEUDO_MAP_VALUE);
      code.setImm(j, e.fd);
      code.setImm(j + 1, e.offset + code.imm(j + 1));
    } else if (e.kind === "btf") {
      code.setSrc(j, PSEUDO_BTF_ID);
      code.setImm(j, e.id);
      code.setImm(j + 1, e.btfFd);
    } else {
      // A typeless ksym's address, or 0 for a missing __weak extern (so `if (&x)` is false).
      code.setSrc(j, 0);
      code.setImm(j, Number(BigInt.asIntN(32, e.value)));
      code.setImm(j + 1, Number(BigInt.asIntN(32, e.value >> 32n)));
    }
    return;
  }
  const sec = ctx.elf.sections[sym.shndx]?.name ?? `#${sym.shndx}`;
  fail(`64-bit load of "${sym.name || sec}" in section ${sec}: it is neither a map, global data, a function nor an extern`);
}

/** CO-RE: field offsets, sizes, existence, type and enum facts rewritten for the running kernel's types. */
function applyCore(ctx: LinkContext, code: Uint8Array, c: Chunk, program: string): void {
  const section = ctx.elf.sections[c.section]!.name;
  const records = ctx.ext?.coreRelos.find((s) => s.section === section)?.records;
  if (!records?.length) return;
  if (!ctx.core) throw new ObjectError(ctx.object, "CO-RE relocations need the object's BTF and the kernel's", { subject: `program "${program}"`, section });
  applyCoreRelos(ctx.core, code, section, c.start, c.count, records, { object: ctx.object, program });
}

function rebase<T extends { readonly insnOff: number }>(
  ctx: LinkContext,
  chunks: readonly Chunk[],
  sections: readonly ExtSection<T>[] | undefined,
  recSize: number,
  write: (out: DataView, rec: T, at: number) => void,
): Uint8Array {
  if (!sections) return new Uint8Array(0);
  const rows: { at: number; rec: T }[] = [];
  for (const c of chunks) {
    const name = ctx.elf.sections[c.section]!.name;
    const sec = sections.find((s) => s.section === name);
    if (!sec) continue;
    for (const rec of sec.records) {
      const idx = rec.insnOff / INSN_SIZE;
      if (idx >= c.start && idx < c.start + c.count) rows.push({ at: c.at + idx - c.start, rec });
    }
  }
  rows.sort((a, b) => a.at - b.at);
  const out = new Uint8Array(rows.length * recSize);
  const view = new DataView(out.buffer);
  rows.forEach((r, i) => {
    write(new DataView(view.buffer, i * recSize, recSize), r.rec, r.at);
  });
  return out;
}
