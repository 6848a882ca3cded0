import { type Btf, cTypeName, Kind } from "@bpfkit/btf";
import { type ElfFile, SHN_UNDEF, STB_WEAK } from "@bpfkit/elf";

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

/**
 * Externs from the ELF's undefined symbols, typed by the .kconfig / .ksyms DATASECs, as libbpf
 * collects them. A symbol without BTF is taken for a kfunc, as libbpf's loader would.
 */
export function objectExterns(elf: ElfFile, btf: Btf | undefined): ObjectExtern[] {
  const typed = new Map<string, { kind: ObjectExtern["kind"]; type: string }>();
  for (const sec of [".kconfig", ".ksyms"]) {
    const id = btf?.find(sec, Kind.DATASEC);
    if (!btf || id === undefined) continue;
    const t = btf.type(id);
    if (t.kind !== "DATASEC") continue;
    for (const v of t.vars) {
      const vt = btf.type(v.type);
      if (vt.kind === "FUNC") typed.set(vt.name, { kind: "kfunc", type: cTypeName(btf, vt.type, { funcName: vt.name }) });
      else if (vt.kind === "VAR") typed.set(vt.name, { kind: sec === ".kconfig" ? "kconfig" : "ksym", type: cTypeName(btf, vt.type) });
    }
  }
  const out: ObjectExtern[] = [];
  const seen = new Set<string>();
  for (const s of elf.symbols) {
    if (s.shndx !== SHN_UNDEF || s.name === "" || seen.has(s.name)) continue;
    seen.add(s.name);
    const t = typed.get(s.name);
    out.push({ name: s.name, kind: t?.kind ?? "kfunc", weak: s.bind === STB_WEAK, type: t?.type ?? "" });
  }
  return out;
}
