// @bpfkit/sched-ext runs the kernel's own tools/sched_ext schedulers (built by the corpus tier,
// shipped at /corpus) on the 7.x guest as their C loaders do: the `__SCX_*` enums hold the
// kernel's values, the scheduler enables and is named by sched_ext, its counters move, a second
// one is refused naming the first, and stopping hands the machine back with the kernel's exit
// kind for a user-space unregister, leaving none of the objects it created.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { Btf } from "@bpfkit/btf";
import { possibleCpus } from "@bpfkit/kernel";
import { SchedExtError, Scheduler, type SchedulerExit } from "@bpfkit/sched-ext";
import { BpfObject } from "@bpfkit/struct-ops";
import { busyWork, currentScheduler, schedExtState, waitForState } from "../../../examples/sched-ext/scx.ts";
import { trackCreatedAsync } from "../../../tools/testing/src/created.ts";
import { waitGone } from "../../../tools/testing/src/leaks.ts";

const inVm = process.env.BPFKIT_VM === "1";
const MANIFEST = "/corpus/manifest.json";
const UNAVAILABLE = "/corpus/unavailable.txt";

interface GuestManifest {
  objects: { name: string; set: string; path?: string }[];
}

function corpusPaths(): Map<string, string> | string {
  if (!existsSync(MANIFEST)) return existsSync(UNAVAILABLE) ? readFileSync(UNAVAILABLE, "utf8").trim() : `the harness put no corpus in the guest (${MANIFEST} is missing)`;
  const m = JSON.parse(readFileSync(MANIFEST, "utf8")) as GuestManifest;
  return new Map(m.objects.filter((o) => o.set === "sched_ext" && o.path).map((o) => [o.name, o.path!]));
}

/** An enumerator's value straight from the kernel's BTF (the reference for the import). */
function kernelEnumerator(btf: Btf, type: string, name: string): bigint {
  for (const id of btf.findAll(type)) {
    const t = btf.type(id);
    if (t.kind !== "ENUM" && t.kind !== "ENUM64") continue;
    const v = t.values.find((x) => x.name === name);
    if (v) return BigInt.asUintN(64, BigInt(v.value));
  }
  throw new Error(`the kernel's BTF has no ${type}.${name}`);
}

/** The sum over CPUs of a per-CPU u64 array element, read through the map. */
function perCpuSum(obj: BpfObject, map: string, key: number): bigint {
  const v = obj.map(map).get(key);
  if (!Array.isArray(v)) throw new Error(`${map}[${key}] is not per-CPU: ${String(v)}`);
  return v.reduce<bigint>((a, x) => a + BigInt(x as bigint), 0n);
}

describe.skipIf(!inVm)("@bpfkit/sched-ext runs tools/sched_ext schedulers (7.x guest)", () => {
  const paths = inVm ? corpusPaths() : "not in the VM";
  if (typeof paths === "string") {
    (process.env.BPFKIT_REQUIRE_KERNEL === "1" ? test : test.skip)(`corpus available: ${paths}`, () => {
      throw new Error(`no sched_ext corpus in the guest: ${paths}`);
    });
    return;
  }
  const simple = paths.get("scx_simple")!;
  const central = paths.get("scx_central")!;
  const vmlinux = Btf.parse(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")));

  test("scx_simple: enums imported, enables as \"simple\", schedules, refuses a second, stops with SCX_EXIT_UNREG, leaves nothing", async () => {
    expect(schedExtState()).toBe("disabled");
    // As compiled, the constants are 0: the values below can only come from the import.
    {
      using plain = BpfObject.open(simple);
      expect(plain.data(".rodata").get("__SCX_DSQ_LOCAL")).toBe(0n);
    }
    const dsqLocal = kernelEnumerator(vmlinux, "scx_dsq_id_flags", "SCX_DSQ_LOCAL");
    const slice = kernelEnumerator(vmlinux, "scx_public_consts", "SCX_SLICE_DFL");
    const unreg = kernelEnumerator(vmlinux, "scx_exit_kind", "SCX_EXIT_UNREG");
    const hotplugSeq = BigInt(readFileSync("/sys/kernel/sched_ext/hotplug_seq", "utf8").trim());
    let summary = "";

    const { ids, error } = await trackCreatedAsync(async () => {
      await using sched = Scheduler.open(simple);
      expect(sched.warnings).toEqual([]);
      expect(sched.ops.field("hotplug_seq")).toBe(hotplugSeq);
      sched.load();
      const rodata = sched.object.data(".rodata");
      // Read back from the kernel's (frozen) .rodata map.
      expect(rodata.get("__SCX_DSQ_LOCAL")).toBe(dsqLocal);
      expect(rodata.get("__SCX_SLICE_DFL")).toBe(slice);
      expect(rodata.get("uei_dump_len")).toBe(32768);
      expect(sched.object.data(".data.uei_dump").valueSize).toBe(32768);
      expect(sched.enums.size).toBeGreaterThan(10);
      expect(schedExtState()).toBe("disabled");

      await sched.attach();
      expect(schedExtState()).toBe("enabled");
      expect(currentScheduler()).toBe("simple");

      // stats[0]: tasks queued to the local DSQ, stats[1]: to the global one (scx_simple.bpf.c).
      const before = perCpuSum(sched.object, "stats", 0) + perCpuSum(sched.object, "stats", 1);
      busyWork();
      const after = perCpuSum(sched.object, "stats", 0) + perCpuSum(sched.object, "stats", 1);
      expect(after).toBeGreaterThan(before);

      // A second scheduler is refused, naming the first; simple keeps running.
      {
        await using second = Scheduler.open(central);
        const refused = await second.attach().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(refused).toBeInstanceOf(SchedExtError);
        expect((refused as SchedExtError).code).toBe("busy");
        expect((refused as SchedExtError).message).toContain('"simple"');
        expect((refused as SchedExtError).running).toBe("simple");
      }
      expect(currentScheduler()).toBe("simple");

      const exit = await sched.stop();
      expect(schedExtState()).toBe("disabled");
      expect(currentScheduler()).toBeUndefined();
      expect(exit?.kind).toBe(Number(unreg));
      expect(exit?.kindName).toBe("SCX_EXIT_UNREG");
      expect(exit?.reason.length).toBeGreaterThan(0);
      expect(await sched.exited).toEqual(exit!);
      summary = `stats ${before} -> ${after}, exit ${exit?.kindName} (${exit?.kind}) "${exit?.reason}", ${sched.enums.size} enums`;
    });
    if (error) throw error;
    console.log(`scx_simple: ${summary}`);
    expect(await waitForState("disabled")).toBe(true);
    const left = {
      prog: await waitGone("prog", ids.prog),
      map: await waitGone("map", ids.map),
      link: await waitGone("link", ids.link),
      btf: await waitGone("btf", ids.btf),
    };
    expect(ids.link.length).toBe(1);
    expect(left).toEqual({ prog: [], map: [], link: [], btf: [] });
  });

  test("scx_central: enables as \"central\" and stops with SCX_EXIT_UNREG, leaving nothing", async () => {
    expect(schedExtState()).toBe("disabled");
    const { ids, error } = await trackCreatedAsync(async () => {
      await using sched = Scheduler.open(central);
      // What scx_central.c sets between SCX_OPS_OPEN and SCX_OPS_LOAD (our own port).
      const cpus = possibleCpus();
      const rodata = sched.object.data(".rodata");
      rodata.set("central_cpu", 0);
      rodata.set("nr_cpu_ids", cpus);
      rodata.set("slice_ns", sched.enums.get("__SCX_SLICE_DFL") ?? 0n);
      sched.object.data(".data.cpu_gimme_task").valueSize = cpus; // bool per CPU
      sched.object.data(".data.cpu_started_at").valueSize = 8 * cpus; // u64 per CPU
      sched.load();
      await sched.attach();
      expect(currentScheduler()).toBe("central");
      busyWork(4);
      const exit = await sched.stop();
      expect(exit?.kindName).toBe("SCX_EXIT_UNREG");
      expect(schedExtState()).toBe("disabled");
    });
    if (error) throw error;
    const left = {
      prog: await waitGone("prog", ids.prog),
      map: await waitGone("map", ids.map),
      link: await waitGone("link", ids.link),
      btf: await waitGone("btf", ids.btf),
    };
    expect(left).toEqual({ prog: [], map: [], link: [], btf: [] });
  });

  test("a hotplug_seq the kernel did not hand out: ejected with the kernel's message and the restart action", async () => {
    expect(schedExtState()).toBe("disabled");
    const seq = BigInt(readFileSync("/sys/kernel/sched_ext/hotplug_seq", "utf8").trim());
    const { ids, error } = await trackCreatedAsync(async () => {
      await using sched = Scheduler.open(simple);
      // What SCX_OPS_OPEN writes is what the kernel checks: a stale sequence number is refused.
      sched.ops.setField("hotplug_seq", seq + 1n);
      const outcome = await sched.attach().then(
        () => sched.exited,
        (e: unknown) => e,
      );
      let exit: SchedulerExit;
      if (outcome instanceof SchedExtError) {
        expect(outcome.code).toBe("enable-failed");
        expect(outcome.message).toContain("hotplug");
        exit = outcome.exit!;
      } else {
        exit = outcome as SchedulerExit;
      }
      console.log(`scx_simple, stale hotplug_seq: ${outcome instanceof SchedExtError ? `attach refused: ${outcome.message}` : "enabled, then ejected"}; exit ${exit.kindName} code 0x${exit.exitCode.toString(16)} "${exit.reason}" (${exit.msg})`);
      expect(exit.msg).toContain("hotplug");
      // user_exit_info.h: SCX_ECODE_ACT_RESTART = 1 << 48, SCX_ECODE_RSN_HOTPLUG = 1 << 32.
      expect(exit.restart).toBe(true);
      expect(exit.exitCode & (1n << 32n)).toBe(1n << 32n);
    });
    if (error) throw error;
    expect(await waitForState("disabled")).toBe(true);
    const left = {
      prog: await waitGone("prog", ids.prog),
      map: await waitGone("map", ids.map),
      link: await waitGone("link", ids.link),
      btf: await waitGone("btf", ids.btf),
    };
    expect(left).toEqual({ prog: [], map: [], link: [], btf: [] });
  });
});
