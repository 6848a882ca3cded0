import { type Btf, essentialName, Kind } from "@bpfkit/btf";
import { type ElfFile, SHN_UNDEF, STB_WEAK } from "@bpfkit/elf";

/** An extern of the object: a `.kconfig` value, a `__ksym` variable, or a kernel function (kfunc). */
export interface Extern {
  readonly name: string;
  readonly kind: "kconfig" | "ksym" | "kfunc";
  /** Declared `__weak`: a missing one resolves to zero (or a poisoned call) instead of failing the load. */
  readonly weak: boolean;
  /** The VAR's type (0 for a typeless `extern const void x __ksym`) or the FUNC's id, in the object's BTF. */
  readonly localType: number;
  /** As declared, for printing: the VAR's type with its modifiers, or the FUNC's prototype; undefined without BTF. */
  readonly declaredType?: number;
}

/** Reads externs from the ELF's undefined symbols and the `.kconfig` / `.ksyms` DATASECs that type them. */
export function collectExterns(elf: ElfFile, btf: Btf | undefined): Extern[] {
  const typed = new Map<string, { kind: Extern["kind"]; type: number; declared: number }>();
  for (const sec of [".kconfig", ".ksyms"]) {
    const id = btf?.find(sec, Kind.DATASEC);
    if (!btf || id === undefined) continue;
    const t = btf.type(id);
    if (t.kind !== "DATASEC") continue;
    for (const v of t.vars) {
      const vt = btf.type(v.type);
      if (vt.kind === "FUNC") typed.set(vt.name, { kind: "kfunc", type: v.type, declared: vt.type });
      else if (vt.kind === "VAR") typed.set(vt.name, { kind: sec === ".kconfig" ? "kconfig" : "ksym", type: btf.skipModifiers(vt.type), declared: vt.type });
    }
  }
  const out: Extern[] = [];
  const seen = new Set<string>();
  for (const s of elf.symbols) {
    if (s.shndx !== SHN_UNDEF || s.name === "" || seen.has(s.name)) continue;
    seen.add(s.name);
    const t = typed.get(s.name);
    const weak = s.bind === STB_WEAK;
    // An extern function without BTF is still a kfunc call; its prototype just cannot be checked.
    out.push({ name: s.name, kind: t?.kind ?? "kfunc", weak, localType: t?.type ?? 0, ...(t ? { declaredType: t.declared } : {}) });
  }
  return out;
}

/**
 * The extern's index in libbpf's order of an object's externs (`.kconfig` ones first, then the
 * rest by name), which names a missing weak kfunc in its poisoned call; -1 when it is not one.
 */
export function libbpfExternIndex(externs: readonly Extern[], name: string): number {
  const kconfig = externs.filter((e) => e.kind === "kconfig").length;
  const rest = externs
    .filter((e) => e.kind !== "kconfig")
    .map((e) => e.name)
    .sort(byBytes);
  const i = rest.indexOf(name);
  return i < 0 ? -1 : kconfig + i;
}

/** strcmp's order (names are ASCII: UTF-16 code units compare the same). */
function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The name a kernel function is looked up by: its essential name, without the last `___flavour`
 * (so `scx_bpf_dsq_insert___v2___compat` asks for the kernel's `scx_bpf_dsq_insert___v2`).
 * Variables, typed or not, are looked up by their whole name, as libbpf does.
 */
export function kernelLookupName(e: Pick<Extern, "name" | "kind">): string {
  return e.kind === "kfunc" ? essentialName(e.name) : e.name;
}

