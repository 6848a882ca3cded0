/**
 * bpfkit sched_ext example: registers bpfkit_fifo (scx_fifo.bpf.c) through a struct_ops link,
 * lets it schedule some work, prints its counters, and hands the machine back on close.
 *
 *   bun examples/sched-ext/run.ts        (root; a kernel with sched_ext, e.g. the VM tier's 7.x)
 */
import { fileURLToPath } from "node:url";
import { BpfObject } from "@bpfkit/struct-ops";
import { bpfUnavailable } from "@bpfkit/syscall";
import { busyWork, currentScheduler, hasSchedExt, schedExtState, waitForState } from "./scx.ts";

if (!hasSchedExt()) {
  console.error("this kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT); try `npm run test:vm`, which boots one");
  process.exit(1);
}
const why = bpfUnavailable();
if (why) {
  console.error(`sched-ext example: ${why}`);
  process.exit(1);
}

const obj = BpfObject.open(fileURLToPath(new URL("./scx_fifo.bpf.o", import.meta.url)));
obj.load();
const [link] = obj.attach();
if (!(await waitForState("enabled"))) throw new Error(`sched_ext did not enable (state ${schedExtState()})`);
console.log(`sched_ext ${schedExtState()}, scheduler: ${currentScheduler()}`);
link?.detached.then(() => console.log("the kernel detached the scheduler"));

busyWork();
const bss = obj.data(".bss");
for (const v of bss.variables) console.log(`  ${v.name.padEnd(12)} ${bss.get(v.name)}`);

obj.close();
await waitForState("disabled");
console.log(`closed: sched_ext ${schedExtState()}`);
