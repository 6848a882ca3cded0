// A sched_ext scheduler of our own, registered through a struct_ops link on the 7.x guest:
// sched_ext reports it enabled and by name, its counters move while tasks run, and closing
// the link hands the machine back.
import { describe, expect, test } from "bun:test";
import { BpfObject } from "@bpfkit/struct-ops";
import { busyWork, currentScheduler, schedExtState, waitForState } from "../../../examples/sched-ext/scx.ts";

const inVm = process.env.BPFKIT_VM === "1";

describe.skipIf(!inVm)("sched_ext scheduler (7.x)", () => {
  test("bpfkit_fifo enables, schedules real tasks, and disables on close", async () => {
    expect(schedExtState()).toBe("disabled");
    const obj = BpfObject.open("/repo/examples/sched-ext/scx_fifo.bpf.o");
    let detached = false;
    try {
      obj.load();
      // Loaded is not live.
      expect(schedExtState()).toBe("disabled");
      const [link] = obj.attach();
      expect(link?.isKernelLink).toBe(true);
      link!.detached.then(() => {
        detached = true;
      });
      expect(await waitForState("enabled")).toBe(true);
      expect(currentScheduler()).toBe("bpfkit_fifo");

      const bss = obj.data(".bss");
      expect(bss.get("init_calls")).toBe(1n);
      const before = (bss.get("enqueued") as bigint) + (bss.get("direct") as bigint);
      busyWork();
      const after = (bss.get("enqueued") as bigint) + (bss.get("direct") as bigint);
      console.log(`bpfkit_fifo: selected ${bss.get("selected")}, direct ${bss.get("direct")}, enqueued ${bss.get("enqueued")}, dispatched ${bss.get("dispatched")}`);
      expect(after).toBeGreaterThan(before);
      expect(bss.get("dispatched") as bigint).toBeGreaterThan(0n);
    } finally {
      obj.close();
    }
    expect(await waitForState("disabled")).toBe(true);
    expect(currentScheduler()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(detached).toBe(true);
  });
});
