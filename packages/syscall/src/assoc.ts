import { Attr } from "./attr.ts";
import { bpfRaw } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { ERRNO } from "./errno.ts";
import { BpfError, UnsupportedFeatureError } from "./error.ts";
import { PROG_ASSOC_STRUCT_OPS as A, SIZE } from "./gen/attr-layout.ts";
import { hasProgAssocStructOps } from "./probe.ts";

/**
 * BPF_PROG_ASSOC_STRUCT_OPS: ties a (non-struct_ops) program to a struct_ops map, so BPF code in
 * it can find that map's struct_ops instance. Once set it cannot be changed.
 */
export function progAssocStructOps(progFd: number, mapFd: number, flags = 0): void {
  const r = bpfRaw(Cmd.PROG_ASSOC_STRUCT_OPS, new Attr(SIZE.PROG_ASSOC_STRUCT_OPS).u32(A.map_fd, mapFd).u32(A.prog_fd, progFd).u32(A.flags, flags));
  if (r.ret >= 0) return;
  if (r.errno === ERRNO.EINVAL && !hasProgAssocStructOps()) {
    throw new UnsupportedFeatureError("BPF_PROG_ASSOC_STRUCT_OPS", hasProgAssocStructOps.minKernel, "the kernel does not know the command");
  }
  let hint: string | undefined;
  if (r.errno === ERRNO.EBUSY) {
    hint = "the program is already associated with a different struct_ops map; an association cannot be changed once set";
  } else if (r.errno === ERRNO.EINVAL) {
    hint =
      flags !== 0
        ? `flags must be 0 (got ${flags})`
        : "the map must be a struct_ops map and the program must not be a struct_ops program (struct_ops programs are associated by their map when it is updated)";
  }
  throw new BpfError(Cmd.PROG_ASSOC_STRUCT_OPS, r.errno, hint ? { hint } : {});
}
