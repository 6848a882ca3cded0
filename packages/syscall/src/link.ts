import { Attr, fieldEnd } from "./attr.ts";
import { bpfCall } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { AttachType } from "@bpfkit/object/uapi";
import { LinkUpdateFlags } from "@bpfkit/object/uapi";
import { Fd } from "./fd.ts";
import { LINK_CREATE as C, LINK_DETACH as D, LINK_UPDATE as U } from "./gen/attr-layout.ts";

export interface LinkCreateOptions {
  /** Program fd, or for BPF_STRUCT_OPS the struct_ops map fd. */
  readonly fd: number;
  readonly targetFd?: number;
  readonly attachType: number;
  readonly flags?: number;
  readonly targetBtfId?: number;
}

/** BPF_LINK_CREATE. */
export function linkCreate(o: LinkCreateOptions): Fd {
  // prog_fd and map_fd are one field (a union): o.fd is either.
  const a = new Attr(fieldEnd(C.target_btf_id))
    .u32(C.prog_fd, o.fd)
    .u32(C.target_fd, o.targetFd ?? 0)
    .u32(C.attach_type, o.attachType)
    .u32(C.flags, o.flags ?? 0);
  if (o.targetBtfId) a.u32(C.target_btf_id, o.targetBtfId);
  return new Fd(bpfCall(Cmd.LINK_CREATE, a), "link");
}

/** BPF_LINK_CREATE for a struct_ops map created with BPF_F_LINK: registers it. */
export function structOpsLinkCreate(mapFd: number): Fd {
  return linkCreate({ fd: mapFd, attachType: AttachType.STRUCT_OPS });
}

/**
 * BPF_LINK_UPDATE: points the link at a new program or struct_ops map. With `oldFd`, only if
 * the link still holds that one (BPF_F_REPLACE), else EPERM.
 */
export function linkUpdate(linkFd: number, newFd: number, oldFd?: number): void {
  // new_prog_fd/new_map_fd and old_prog_fd/old_map_fd are unions: a program or a map fd alike.
  const a = new Attr(fieldEnd(U.old_prog_fd)).u32(U.link_fd, linkFd).u32(U.new_prog_fd, newFd);
  if (oldFd !== undefined) a.u32(U.flags, LinkUpdateFlags.REPLACE).u32(U.old_prog_fd, oldFd);
  bpfCall(Cmd.LINK_UPDATE, a);
}

/** BPF_LINK_DETACH: detaches without closing; the fd stays valid but defunct. */
export function linkDetach(linkFd: number): void {
  bpfCall(Cmd.LINK_DETACH, new Attr(fieldEnd(D.link_fd)).u32(D.link_fd, linkFd));
}
