import { Attr, cString } from "./attr.ts";
import { bpfCall } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { Fd } from "./fd.ts";

/** BPF_OBJ_PIN: pins `fd` at `path` on a bpffs. */
export function objPin(fd: number, path: string): void {
  bpfCall(Cmd.OBJ_PIN, new Attr(20).ptr(0, cString(path)).u32(8, fd), path);
}

/** BPF_OBJ_GET: opens a pinned object. `flags`: BPF_F_RDONLY / BPF_F_WRONLY. */
export function objGet(path: string, kind = "pinned", flags = 0): Fd {
  const a = new Attr(20).ptr(0, cString(path)).u32(8, 0).u32(12, flags);
  return new Fd(bpfCall(Cmd.OBJ_GET, a, path), kind);
}
