import { readdirSync, readFileSync } from "node:fs";
import { Btf, BtfError } from "@bpfkit/btf";
import { btfInfo, type Fd, fdById, objectIds } from "@bpfkit/syscall";

const DIR = "/sys/kernel/btf";
const VMLINUX = `${DIR}/vmlinux`;

let vmlinux: Btf | undefined;

/**
 * The running kernel's BTF, parsed once per process (it is ~5 MB and never changes while we run).
 * Throws a BtfError saying what to do when the kernel has none.
 */
export function kernelBtf(): Btf {
  if (!vmlinux) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(VMLINUX));
    } catch (e) {
      throw new BtfError(`cannot read ${VMLINUX} (${(e as Error).message}): this kernel was built without CONFIG_DEBUG_INFO_BTF, which struct_ops needs`);
    }
    vmlinux = Btf.parse(bytes);
  }
  return vmlinux;
}

/** For tests: use this BTF as the kernel's. */
export function setKernelBtf(btf: Btf | undefined): void {
  vmlinux = btf;
}

/** A loaded kernel module's BTF (split BTF over vmlinux). */
export interface ModuleBtf {
  readonly name: string;
  readonly btf: Btf;
}

let modules: ModuleBtf[] | undefined;

/** Every loaded module's BTF, parsed on first use (only needed when vmlinux lacks a type). */
export function moduleBtfs(): readonly ModuleBtf[] {
  if (!modules) {
    let names: string[] = [];
    try {
      names = readdirSync(DIR).filter((n) => n !== "vmlinux");
    } catch {
      // no BTF directory: no modules to search
    }
    modules = names.map((name) => ({ name, btf: Btf.parse(new Uint8Array(readFileSync(`${DIR}/${name}`)), { base: kernelBtf() }) }));
  }
  return modules;
}

/** For tests: pretend these modules are loaded. */
export function setModuleBtfs(list: readonly ModuleBtf[] | undefined): void {
  modules = list ? [...list] : undefined;
}

/** An fd for a module's BTF object, found by name among the kernel's BTF objects. */
export function openModuleBtf(name: string): Fd {
  for (const id of objectIds("btf")) {
    const fd = fdById("btf", id);
    if (!fd) continue;
    if (btfInfo(fd.value).name === name) return fd;
    fd.close();
  }
  throw new BtfError(`no BTF object named "${name}" in the kernel: was module ${name} unloaded?`);
}
