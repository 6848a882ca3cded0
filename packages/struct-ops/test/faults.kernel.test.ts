import { BpfObject, listStructOps } from "@bpfkit/struct-ops";
import { BpfError, type BpfInterceptor, btfInfo, Cmd, fdById, linkInfo, mapDelete, mapInfo, progInfo, setBpfInterceptor } from "@bpfkit/syscall";
import { bpfFdCount, describeKernel, waitGone } from "@bpfkit/testing";
import { afterEach, expect, it } from "vitest";
import { availableCCs, EXAMPLE_CC, fixture } from "./support/paths.ts";

const ENOMEM = 12;

/**
 * Fails the n-th bpf() call (1-based) with ENOMEM and records the kernel id of every object the
 * calls before it created, so the test can check those exact objects are gone afterwards.
 */
function failNth(n: number): { calls: () => number; created: { kind: "map" | "prog" | "link" | "btf"; id: number }[] } {
  let count = 0;
  let inside = false;
  const created: { kind: "map" | "prog" | "link" | "btf"; id: number }[] = [];
  const kinds: Record<number, "map" | "prog" | "link" | "btf"> = {
    [Cmd.MAP_CREATE]: "map",
    [Cmd.PROG_LOAD]: "prog",
    [Cmd.LINK_CREATE]: "link",
    [Cmd.BTF_LOAD]: "btf",
  };
  const interceptor: BpfInterceptor = (cmd, _attr, next) => {
    if (inside) return next();
    if (++count === n) return { ret: -1, errno: ENOMEM };
    const r = next();
    const kind = kinds[cmd];
    if (kind && r.ret >= 0) {
      inside = true;
      try {
        const info = { map: mapInfo, prog: progInfo, link: linkInfo, btf: btfInfo }[kind];
        created.push({ kind, id: info(r.ret).id });
      } finally {
        inside = false;
      }
    }
    return r;
  };
  setBpfInterceptor(interceptor);
  return { calls: () => count, created };
}

function loadAndAttach(path: string, setup?: (o: BpfObject) => void): void {
  const obj = BpfObject.open(path);
  try {
    setup?.(obj);
    obj.load();
    obj.attach();
  } finally {
    obj.close();
  }
}

describeKernel("a bpf() failure at any point leaves nothing behind", () => {
  afterEach(() => setBpfInterceptor(undefined));

  for (const [name, path, setup] of [
    ["the example congestion control (.struct_ops.link, global data, kfuncs)", EXAMPLE_CC, undefined],
    ["two link maps in one object", fixture("two_cc"), undefined],
    ["a legacy .struct_ops map", fixture("legacy_cc"), undefined],
  ] as const) {
    it(name, async () => {
      // First a clean run, counting the calls a full load + attach makes.
      const total = failNth(0);
      loadAndAttach(path, setup);
      const calls = total.calls();
      setBpfInterceptor(undefined);
      expect(calls).toBeGreaterThan(5);

      const bpfFds = bpfFdCount();
      for (let n = 1; n <= calls; n++) {
        const run = failNth(n);
        let error: unknown;
        try {
          loadAndAttach(path, setup);
        } catch (e) {
          error = e;
        }
        setBpfInterceptor(undefined);
        // Every injected failure surfaces as a typed error (some calls, like lookups, are not fatal).
        if (error !== undefined) expect(error, `call ${n}`).toBeInstanceOf(BpfError);
        // The one failure that leaves something registered is the kernel refusing to unregister a
        // legacy map at close: close() must say so (and has still closed every fd).
        const stuck = listStructOps().filter((m) => m.state === "inuse" && run.created.some((c) => c.kind === "map" && c.id === m.id));
        if (stuck.length > 0) {
          expect((error as BpfError).commandName, `call ${n}`).toBe("BPF_MAP_DELETE_ELEM");
          for (const m of stuck) {
            using fd = fdById("map", m.id);
            mapDelete(fd!.value, new Uint8Array(4));
          }
        }
        expect(bpfFdCount(), `BPF fds after failing call ${n} of ${calls}`).toBe(bpfFds);
        for (const kind of ["link", "prog", "map", "btf"] as const) {
          const ids = run.created.filter((c) => c.kind === kind).map((c) => c.id);
          expect(await waitGone(kind, ids), `${kind}s left after failing call ${n}`).toEqual([]);
        }
      }
      expect(availableCCs().filter((c) => c.startsWith("bpfkit"))).toEqual([]);
    });
  }
});
