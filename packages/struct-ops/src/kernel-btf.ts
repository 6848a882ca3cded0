import { readFileSync } from "node:fs";
import { Btf, BtfError } from "@bpfkit/btf";

const VMLINUX = "/sys/kernel/btf/vmlinux";

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
