import { Attr } from "./attr.ts";
import { bpfRaw } from "./call.ts";
import { Cmd } from "./cmd.ts";

const cache = new Map<string, boolean>();

function cached(name: string, probe: () => boolean): boolean {
  let v = cache.get(name);
  if (v === undefined) {
    v = probe();
    cache.set(name, v);
  }
  return v;
}

/**
 * Does this kernel know BPF_PROG_ASSOC_STRUCT_OPS (Linux 7.0)? Asked with fds that cannot be
 * open (-1): a kernel that knows the command looks them up and says EBADF; one that does not
 * refuses the command itself with EINVAL.
 */
export function hasProgAssocStructOps(): boolean {
  return cached("prog_assoc_struct_ops", () => {
    const r = bpfRaw(Cmd.PROG_ASSOC_STRUCT_OPS, new Attr(12).u32(0, 0xffffffff).u32(4, 0xffffffff).u32(8, 0));
    return !(r.ret < 0 && r.errno === 22);
  });
}

/** Forget cached probe results (tests; or after a kernel change under a long-lived process). */
export function resetProbes(): void {
  cache.clear();
}
