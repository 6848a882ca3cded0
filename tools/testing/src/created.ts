import { Cmd, btfInfo, linkInfo, mapInfo, progInfo, setBpfInterceptor } from "@bpfkit/syscall";

export interface CreatedIds {
  readonly map: number[];
  readonly prog: number[];
  readonly link: number[];
  readonly btf: number[];
}

const CREATES: Readonly<Record<number, keyof CreatedIds>> = {
  [Cmd.MAP_CREATE]: "map",
  [Cmd.PROG_LOAD]: "prog",
  [Cmd.LINK_CREATE]: "link",
  [Cmd.BTF_LOAD]: "btf",
};

/**
 * Records the kernel id of every map, program, link and BTF object created while `fn` runs, by
 * asking the kernel about each fd the moment bpf() returns it. Then tests can check those exact
 * objects are gone, without guessing from before/after listings.
 */
export function trackCreated<T>(fn: () => T): { ids: CreatedIds; result?: T; error?: unknown } {
  const ids: CreatedIds = { map: [], prog: [], link: [], btf: [] };
  let inside = false;
  setBpfInterceptor((cmd, _attr, next) => {
    const r = next();
    const kind = CREATES[cmd];
    if (kind && r.ret >= 0 && !inside) {
      inside = true;
      try {
        const info = { map: mapInfo, prog: progInfo, link: linkInfo, btf: btfInfo }[kind];
        ids[kind].push(info(r.ret).id);
      } finally {
        inside = false;
      }
    }
    return r;
  });
  try {
    return { ids, result: fn() };
  } catch (error) {
    return { ids, error };
  } finally {
    setBpfInterceptor(undefined);
  }
}
