import type { Btf } from "@bpfkit/btf";
import { Kind } from "@bpfkit/btf";
import { type KernelBtfSource, runningKernel } from "@bpfkit/kernel";
import { StructOpsError } from "./errors.ts";

/** Where the kernel defines a struct_ops type. */
export interface KernelStructOps {
  readonly btf: Btf;
  /** The ops struct, e.g. tcp_congestion_ops: programs attach to it. */
  readonly typeId: number;
  /** bpf_struct_ops_<name>: the map's value type. */
  readonly valueTypeId: number;
  readonly valueSize: number;
  /** Byte offset of the ops struct inside the value (cache-line aligned, never assumed). */
  readonly dataOffset: number;
  /** The module defining it, or undefined for vmlinux. */
  readonly module: string | undefined;
}

export const VALUE_PREFIX = "bpf_struct_ops_";

/**
 * Finds `name` and its `bpf_struct_ops_<name>` value type: in vmlinux first, then in each loaded
 * module's BTF (struct_ops types such as hid_bpf_ops live in modules), of `kernel` (default: the running one).
 */
export function findKernelStructOps(name: string, map: string, kernel: KernelBtfSource = runningKernel): KernelStructOps {
  const sources: { btf: Btf; module: string | undefined }[] = [{ btf: kernel.vmlinux(), module: undefined }];
  let sawType = false;
  for (let i = 0; ; i++) {
    if (i === sources.length) {
      if (i !== 1) break;
      // Only parse module BTF when vmlinux does not have it.
      for (const m of kernel.modules()) sources.push({ btf: m.btf, module: m.name });
      if (i === sources.length) break;
    }
    const { btf, module } = sources[i]!;
    const typeId = btf.findAll(name, Kind.STRUCT).find((id) => id >= btf.firstId);
    if (typeId === undefined) continue;
    sawType = true;
    const valueTypeId = btf.findAll(VALUE_PREFIX + name, Kind.STRUCT).find((id) => id >= btf.firstId);
    if (valueTypeId === undefined) continue;
    const data = btf.members(valueTypeId).find((m) => btf.resolve(m.type) === typeId);
    if (!data) {
      throw new StructOpsError(map, "no-data-member", `${VALUE_PREFIX}${name} has no member of type ${name}`, { kernelType: name });
    }
    return { btf, typeId, valueTypeId, valueSize: btf.sizeOf(valueTypeId), dataOffset: data.bitOffset / 8, module };
  }
  if (sawType) {
    throw new StructOpsError(map, "not-struct-ops", `the kernel has struct ${name} but no ${VALUE_PREFIX}${name}: it is not a struct_ops type on this kernel`, {
      kernelType: name,
    });
  }
  throw new StructOpsError(map, "unknown-kernel-type", `the kernel has no struct ${name}; is the subsystem built in (or its module loaded)?`, { kernelType: name });
}
