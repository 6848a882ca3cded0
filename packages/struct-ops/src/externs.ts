import { type Btf, essentialName, Kind } from "@bpfkit/btf";
import { type ElfFile, SHN_UNDEF, STB_WEAK } from "@bpfkit/elf";
import { ObjectError } from "./errors.ts";
import { kallsymsEntry, kernelBtf, moduleBtfs } from "@bpfkit/kernel";
import { prototypeMismatch } from "./kfunc.ts";

/** An extern of the object: a `.kconfig` value, a `__ksym` variable, or a kernel function (kfunc). */
export interface Extern {
  readonly name: string;
  readonly kind: "kconfig" | "ksym" | "kfunc";
  /** Declared `__weak`: a missing one resolves to zero (or a poisoned call) instead of failing the load. */
  readonly weak: boolean;
  /** The VAR's type (0 for a typeless `extern const void x __ksym`) or the FUNC's id, in the object's BTF. */
  readonly localType: number;
}

/** Reads externs from the ELF's undefined symbols and the `.kconfig` / `.ksyms` DATASECs that type them. */
export function collectExterns(elf: ElfFile, btf: Btf | undefined): Extern[] {
  const typed = new Map<string, { kind: Extern["kind"]; type: number }>();
  for (const sec of [".kconfig", ".ksyms"]) {
    const id = btf?.find(sec, Kind.DATASEC);
    if (!btf || id === undefined) continue;
    const t = btf.type(id);
    if (t.kind !== "DATASEC") continue;
    for (const v of t.vars) {
      const vt = btf.type(v.type);
      if (vt.kind === "FUNC") typed.set(vt.name, { kind: "kfunc", type: v.type });
      else if (vt.kind === "VAR") typed.set(vt.name, { kind: sec === ".kconfig" ? "kconfig" : "ksym", type: btf.skipModifiers(vt.type) });
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
    out.push({ name: s.name, kind: t?.kind ?? "kfunc", weak, localType: t?.type ?? 0 });
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

/** Where an extern resolved: a kernel BTF id (vmlinux or a module), an address, or nothing (weak). */
export type KsymTarget =
  | { readonly kind: "btf"; readonly id: number; readonly module: string | undefined }
  | { readonly kind: "addr"; readonly addr: bigint }
  | { readonly kind: "missing" };

function findInKernel(name: string, kind: number): { btf: Btf; id: number; module: string | undefined } | undefined {
  const kb = kernelBtf();
  const id = kb.find(name, kind);
  if (id !== undefined) return { btf: kb, id, module: undefined };
  for (const m of moduleBtfs()) {
    const mid = m.btf.find(name, kind);
    if (mid !== undefined) return { btf: m.btf, id: mid, module: m.name };
  }
  return undefined;
}

/**
 * The name a kernel function is looked up by: its essential name, without the last `___flavour`
 * (so `scx_bpf_dsq_insert___v2___compat` asks for the kernel's `scx_bpf_dsq_insert___v2`).
 * Variables, typed or not, are looked up by their whole name, as libbpf does.
 */
export function kernelLookupName(e: Pick<Extern, "name" | "kind">): string {
  return e.kind === "kfunc" ? essentialName(e.name) : e.name;
}

/**
 * Resolves a `__ksym` variable or kfunc against the running kernel with libbpf's rules: a kfunc by
 * its essential name in vmlinux BTF, then module BTF, and a `__weak` one whose prototype does not
 * fit the kernel's resolves as missing (each flavour on its own, so `bpf_ksym_exists()` picks
 * the one that fits); a typed variable by its whole name, and its type must fit even when
 * `__weak`; a typeless variable by its whole name in /proc/kallsyms (whose addresses read as 0
 * without CAP_SYSLOG).
 */
export function resolveKsym(e: Extern, local: Btf | undefined, object: string, program: string): KsymTarget {
  const fail = (msg: string): never => {
    throw new ObjectError(object, msg, { subject: `program "${program}"` });
  };
  if (e.kind === "ksym" && e.localType === 0) {
    const entry = kallsymsEntry(e.name);
    if (entry?.ambiguous) return fail(`typeless ksym "${e.name}" is ambiguous: /proc/kallsyms lists it at more than one address`);
    if (entry && entry.addr !== 0n) return { kind: "addr", addr: entry.addr };
    if (e.weak) return { kind: "missing" }; // unlisted, or hidden as 0: both read as 0, as with libbpf
    return fail(
      `typeless ksym "${e.name}" is not in /proc/kallsyms${entry ? " (addresses read as 0: this needs CAP_SYSLOG)" : "; declare it __weak if it may be absent"}`,
    );
  }
  const isFunc = e.kind === "kfunc";
  const lookup = kernelLookupName(e);
  const what = isFunc ? `kfunc "${e.name}"${lookup !== e.name ? ` (kernel name ${lookup})` : ""}` : `ksym variable "${e.name}"`;
  const found = findInKernel(lookup, isFunc ? Kind.FUNC : Kind.VAR);
  if (!found) {
    if (e.weak) return { kind: "missing" };
    return fail(`${what} is not in the kernel's BTF (vmlinux or any loaded module); declare it __weak if it may be absent`);
  }
  if (local && e.localType) {
    const kernelType = found.btf.sizeOrType(found.id); // a FUNC's prototype, a VAR's type
    const localType = isFunc ? local.sizeOrType(e.localType) : e.localType;
    const why = prototypeMismatch(local, localType, found.btf, kernelType, isFunc ? "" : "its type");
    if (why) {
      // A weak kfunc that does not fit is a flavour for another kernel; a variable must fit.
      if (e.weak && isFunc) return { kind: "missing" };
      return fail(`${what} is declared unlike the kernel's: ${why}; declare it as the kernel does (vmlinux.h has the kernel's types)`);
    }
  }
  return { kind: "btf", id: found.id, module: found.module };
}
