// The whole path under Deno: open, load, attach a congestion control, carry real traffic,
// read counters through the kernel, close, and nothing left registered.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runTraffic } from "../../../../examples/tcp-cc/run-traffic.ts";
import { fdById } from "../../../syscall/src/index.ts";
import { assert, assertEquals, kernelTest } from "../../../syscall/test/deno/kernel.ts";
import { BpfObject } from "../../src/index.ts";

const CC = fileURLToPath(new URL("../../../../examples/tcp-cc/cc.bpf.o", import.meta.url));
const available = () => readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8");

kernelTest("Deno: a struct_ops congestion control registers, carries traffic and unregisters", () => {
  const obj = BpfObject.open(CC);
  let mapId = 0;
  try {
    obj.load();
    const [link] = obj.attach();
    assert(link, "attach returned a link");
    assert(available().includes("bpfkit_reno"), "registered");
    mapId = link.info().structOpsMapId!;
    const r = runTraffic("bpfkit_reno", 2 << 20);
    assertEquals(r.congestionControl, "bpfkit_reno");
    const acked = obj.data(".bss").get("acked_calls") as bigint;
    assert(acked > 0n, `acked_calls moved (${acked})`);
  } finally {
    obj.close();
  }
  assert(!available().includes("bpfkit_reno"), "unregistered after close");
  const fd = fdById("map", mapId);
  fd?.close();
  // The map may take an RCU grace period to go; its registration is already gone.
});
