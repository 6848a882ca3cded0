import { Attr, fieldEnd } from "./attr.ts";
import { bpfCall, bpfRaw } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { BpfError } from "./error.ts";
import { Fd } from "./fd.ts";
import { GET_ID as G } from "./gen/attr-layout.ts";

/** Room for the *_GET_* attr through open_flags (which bpfkit leaves 0). */
const ID_SIZE = fieldEnd(G.open_flags);

export type ObjectKind = "prog" | "map" | "link" | "btf";

const NEXT: Record<ObjectKind, number> = {
  prog: Cmd.PROG_GET_NEXT_ID,
  map: Cmd.MAP_GET_NEXT_ID,
  link: Cmd.LINK_GET_NEXT_ID,
  btf: Cmd.BTF_GET_NEXT_ID,
};
const BY_ID: Record<ObjectKind, number> = {
  prog: Cmd.PROG_GET_FD_BY_ID,
  map: Cmd.MAP_GET_FD_BY_ID,
  link: Cmd.LINK_GET_FD_BY_ID,
  btf: Cmd.BTF_GET_FD_BY_ID,
};

/** Every id of that kind the kernel holds now, ascending (*_GET_NEXT_ID). */
export function objectIds(kind: ObjectKind): number[] {
  const ids: number[] = [];
  let id = 0;
  for (;;) {
    const a = new Attr(ID_SIZE).u32(G.start_id, id);
    const r = bpfRaw(NEXT[kind], a);
    if (r.ret < 0) {
      if (r.errno === 2 /* ENOENT: no more */) return ids;
      throw new BpfError(NEXT[kind], r.errno);
    }
    id = a.getU32(G.next_id);
    ids.push(id);
  }
}

/** *_GET_FD_BY_ID; undefined when no object has that id (any more). */
export function fdById(kind: ObjectKind, id: number): Fd | undefined {
  // prog_id, map_id, btf_id and link_id are one field (a union).
  const r = bpfRaw(BY_ID[kind], new Attr(ID_SIZE).u32(G.prog_id, id));
  if (r.ret >= 0) return new Fd(r.ret, kind);
  if (r.errno === 2) return undefined;
  throw new BpfError(BY_ID[kind], r.errno, { context: `${kind} id ${id}` });
}

/** Like fdById, but a missing object is an error. */
export function openById(kind: ObjectKind, id: number): Fd {
  const a = new Attr(ID_SIZE).u32(G.prog_id, id);
  return new Fd(bpfCall(BY_ID[kind], a, `${kind} id ${id}`), kind);
}
