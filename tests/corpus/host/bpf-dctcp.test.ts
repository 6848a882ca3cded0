/**
 * bpf_dctcp.bpf.o's subtests from the kernel's prog_tests/bpf_tcp_ca.c that need more than the
 * parity run's one-sided traffic, through bpfkit; the .bss is read with bpftool by map id.
 * - test_dctcp: a value put in sk_stg_map for the client socket before it connects is read and
 *   deleted by bpf_dctcp's init (stg_result = 0xeB9F, the entry gone).
 * - dctcp_fallback: .rodata's fallback_cc = "cubic", a listener on bpf_dctcp and a client on
 *   cubic (so no ECN): the server side's init switches itself to cubic with bpf_setsockopt;
 *   cc_res "cubic", tcp_cdg_res -ENOTSUPP, ebusy_cnt 3 (each set in the recursive init gets EBUSY).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BpfObject } from "@bpfkit/struct-ops";
import { type CreatedIds, checkFdLeaks, describeKernel, trackCreated, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { availableCCs, dataVars, waitNameFree } from "./kernel-view.ts";
import { hostCorpus } from "./objects.ts";

const found = hostCorpus();
const entry = found.corpus?.objects.find((o) => o.name === "bpf_dctcp");
const CONNECT = fileURLToPath(new URL("./two-cc-connect.ts", import.meta.url));
const ENOTSUPP = 524;
const EXPECTED_STG = 0xeb9f;

/** One connection in a private netns (two-cc-connect.ts): the accepted socket's CC and the storage entry. */
function connect(serverCC: string, clientCC: string, stg?: { mapId: number; value: number }): { accepted: string; stored?: boolean } {
  const extra = stg ? [String(stg.mapId), String(stg.value)] : [];
  const r = spawnSync(process.execPath, [CONNECT, serverCC, clientCC, ...extra], { encoding: "utf8", timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim());
}

/**
 * Loads bpf_dctcp (only its `dctcp` map; `edit` runs before load), registers it, runs `fn`;
 * afterwards every kernel object created must be gone and bpf_dctcp unregistered.
 */
async function withDctcp(edit: (obj: BpfObject) => void, fn: (obj: BpfObject, bpftool: string) => void): Promise<void> {
  expect(await waitNameFree("bpf_dctcp"), '"bpf_dctcp" is registered by someone else').toBe(true);
  const obj = BpfObject.open(entry!.path!);
  const ids: CreatedIds = { map: [], prog: [], link: [], btf: [] };
  try {
    obj.structOps("dctcp_nouse").autocreate = false;
    edit(obj);
    const t = trackCreated(() => {
      obj.load();
      return obj.structOps("dctcp").attach();
    });
    for (const k of ["map", "prog", "link", "btf"] as const) ids[k].push(...t.ids[k]);
    expect(t.error).toBeUndefined();
    using _link = t.result!;
    expect(availableCCs()).toContain("bpf_dctcp");
    fn(obj, found.corpus!.bpftool);
  } finally {
    obj.close();
  }
  expect(availableCCs()).not.toContain("bpf_dctcp");
  for (const kind of ["link", "prog", "map", "btf"] as const) expect(await waitGone(kind, ids[kind]), `${kind}s left`).toEqual([]);
}

describeKernel("host corpus: bpf_dctcp's socket storage and fallback subtests (prog_tests/bpf_tcp_ca.c) through bpfkit", () => {
  checkFdLeaks();
  const skip = !found.corpus || !entry?.path ? (found.reason ?? `bpf_dctcp: ${entry?.skip ?? "not in the manifest"}`) : undefined;

  it("test_dctcp: init reads and deletes the client socket's sk_stg_map entry", async (ctx) => {
    if (skip) return ctx.skip(skip);
    await withDctcp(
      () => {},
      (obj, bpftool) => {
        const r = connect("bpf_dctcp", "bpf_dctcp", { mapId: obj.map("sk_stg_map").info().id, value: EXPECTED_STG });
        expect(r.accepted).toBe("bpf_dctcp");
        expect(r.stored, "the entry after connect (init deletes it)").toBe(false);
        expect(dataVars(bpftool, obj.data(".bss").info().id).stg_result).toBe(EXPECTED_STG);
      },
    );
  });

  it("dctcp_fallback: a non-ECN connection switches itself to fallback_cc from inside init", async (ctx) => {
    if (skip) return ctx.skip(skip);
    await withDctcp(
      (obj) => obj.data(".rodata").set("fallback_cc", "cubic"),
      (obj, bpftool) => {
        expect(connect("bpf_dctcp", "cubic").accepted, "the accepted socket's congestion control").toBe("cubic");
        const bss = dataVars(bpftool, obj.data(".bss").info().id);
        expect(bss.cc_res).toBe("cubic");
        expect(bss.tcp_cdg_res).toBe(-ENOTSUPP);
        expect(bss.ebusy_cnt).toBe(3);
      },
    );
  });
});
