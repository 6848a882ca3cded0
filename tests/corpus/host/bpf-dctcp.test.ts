/**
 * bpf_tcp_ca.c's dctcp_fallback, through bpfkit: .rodata's fallback_cc set to "cubic" before load,
 * bpf_dctcp registered, a listening socket on bpf_dctcp and a client on cubic (so no ECN). The
 * server side's init must switch itself to cubic with bpf_setsockopt, and the .bss (read with
 * bpftool by map id) must hold what the selftests assert: cc_res "cubic", tcp_cdg_res -ENOTSUPP,
 * ebusy_cnt 3 (every TCP_CONGESTION set in the recursive init gets EBUSY).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BpfObject } from "@bpfkit/struct-ops";
import { checkFdLeaks, type CreatedIds, describeKernel, trackCreated, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { availableCCs, dataVars, waitNameFree } from "./kernel-view.ts";
import { hostCorpus } from "./objects.ts";

const found = hostCorpus();
const entry = found.corpus?.objects.find((o) => o.name === "bpf_dctcp");
const CONNECT = fileURLToPath(new URL("./two-cc-connect.ts", import.meta.url));
const ENOTSUPP = 524;

describeKernel("host corpus: bpf_dctcp falls back to cubic as prog_tests/bpf_tcp_ca.c dctcp_fallback expects", () => {
  checkFdLeaks();

  it("switches a non-ECN connection to fallback_cc from inside init", async (ctx) => {
    if (!found.corpus || !entry?.path) return ctx.skip(found.reason ?? `bpf_dctcp: ${entry?.skip ?? "not in the manifest"}`);
    const bpftool = found.corpus.bpftool;
    expect(await waitNameFree("bpf_dctcp"), '"bpf_dctcp" is registered by someone else').toBe(true);
    const obj = BpfObject.open(entry.path);
    const ids: CreatedIds = { map: [], prog: [], link: [], btf: [] };
    try {
      obj.data(".rodata").set("fallback_cc", "cubic");
      obj.structOps("dctcp_nouse").autocreate = false;
      const t = trackCreated(() => {
        obj.load();
        return obj.structOps("dctcp").attach();
      });
      for (const k of ["map", "prog", "link", "btf"] as const) ids[k].push(...t.ids[k]);
      expect(t.error).toBeUndefined();
      using _link = t.result!;
      expect(availableCCs()).toContain("bpf_dctcp");

      const r = spawnSync(process.execPath, [CONNECT, "bpf_dctcp", "cubic"], { encoding: "utf8", timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim()).accepted, "the accepted socket's congestion control").toBe("cubic");

      const bss = dataVars(bpftool, obj.data(".bss").info().id);
      expect(bss.cc_res).toBe("cubic");
      expect(bss.tcp_cdg_res).toBe(-ENOTSUPP);
      expect(bss.ebusy_cnt).toBe(3);
    } finally {
      obj.close();
    }
    expect(availableCCs()).not.toContain("bpf_dctcp");
    for (const kind of ["link", "prog", "map", "btf"] as const) expect(await waitGone(kind, ids[kind]), `${kind}s left`).toEqual([]);
  });
});
