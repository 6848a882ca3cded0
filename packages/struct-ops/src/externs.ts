import { readFileSync } from "node:fs";
import { type Btf, Kind } from "@bpfkit/btf";
import { type ElfFile, SHN_UNDEF, STB_WEAK } from "@bpfkit/elf";
import { ObjectError } from "./errors.ts";
import { kernelBtf, moduleBtfs } from "./kernel-btf.ts";
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

let kallsyms: Map<string, bigint> | undefined;

/** /proc/kallsyms, read once: typeless `__ksym` variables resolve to an address. */
function kallsymsAddress(name: string): bigint | undefined {
  if (!kallsyms) {
    kallsyms = new Map();
    for (const line of readFileSync("/proc/kallsyms", "utf8").split("\n")) {
      const [addr, , sym] = line.split(/\s+/);
      if (addr && sym && !kallsyms.has(sym)) kallsyms.set(sym, BigInt(`0x${addr}`));
    }
  }
  return kallsyms.get(name);
}

/**
 * Resolves a `__ksym` variable or kfunc against the running kernel, as libbpf does: by name in
 * vmlinux BTF, then in module BTF, with the declared type checked against the kernel's; typeless
 * variables through /proc/kallsyms (whose addresses read as 0 without CAP_SYSLOG).
 */
export function resolveKsym(e: Extern, local: Btf | undefined, object: string, program: string): KsymTarget {
  const fail = (msg: string): never => {
    throw new ObjectError(object, msg, { subject: `program "${program}"` });
  };
  if (e.kind === "ksym" && e.localType === 0) {
    const addr = kallsymsAddress(e.name);
    if (addr !== undefined && addr !== 0n) return { kind: "addr", addr };
    if (e.weak) return { kind: "missing" };
    return fail(`typeless ksym "${e.name}" is not in /proc/kallsyms${addr === 0n ? " (addresses read as 0: this needs CAP_SYSLOG)" : ""}; declare it __weak if it may be absent`);
  }
  const isFunc = e.kind === "kfunc";
  const found = findInKernel(e.name, isFunc ? Kind.FUNC : Kind.VAR);
  if (!found) {
    if (e.weak) return { kind: "missing" };
    const what = isFunc ? `kfunc "${e.name}"` : `ksym variable "${e.name}"`;
    return fail(`${what} is not in the kernel's BTF (vmlinux or any loaded module); declare it __weak if it may be absent`);
  }
  if (local && e.localType) {
    const kernelType = found.btf.sizeOrType(found.id); // a FUNC's prototype, a VAR's type
    const localType = isFunc ? local.sizeOrType(e.localType) : e.localType;
    const why = prototypeMismatch(local, localType, found.btf, kernelType);
    if (why) {
      if (e.weak) return { kind: "missing" };
      const what = isFunc ? `kfunc "${e.name}"` : `ksym variable "${e.name}"`;
      return fail(`${what} is declared unlike the kernel's: ${why}; declare it as the kernel does (vmlinux.h has the kernel's types)`);
    }
  }
  return { kind: "btf", id: found.id, module: found.module };
}
