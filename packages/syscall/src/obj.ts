import { existsSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import { Attr, cString, fieldEnd } from "./attr.ts";
import { bpfCall } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { BpfError } from "./error.ts";
import { Fd } from "./fd.ts";
import { OBJ } from "./gen/attr-layout.ts";

/** Room for the OBJ_* attr through its last field bpfkit sets (path_fd stays 0: paths are absolute or cwd-relative). */
const OBJ_SIZE = fieldEnd(OBJ.file_flags);

/** statfs f_type of a BPF filesystem (bpffs), the only place objects can be pinned. */
export const BPF_FS_MAGIC = 0xcafe4a11;

/**
 * What is wrong with pinning at `path`, looked at only once the kernel has refused: the errno
 * alone (ENOENT, EPERM) cannot tell a missing directory from one that is not on a bpffs.
 */
function pinProblem(path: string, errno: number): string | undefined {
  if (errno === 17 /* EEXIST */) return `${path} already exists: remove it (rm ${path}) or pin under another name`;
  const dir = dirname(path);
  let type: number;
  try {
    type = statfsSync(dir).type;
  } catch {
    return existsSync(dir) ? undefined : `the directory ${dir} does not exist: create it on a bpffs (mkdir -p ${dir})`;
  }
  if (type !== BPF_FS_MAGIC) {
    return `${dir} is not on a BPF filesystem (its filesystem magic is 0x${type.toString(16)}): mount one there (mount -t bpf bpf ${dir}) or pin under an existing bpffs mount`;
  }
  return undefined;
}

/** BPF_OBJ_PIN: pins `fd` at `path` on a bpffs. A refusal says what is wrong with the path. */
export function objPin(fd: number, path: string): void {
  try {
    bpfCall(Cmd.OBJ_PIN, new Attr(OBJ_SIZE).ptr(OBJ.pathname, cString(path)).u32(OBJ.bpf_fd, fd), path);
  } catch (e) {
    const hint = e instanceof BpfError ? pinProblem(path, e.errno) : undefined;
    if (hint) throw new BpfError(Cmd.OBJ_PIN, (e as BpfError).errno, { context: path, hint });
    throw e;
  }
}

/** BPF_OBJ_GET: opens a pinned object. `flags`: BPF_F_RDONLY / BPF_F_WRONLY. */
export function objGet(path: string, kind = "pinned", flags = 0): Fd {
  const a = new Attr(OBJ_SIZE).ptr(OBJ.pathname, cString(path)).u32(OBJ.bpf_fd, 0).u32(OBJ.file_flags, flags);
  return new Fd(bpfCall(Cmd.OBJ_GET, a, path), kind);
}
