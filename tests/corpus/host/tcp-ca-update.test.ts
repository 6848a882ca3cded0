/**
 * tcp_ca_update.bpf.o's link subtests from the kernel's prog_tests/bpf_tcp_ca.c, through bpfkit's
 * Link: update_ca, update_wrong, mixed_links, multi_links and link_replace. Each states what the
 * selftests assert; the kernel's link info, its congestion control list and the object's .bss
 * (read with bpftool by map id) say whether it happened. Traffic is per socket in a private netns.
 */
import { BpfObject, type Link, StateError, StructOpsError } from "@bpfkit/struct-ops";
import { BpfError, fdById, linkInfo } from "@bpfkit/syscall";
import { type CreatedIds, checkFdLeaks, describeKernel, thrown, trackCreated, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { runTraffic } from "../../../examples/tcp-cc/run-traffic.ts";
import { availableCCs, dataVars, waitNameFree } from "./kernel-view.ts";
import { type Corpus, hostCorpus } from "./objects.ts";

const found = hostCorpus();
const entry = found.corpus?.objects.find((o) => o.name === "tcp_ca_update");
const CC = "tcp_ca_update";

/** The map a struct_ops link holds, as the kernel reports it. */
function linkedMap(link: Link): number | undefined {
  using fd = fdById("link", link.info().id);
  return fd ? linkInfo(fd.value).structOpsMapId : undefined;
}

/** One selftests connection with the tcp_ca_update congestion control (prog_tests' do_test). */
function doTest(): void {
  const t = runTraffic(CC, 1 << 20);
  expect(t.congestionControl).toBe(CC);
  expect(t.bytes).toBe(1 << 20);
}

/**
 * Runs `fn` on a freshly loaded tcp_ca_update object; afterwards every kernel object it created
 * (load and attach alike) must be gone and the congestion control unregistered.
 */
async function withObject(fn: (obj: BpfObject, counts: () => { ca1: number; ca2: number }, track: <T>(f: () => T) => T) => void): Promise<void> {
  const corpus = found.corpus as Corpus;
  expect(await waitNameFree(CC), `"${CC}" is registered by someone else`).toBe(true);
  const obj = BpfObject.open(entry!.path!);
  const ids: CreatedIds = { map: [], prog: [], link: [], btf: [] };
  const track = <T>(f: () => T): T => {
    const t = trackCreated(f);
    for (const k of ["map", "prog", "link", "btf"] as const) ids[k].push(...t.ids[k]);
    if (t.error !== undefined) throw t.error;
    return t.result as T;
  };
  try {
    track(() => obj.load());
    const bss = obj.data(".bss").info().id;
    const counts = () => {
      const v = dataVars(corpus.bpftool, bss);
      return { ca1: Number(v.ca1_cnt), ca2: Number(v.ca2_cnt) };
    };
    fn(obj, counts, track);
  } finally {
    obj.close();
  }
  expect(availableCCs()).not.toContain(CC);
  for (const kind of ["link", "prog", "map", "btf"] as const) expect(await waitGone(kind, ids[kind]), `${kind}s left`).toEqual([]);
}

describeKernel("host corpus: tcp_ca_update's link subtests (prog_tests/bpf_tcp_ca.c) through bpfkit", () => {
  checkFdLeaks();
  const skip = !found.corpus || !entry?.path ? (found.reason ?? `tcp_ca_update: ${entry?.skip ?? "not in the manifest"}`) : undefined;

  it("update_ca: after link.update(ca_update_2) new connections run ca_update_2's init, not ca_update_1's", async (ctx) => {
    if (skip) return ctx.skip(skip);
    await withObject((obj, counts, track) => {
      using link = track(() => obj.structOps("ca_update_1").attach());
      doTest();
      const saved = counts().ca1;
      expect(saved).toBeGreaterThan(0);
      link.update(obj.structOps("ca_update_2"));
      expect(linkedMap(link)).toBe(obj.structOps("ca_update_2").info().id);
      doTest();
      expect(counts().ca1).toBe(saved);
      expect(counts().ca2).toBeGreaterThan(0);
    });
  });

  it("update_wrong: updating to a map with another name fails and the link keeps ca_update_1", async (ctx) => {
    if (skip) return ctx.skip(skip);
    await withObject((obj, counts, track) => {
      using link = track(() => obj.structOps("ca_update_1").attach());
      doTest();
      const saved = counts().ca1;
      expect(saved).toBeGreaterThan(0);
      // The kernel refuses a link update that would change the congestion control's name.
      const err = thrown(() => link.update(obj.structOps("ca_wrong")));
      expect(err).toBeInstanceOf(BpfError);
      expect((err as BpfError).code).toBe("EINVAL");
      expect(linkedMap(link)).toBe(obj.structOps("ca_update_1").info().id);
      doTest();
      expect(counts().ca1).toBeGreaterThan(saved);
    });
  });

  it("mixed_links: a legacy .struct_ops registration and a link coexist; a link cannot take the legacy map", async (ctx) => {
    if (skip) return ctx.skip(skip);
    await withObject((obj, counts, track) => {
      using legacy = track(() => obj.structOps("ca_no_link").attach());
      expect(legacy.isKernelLink).toBe(false);
      expect(availableCCs()).toContain("tcp_ca_no_link");
      using link = track(() => obj.structOps("ca_update_1").attach());
      doTest();
      expect(counts().ca1).toBeGreaterThan(0);
      expect(() => link.update(obj.structOps("ca_no_link"))).toThrow(StateError);
      expect(linkedMap(link)).toBe(obj.structOps("ca_update_1").info().id);
    });
    expect(availableCCs()).not.toContain("tcp_ca_no_link");
  });

  it("multi_links: one map makes a second link after the first is destroyed", async (ctx) => {
    if (skip) return ctx.skip(skip);
    await withObject((obj, _counts, track) => {
      const map = obj.structOps("ca_update_1");
      const first = track(() => map.attach());
      const firstId = first.info().id;
      first.close();
      expect(availableCCs()).not.toContain(CC);
      using second = track(() => map.attach());
      expect(second.info().id).not.toBe(firstId);
      expect(linkedMap(second)).toBe(map.info().id);
      expect(availableCCs()).toContain(CC);
    });
  });

  it("link_replace: BPF_F_REPLACE with the wrong old map fails; with the right one it succeeds", async (ctx) => {
    if (skip) return ctx.skip(skip);
    await withObject((obj, _counts, track) => {
      const one = obj.structOps("ca_update_1");
      const two = obj.structOps("ca_update_2");
      track(() => one.attach()).close();
      using link = track(() => two.attach());
      const err = thrown(() => link.update(one, { expectOld: one }));
      expect(err).toBeInstanceOf(StructOpsError);
      expect((err as StructOpsError).code).toBe("expect-old-mismatch");
      expect(linkedMap(link)).toBe(two.info().id);
      link.update(one, { expectOld: two });
      expect(linkedMap(link)).toBe(one.info().id);
    });
  });
});
