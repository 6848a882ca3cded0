import { type Btf, VarLinkage } from "@bpfkit/btf";
import { type ElfFile, STB_GLOBAL, STB_WEAK, STT_OBJECT, STV_HIDDEN, STV_INTERNAL } from "@bpfkit/elf";

/**
 * A DATASEC variable's linkage as libbpf sees it: a global whose ELF symbol is STV_HIDDEN or
 * STV_INTERNAL (`__hidden`, sched_ext's `private(X)`) is private to the object, so static. The
 * kernel-ready BTF says so, and it decides whether a data section's map is mmapable.
 */
export function effectiveLinkage(btf: Btf, elf: ElfFile, varId: number): number | undefined {
  const v = btf.type(varId);
  if (v.kind !== "VAR") return undefined;
  if (v.linkage !== VarLinkage.GLOBAL_ALLOCATED) return v.linkage;
  const sym = elf.symbols.find((s) => s.type === STT_OBJECT && (s.bind === STB_GLOBAL || s.bind === STB_WEAK) && s.name === v.name);
  return sym && (sym.visibility === STV_HIDDEN || sym.visibility === STV_INTERNAL) ? VarLinkage.STATIC : v.linkage;
}

/**
 * libbpf's rule for a global data section's map: mmapable (BPF_F_MMAPABLE, mapped into the
 * process after load) only when its DATASEC lists a variable that is not static, that is one a
 * skeleton would expose. A section of hidden or static variables only (or without BTF, like
 * `.rodata.str1.1`) is read and written through bpf() instead.
 */
export function datasecIsMmapable(btf: Btf | undefined, elf: ElfFile, datasec: number | undefined): boolean {
  if (!btf || datasec === undefined) return false;
  const t = btf.type(datasec);
  if (t.kind !== "DATASEC") return false;
  return t.vars.some((v) => {
    const linkage = effectiveLinkage(btf, elf, v.type);
    return linkage !== undefined && linkage !== VarLinkage.STATIC;
  });
}
