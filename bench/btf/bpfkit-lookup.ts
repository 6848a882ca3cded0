/** The bpfkit side: the same steps as libbpf-lookup.c (names on stdin), timed in-process; the file is read as kernelBtf() reads it. */
import { readFileSync } from "node:fs";
import { Btf } from "@bpfkit/btf";
// How @bpfkit/struct-ops reads kernel BTF (kernelBtf()): internal, so imported by path.
import { readWholeFile } from "../../packages/kernel/src/read-file.ts";

const queries = readFileSync(0, "utf8")
  .trim()
  .split("\n")
  .map((l) => l.split(" "))
  .map(([n, k]) => [n!, Number(k)] as const);
const t0 = process.hrtime.bigint();
const bytes = readWholeFile(process.argv[2]!);
const t1 = process.hrtime.bigint();
const btf = Btf.parse(bytes);
const t2 = process.hrtime.bigint();
let found = btf.find(queries[0]![0], queries[0]![1]) !== undefined ? 1 : 0;
const t3 = process.hrtime.bigint();
let t8 = t3;
for (let i = 1; i < queries.length; i++) {
  if (btf.find(queries[i]![0], queries[i]![1]) !== undefined) found++;
  if (i === 7) t8 = process.hrtime.bigint();
}
const t4 = process.hrtime.bigint();
console.log(`${t1 - t0} ${t2 - t1} ${t3 - t2} ${t4 - t2} ${found} ${t8 - t2}`);
