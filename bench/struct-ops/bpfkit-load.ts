/** The bpfkit side: same steps as libbpf-load.c, timed per iteration in one process. */
import { BpfObject } from "@bpfkit/struct-ops";

const [path, iterArg] = process.argv.slice(2);
if (!path || !iterArg) {
  console.error("usage: bpfkit-load.ts OBJ ITER");
  process.exit(2);
}
for (let i = 0; i < Number(iterArg); i++) {
  const t0 = process.hrtime.bigint();
  const obj = BpfObject.open(path);
  obj.load();
  obj.attach();
  obj.close();
  console.log(String(process.hrtime.bigint() - t0));
}
