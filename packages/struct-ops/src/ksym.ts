import { type Btf, Kind } from "@bpfkit/btf";
import { type KernelBtfSource, kallsymsEntry, runningKernel } from "@bpfkit/kernel";
import { type Extern, kernelLookupName, ObjectError, prototypeMismatch } from "@bpfkit/object";

/** Where an extern resolved: a kernel BTF id (vmlinux or a module), an address, or nothing (weak). */
export type KsymTarget =
  | { readonly kind: "btf"; readonly id: number; readonly module: string | undefined }
  | { readonly kind: "addr"; readonly addr: bigint }
  | { readonly kind: "missing" };

function findInKernel(kernel: KernelBtfSource, name: string, kind: number): { btf: Btf; id: number; module: string | undefined } | undefined {
  const kb = kernel.vmlinux();
  const id = kb.find(name, kind);
  if (id !== undefined) return { btf: kb, id, module: undefined };
  for (const m of kernel.modules()) {
    const mid = m.btf.find(name, kind);
    if (mid !== undefined) return { btf: m.btf, id: mid, module: m.name };
  }
  return undefined;
}

/**
 * Resolves a `__ksym` variable or kfunc against the running kernel with libbpf's rules: a kfunc by
 * its essential name in vmlinux BTF, then module BTF, and a `__weak` one whose prototype does not
 * fit the kernel's resolves as missing (each flavour on its own, so `bpf_ksym_exists()` picks
 * the one that fits); a typed variable by its whole name, and its type must fit even when
 * `__weak`; a typeless variable by its whole name in /proc/kallsyms (whose addresses read as 0
 * without CAP_SYSLOG).
 */
export function resolveKsym(e: Extern, local: Btf | undefined, object: string, program: string, kernel: KernelBtfSource = runningKernel): KsymTarget {
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
  const found = findInKernel(kernel, lookup, isFunc ? Kind.FUNC : Kind.VAR);
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
