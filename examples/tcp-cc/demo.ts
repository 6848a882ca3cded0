/**
 * bpfkit demo: registers a BPF TCP congestion control written in C, pushes real traffic through
 * it over loopback in a private network namespace, and prints what the congestion control saw.
 *
 *   npm run demo            (needs root, or CAP_BPF + CAP_SYS_ADMIN + CAP_NET_ADMIN)
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BpfObject } from "@bpfkit/struct-ops";
import { bpfUnavailable } from "@bpfkit/syscall";
import { runTraffic } from "./run-traffic.ts";

const OBJECT = fileURLToPath(new URL("./cc.bpf.o", import.meta.url));
const BYTES = 16 << 20;
const available = () => readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8").trim().split(/\s+/);

const unavailable = bpfUnavailable();
if (unavailable) {
  console.error(`bpfkit demo: ${unavailable}. It also needs CAP_NET_ADMIN for its network namespace:`);
  console.error("  sudo npm run demo");
  process.exit(1);
}
using obj = BpfObject.open(OBJECT);
const cc = obj.structOps("bpfkit_reno");
console.log(`opened ${obj.name}: programs ${obj.programs.map((p) => p.name).join(", ")}`);
// Settable before load: .rodata constants and struct_ops data members.
obj.data(".rodata").set("segment_weight", 1);
obj.load();
const [link] = obj.attach();
if (!link) throw new Error("nothing was registered");
console.log(`registered ${cc.field("name")} (${cc.kernelTypeName}): map id ${cc.info().id}, link id ${link.info().id}`);
console.log(`tcp_available_congestion_control: ${available().join(" ")}`);

console.log(`pushing ${BYTES >> 20} MiB over loopback (MTU 1500) in a private network namespace...`);
const traffic = runTraffic(String(cc.field("name")), BYTES);
console.log(`socket used congestion control "${traffic.congestionControl}", moved ${traffic.bytes} bytes in ${traffic.ms} ms`);

const bss = obj.data(".bss");
console.log("what bpfkit_reno saw:");
for (const v of bss.variables) console.log(`  ${v.name.padEnd(18)} ${bss.get(v.name)}`);
console.log(`  ${"generation".padEnd(18)} ${obj.data(".data").get("generation")}  (.data, +1 per connection)`);

obj.close();
const still = available().includes(String(cc.field("name")));
console.log(still ? "warning: still registered after close!" : "closed: bpfkit_reno unregistered");
process.exitCode = still ? 1 : 0;
