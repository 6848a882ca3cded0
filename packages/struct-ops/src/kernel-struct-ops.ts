import type { Btf } from "@bpfkit/btf";
import { Kind } from "@bpfkit/btf";
import { StructOpsError } from "./errors.ts";
import { kernelBtf } from "./kernel-btf.ts";

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
}

export const VALUE_PREFIX = "bpf_struct_ops_";

/** Finds `name` and its `bpf_struct_ops_<name>` value type in the kernel's BTF. */
export function findKernelStructOps(name: string, map: string): KernelStructOps {
  const btf = kernelBtf();
  const typeId = btf.find(name, Kind.STRUCT);
  if (typeId === undefined) {
    throw new StructOpsError(map, "unknown-kernel-type", `the kernel has no struct ${name}; is the subsystem built in (or its module loaded)?`, { kernelType: name });
  }
  const valueTypeId = btf.find(VALUE_PREFIX + name, Kind.STRUCT);
  if (valueTypeId === undefined) {
    throw new StructOpsError(map, "not-struct-ops", `the kernel has struct ${name} but no ${VALUE_PREFIX}${name}: it is not a struct_ops type on this kernel`, {
      kernelType: name,
    });
  }
  const data = btf.members(valueTypeId).find((m) => btf.resolve(m.type) === typeId);
  if (!data) {
    throw new StructOpsError(map, "no-data-member", `${VALUE_PREFIX}${name} has no member of type ${name}`, { kernelType: name });
  }
  return { btf, typeId, valueTypeId, valueSize: btf.sizeOf(valueTypeId), dataOffset: data.bitOffset / 8 };
}
