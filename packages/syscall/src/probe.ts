import { MapType } from "@bpfkit/object/uapi";
import { Attr } from "./attr.ts";
import { bpfRaw } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { ERRNO, errnoName } from "./errno.ts";
import { type Feature, feature } from "./feature.ts";
import { backend, hasBackend } from "./ffi/select.ts";
import { PROG_ASSOC_STRUCT_OPS as A, MAP_CREATE, SIZE } from "./gen/attr-layout.ts";

/**
 * Does this kernel know BPF_PROG_ASSOC_STRUCT_OPS (Linux 7.0)? Asked with fds that cannot be
 * open (-1): a kernel that knows the command looks them up and says EBADF; one that does not
 * refuses the command itself with EINVAL.
 */
export const hasProgAssocStructOps: Feature = feature("prog_assoc_struct_ops", "7.0", () => {
  const r = bpfRaw(Cmd.PROG_ASSOC_STRUCT_OPS, new Attr(SIZE.PROG_ASSOC_STRUCT_OPS).u32(A.map_fd, 0xffffffff).u32(A.prog_fd, 0xffffffff).u32(A.flags, 0));
  return !(r.ret < 0 && r.errno === ERRNO.EINVAL);
});

/**
 * Can this process use bpf() at all? Creates (and closes) a tiny array map. Returns undefined
 * when it can, else one line saying why and what to do — for tools and test gates.
 */
export function bpfUnavailable(): string | undefined {
  if (!hasBackend()) return "bpf() needs an FFI: run under Bun, or Deno with --allow-ffi";
  const a = new Attr(SIZE.MAP_CREATE)
    .u32(MAP_CREATE.map_type, MapType.ARRAY)
    .u32(MAP_CREATE.key_size, 4)
    .u32(MAP_CREATE.value_size, 4)
    .u32(MAP_CREATE.max_entries, 1);
  const r = bpfRaw(Cmd.MAP_CREATE, a);
  if (r.ret >= 0) {
    backend().call("close", [r.ret]);
    return undefined;
  }
  const code = errnoName(r.errno);
  if (code === "EPERM" || code === "EACCES") return `bpf() refused (${code}): run as root, or grant CAP_BPF and CAP_SYS_ADMIN`;
  return `bpf() failed (${code}): is CONFIG_BPF_SYSCALL enabled?`;
}
