import { Attr } from "./attr.ts";
import { bpfCall } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { AttachType } from "./constants.ts";
import { LinkUpdateFlags } from "./constants.ts";
import { Fd } from "./fd.ts";

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
  const a = new Attr(16).u32(0, o.fd).u32(4, o.targetFd ?? 0).u32(8, o.attachType).u32(12, o.flags ?? 0);
  if (o.targetBtfId) a.u32(16, o.targetBtfId);
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
  const a = new Attr(16).u32(0, linkFd).u32(4, newFd);
  if (oldFd !== undefined) a.u32(8, LinkUpdateFlags.REPLACE).u32(12, oldFd);
  bpfCall(Cmd.LINK_UPDATE, a);
}

/** BPF_LINK_DETACH: detaches without closing; the fd stays valid but defunct. */
export function linkDetach(linkFd: number): void {
  bpfCall(Cmd.LINK_DETACH, new Attr(4).u32(0, linkFd));
}
