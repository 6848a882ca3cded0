import { BpfObject, StateError, StructOpsError } from "@bpfkit/struct-ops";
import { BpfError, backend, fdById, linkDetach, nativeBuffer, ProgFlags, ProgType, UnsupportedFeatureError } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel, trackCreated, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { runTraffic, startTraffic } from "../../../examples/tcp-cc/run-traffic.ts";
import { allowedCCs, availableCCs, EXAMPLE_CC, eventually, fixture } from "./support/paths.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeKernel("struct_ops maps and links", () => {
  checkFdLeaks();

  it("registers two congestion controls from one object; each counts only its own traffic", () => {
    using obj = BpfObject.open(fixture("two_cc"));
    obj.load();
    const links = obj.attach();
    expect(links.map((l) => l.map.name).sort()).toEqual(["cc_a", "cc_b"]);
    expect(availableCCs()).toEqual(expect.arrayContaining(["bpfkit_a", "bpfkit_b"]));
    const bss = obj.data(".bss");
    runTraffic("bpfkit_a", 2 << 20);
    const a1 = bss.get("a_acked") as bigint;
    expect(a1).toBeGreaterThan(0n);
    expect(bss.get("b_acked")).toBe(0n);
    runTraffic("bpfkit_b", 2 << 20);
    expect(bss.get("b_acked") as bigint).toBeGreaterThan(0n);
    expect(bss.get("a_acked")).toBe(a1);
  });

  it("does not load programs that only maps left uncreated use", () => {
    const obj = BpfObject.open(fixture("two_cc"));
    try {
      const { ids, error } = trackCreated(() => obj.load());
      expect(error).toBeUndefined();
      expect(obj.program("v1_pkts_acked").loaded).toBe(false);
      expect(obj.program("v2_pkts_acked").loaded).toBe(false);
      expect(obj.program("a_pkts_acked").loaded).toBe(true);
      // The kernel saw exactly the programs the created maps use.
      expect(ids.prog).toHaveLength(obj.programs.length - 2);
      expect(obj.structOps("upd_v1").created).toBe(false);
    } finally {
      obj.close();
    }
  });

  it("link.update swaps the implementation behind a name: new connections use the new programs", async () => {
    using obj = BpfObject.open(fixture("two_cc"));
    const v1 = obj.structOps("upd_v1");
    const v2 = obj.structOps("upd_v2");
    v1.autocreate = v2.autocreate = true;
    v2.autoattach = false; // same name as v1: only one can be registered
    obj.load();
    const link = obj.attach().find((l) => l.map === v1)!;
    const bss = obj.data(".bss");
    expect(link.info().structOpsMapId).toBe(v1.info().id);

    // A connection that is running while the link is updated...
    const running = startTraffic("bpfkit_upd", 1200);
    await sleep(400);
    expect(bss.get("v1_acked") as bigint).toBeGreaterThan(0n);
    link.update(v2, { expectOld: v1 });
    expect(link.info().structOpsMapId).toBe(v2.info().id);
    expect(link.map).toBe(v2);
    const v1AtUpdate = bss.get("v1_acked") as bigint;
    // ...keeps the ops it started with (the kernel never switches a live socket's congestion control),
    await running;
    expect(bss.get("v1_acked") as bigint).toBeGreaterThan(v1AtUpdate);
    expect(bss.get("v2_acked")).toBe(0n);
    // while every new connection gets the new implementation.
    const v1Before = bss.get("v1_acked");
    runTraffic("bpfkit_upd", 2 << 20);
    expect(bss.get("v2_acked") as bigint).toBeGreaterThan(0n);
    expect(bss.get("v1_acked")).toBe(v1Before);
  });

  it("link.update with a wrong expectOld is refused by the kernel and changes nothing", () => {
    using obj = BpfObject.open(fixture("two_cc"));
    const v1 = obj.structOps("upd_v1");
    const v2 = obj.structOps("upd_v2");
    v1.autocreate = v2.autocreate = true;
    v2.autoattach = false;
    obj.load();
    const link = obj.attach().find((l) => l.map === v1)!;
    let err: unknown;
    try {
      link.update(v2, { expectOld: v2 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StructOpsError);
    expect((err as StructOpsError).code).toBe("expect-old-mismatch");
    expect((err as Error).message).toMatch(/does not hold map "upd_v2".*holds "upd_v1"/);
    expect(link.info().structOpsMapId).toBe(v1.info().id);
    // The right expectation goes through, and updating back reuses v1's already-written value.
    link.update(v2, { expectOld: v1 });
    link.update(v1, { expectOld: v2 });
    expect(link.info().structOpsMapId).toBe(v1.info().id);
  });

  it("name and flags set from TypeScript before load are what the kernel registers", () => {
    const TCP_CONG_NON_RESTRICTED = 1;
    {
      using obj = BpfObject.open(EXAMPLE_CC);
      const cc = obj.structOps("bpfkit_reno");
      cc.setField("name", "bk_renamed");
      cc.setField("flags", TCP_CONG_NON_RESTRICTED);
      obj.load();
      expect(() => cc.setField("name", "too_late")).toThrow(StateError);
      obj.attach();
      expect(availableCCs()).toContain("bk_renamed");
      expect(availableCCs()).not.toContain("bpfkit_reno");
      // Non-restricted: the kernel offers it to unprivileged sockets too.
      expect(allowedCCs()).toContain("bk_renamed");
      expect(runTraffic("bk_renamed", 1 << 20).congestionControl).toBe("bk_renamed");
    }
    expect(availableCCs()).not.toContain("bk_renamed");
    {
      using obj = BpfObject.open(EXAMPLE_CC);
      obj.load();
      obj.attach();
      expect(availableCCs()).toContain("bpfkit_reno");
      expect(allowedCCs()).not.toContain("bpfkit_reno");
    }
  });

  it("the detached promise settles when the link is detached elsewhere", async () => {
    using obj = BpfObject.open(EXAMPLE_CC);
    obj.load();
    const [link] = obj.attach();
    let settled = false;
    const watching = link!.detached.then(() => {
      settled = true;
    });
    await sleep(150);
    expect(settled).toBe(false);
    // Detach through a second fd to the same link, as another process (or the CLI) would.
    using other = fdById("link", link!.info().id)!;
    linkDetach(other.value);
    expect(await eventually(() => settled, 3000)).toBe(true);
    await watching;
    expect(availableCCs()).not.toContain("bpfkit_reno");
    expect(link!.info().structOpsMapId).toBe(0);
  });

  it('leaves SEC("?syscall") programs out unless their autoload is turned on', () => {
    {
      using obj = BpfObject.open(fixture("dummy_ops"));
      expect(obj.program("optional_counter").autoload).toBe(false);
      const { ids } = trackCreated(() => obj.load());
      expect(obj.program("optional_counter").loaded).toBe(false);
      // The kernel got one program per loaded one, none for the optional program.
      expect(ids.prog.length).toBe(obj.programs.filter((p) => p.loaded).length);
    }
    using obj = BpfObject.open(fixture("dummy_ops"));
    obj.program("optional_counter").autoload = true;
    obj.load();
    expect(obj.program("optional_counter").info().type).toBe(ProgType.SYSCALL);
    expect(obj.program("optional_counter").testRun().retval).toBe(42);
  });

  it("runs bpf_dummy_ops programs with BPF_PROG_TEST_RUN and gets what the BPF code computes", () => {
    using obj = BpfObject.open(fixture("dummy_ops"));
    obj.load();
    const state = nativeBuffer(4);
    const view = new DataView(state.buffer);
    for (const v of [0, 6, -5, 1000]) {
      view.setInt32(0, v, true);
      const args = nativeBuffer(8);
      new DataView(args.buffer).setBigUint64(0, backend().address(state), true);
      const r = obj.program("dummy_test_1").testRun({ ctxIn: args });
      expect(r.retval | 0).toBe(7 * v + 3);
      expect(view.getInt32(0, true)).toBe(2 * v); // written back through the state pointer
    }
    expect(obj.program("dummy_test_1").testRun({ ctxIn: nativeBuffer(8) }).retval | 0).toBe(-1);
    const args = nativeBuffer(40);
    const a = new DataView(args.buffer);
    a.setBigUint64(0, backend().address(state), true);
    [3n, 4n, 5n, 6n].forEach((x, i) => {
      a.setBigUint64(8 * (i + 1), x, true);
    });
    expect(obj.program("dummy_test_2").testRun({ ctxIn: args }).retval | 0).toBe(3 + 40 + 500 + 6000);
    // SEC("struct_ops.s") loads sleepable: the kernel takes it in test_sleepable...
    view.setInt32(0, 41, true);
    const one = nativeBuffer(8);
    new DataView(one.buffer).setBigUint64(0, backend().address(state), true);
    expect(obj.program("dummy_sleepable").testRun({ ctxIn: one }).retval | 0).toBe(42);
    // bpf_dummy_ops exists only for test runs: registering it is refused, with a hint saying so.
    expect(() => obj.attach()).toThrow(/does not allow registering bpf_dummy_ops/);
  });

  it("loads SEC(\"struct_ops.s\") programs sleepable: the kernel refuses them in non-sleepable members", () => {
    const obj = BpfObject.open(fixture("dummy_ops"));
    try {
      expect(obj.program("dummy_sleepable").flags & ProgFlags.SLEEPABLE).toBe(ProgFlags.SLEEPABLE);
      const ops = obj.structOps("dummy");
      ops.setProgram("test_1", obj.program("dummy_sleepable"));
      ops.setProgram("test_sleepable", undefined);
      obj.program("dummy_test_1").autoload = false;
      let err: unknown;
      try {
        obj.load();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BpfError);
      expect((err as BpfError).commandName).toBe("BPF_PROG_LOAD");
      expect((err as Error).message).toContain('program "dummy_sleepable"');
      // The kernel's own member check: sleepable programs only in test_sleepable.
      expect((err as BpfError).log).toMatch(/attach to unsupported member test_1 of struct bpf_dummy_ops/);
    } finally {
      obj.close();
    }
  });

  it("association needs Linux 7.0: this kernel gets UnsupportedFeatureError, and struct_ops programs are refused", async () => {
    {
      using obj = BpfObject.open(fixture("assoc"));
      obj.load();
      const map = obj.structOps("assoc_cc");
      let err: unknown;
      try {
        obj.program("count_runs").assocStructOps(map);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnsupportedFeatureError);
      expect((err as UnsupportedFeatureError).minKernel).toBe("7.0");
      expect(() => obj.program("assoc_ssthresh").assocStructOps(map)).toThrow(StateError);
    }
    // Association at load fails the load as a whole, releasing what it created.
    const obj = BpfObject.open(fixture("assoc"));
    const { ids, error } = trackCreated(() => obj.load({ assocStructOps: true }));
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    obj.close();
    expect(await waitGone("prog", ids.prog)).toEqual([]);
    expect(await waitGone("map", ids.map)).toEqual([]);
  });
});
