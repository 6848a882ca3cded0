/** The bpfkit side: same steps as libbpf-lookup.c (names on stdin), timed in-process. */
import { readFileSync } from "node:fs";
import { Btf } from "@bpfkit/btf";

const queries = readFileSync(0, "utf8").trim().split("\n").map((l) => l.split(" ")).map(([n, k]) => [n!, Number(k)] as const);
const t0 = process.hrtime.bigint();
const btf = Btf.parse(new Uint8Array(readFileSync(process.argv[2]!)));
const t1 = process.hrtime.bigint();
let found = 0;
for (const [name, kind] of queries) if (btf.find(name, kind) !== undefined) found++;
const t2 = process.hrtime.bigint();
console.log(`${t1 - t0} ${t2 - t1} ${found}`);
