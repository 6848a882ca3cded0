// The object model under Deno: BTF-defined maps and the typed map API, global data through mmap
// (Deno.UnsafePointerView over the mapping), .kconfig, CO-RE and kfuncs, each proven by running the code.
import { fileURLToPath } from "node:url";
import { assert, assertEquals, kernelTest } from "../../../syscall/test/deno/kernel.ts";
import { BpfObject } from "../../src/index.ts";

const fixture = (name: string) => fileURLToPath(new URL(`../../../../fixtures/${name}.bpf.o`, import.meta.url));
const args = (a: number, b: number) => new Uint8Array(new Uint32Array([a, b]).buffer);

kernelTest("Deno: .maps, typed map API, callbacks and tail calls", () => {
  const obj = BpfObject.open(fixture("maps"));
  try {
    obj.map("pinned_hash").pinPath = undefined; // no bpffs needed here
    obj.load();
    obj.map("inner_a").set(0, 41);
    obj.program("touch_maps").testRun({ ctxIn: args(5, 6) });
    obj.program("touch_maps").testRun({ ctxIn: args(5, 6) });
    assertEquals(obj.map("pinned_hash").get({ a: 5, b: 6 }), { hits: 2n, tag: "bpfkit" });
    const bss = obj.data(".bss");
    assert(bss.mapped, ".bss is mmap'ed");
    assertEquals(bss.get("loop_sum"), 45n);
    assertEquals(bss.get("inner_seen"), [42, 0, 1, 0]);
    assertEquals(obj.program("tail_caller").testRun({ dataIn: new Uint8Array(64) }).retval, 7);
  } finally {
    obj.close();
  }
});

kernelTest("Deno: custom data sections written through mmap before the program reads them", () => {
  const obj = BpfObject.open(fixture("globals"));
  try {
    obj.data(".rodata.limits").set("limit", 7);
    obj.load();
    obj.data(".data.counters").set("custom_counter", 40n); // after load: into the mapping
    obj.program("sum_globals").testRun();
    assertEquals(obj.data(".bss").get("result"), 41n * 100n + 7n + BigInt("h".charCodeAt(0)));
  } finally {
    obj.close();
  }
});

kernelTest("Deno: .kconfig and CO-RE objects load and run", () => {
  for (const name of ["kconfig", "core"]) {
    const obj = BpfObject.open(fixture(name));
    try {
      obj.load();
      for (const p of obj.programs.filter((x) => x.loaded)) assertEquals(p.testRun().retval, 0, `${name}: ${p.name}`);
    } finally {
      obj.close();
    }
  }
  const k = BpfObject.open(fixture("kconfig"));
  try {
    k.load({ kconfig: "CONFIG_HZ=1000\n" });
    k.program("read_kconfig").testRun();
    assertEquals(k.data(".bss").get("hz"), 1000);
  } finally {
    k.close();
  }
});

kernelTest("Deno: kfuncs run (conntrack lookup writes -ENOENT) and clang 16's ENUM64/TYPE_MATCHES relocations resolve", () => {
  const ct = BpfObject.open(fixture("ct_kfunc"));
  try {
    ct.load();
    assertEquals(ct.program("ct_lookup").testRun({ dataIn: new Uint8Array(64) }).retval, 2); // XDP_PASS
    assertEquals(ct.data(".data").get("lookup_error"), -2);
  } finally {
    ct.close();
  }
  const e = BpfObject.open(fixture("enum64"));
  try {
    e.load();
    e.program("read_enum64").testRun();
    assertEquals(e.data(".bss").get("context_max"), 2n ** 64n - 4095n); // uapi PERF_CONTEXT_MAX
    assertEquals(e.data(".bss").get("task_matches"), 1n);
    assertEquals(e.data(".data").get("bogus_matches"), 0n);
  } finally {
    e.close();
  }
});
