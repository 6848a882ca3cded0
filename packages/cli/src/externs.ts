import { type Btf, cTypeName } from "@bpfkit/btf";
import type { ElfFile } from "@bpfkit/elf";
import { collectExterns } from "@bpfkit/object";
/** An extern of an object as `bpfkit object show` lists it. */
export interface ObjectExtern {
  readonly name: string;
  /** "kconfig" (in DATASEC .kconfig), "ksym" (a variable in .ksyms), "kfunc" (a function, or no BTF at all). */
  readonly kind: "kconfig" | "ksym" | "kfunc";
  /** ELF binding STB_WEAK: a missing one resolves to zero instead of failing the load. */
  readonly weak: boolean;
  /** The declared type as C spells it; "" when BTF does not type it. */
  readonly type: string;
}

/** The object's externs (collected by @bpfkit/object, as libbpf collects them), with their declared C types spelled out. */
export function objectExterns(elf: ElfFile, btf: Btf | undefined): ObjectExtern[] {
  return collectExterns(elf, btf).map((e) => ({
    name: e.name,
    kind: e.kind,
    weak: e.weak,
    type: btf && e.declaredType !== undefined ? cTypeName(btf, e.declaredType, e.kind === "kfunc" ? { funcName: e.name } : {}) : "",
  }));
}
