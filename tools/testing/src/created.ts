import { type BpfInterceptor, Cmd, btfInfo, linkInfo, mapInfo, progInfo, setBpfInterceptor } from "@bpfkit/syscall";

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

/** An interceptor that asks the kernel for the id of every object bpf() creates, into `ids`. */
function recordInto(ids: CreatedIds): BpfInterceptor {
  let inside = false;
  return (cmd, _attr, next) => {
    const r = next();
    const kind = CREATES[cmd];
    if (kind && r.ret >= 0 && !inside) {
      inside = true; // the info call below is a bpf() call too
      try {
        const info = { map: mapInfo, prog: progInfo, link: linkInfo, btf: btfInfo }[kind];
        ids[kind].push(info(r.ret).id);
      } finally {
        inside = false;
      }
    }
    return r;
  };
}

/**
 * Records the kernel id of every map, program, link and BTF object created while `fn` runs, by
 * asking the kernel about each fd the moment bpf() returns it. Then tests can check those exact
 * objects are gone, without guessing from before/after listings.
 */
export function trackCreated<T>(fn: () => T): { ids: CreatedIds; result?: T; error?: unknown } {
  const ids: CreatedIds = { map: [], prog: [], link: [], btf: [] };
  setBpfInterceptor(recordInto(ids));
  try {
    return { ids, result: fn() };
  } catch (error) {
    return { ids, error };
  } finally {
    setBpfInterceptor(undefined);
  }
}

/** trackCreated for async work: records until the promise settles (run nothing else meanwhile). */
export async function trackCreatedAsync<T>(fn: () => Promise<T>): Promise<{ ids: CreatedIds; result?: T; error?: unknown }> {
  const ids: CreatedIds = { map: [], prog: [], link: [], btf: [] };
  setBpfInterceptor(recordInto(ids));
  try {
    return { ids, result: await fn() };
  } catch (error) {
    return { ids, error };
  } finally {
    setBpfInterceptor(undefined);
  }
}
