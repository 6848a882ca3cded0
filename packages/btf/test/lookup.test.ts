import { readFileSync } from "node:fs";
import { Btf, Kind } from "@bpfkit/btf";
import { moduleSplitBtf } from "@bpfkit/testing";
import { describe, expect, it } from "vitest";
import { haveKernelBtf, objectSections, root, VMLINUX } from "./support.ts";

interface Query {
  readonly name: string;
  readonly kind?: number;
}

/** The first lookups scan; then the name index answers. Both must give the same ids. */
function compare(bytes: Uint8Array, queries: readonly Query[], base?: Btf): void {
  const parse = () => Btf.parse(bytes, base ? { base } : {});
  const indexed = parse();
  // Use up the scans on names that exist nowhere, so every later lookup goes to the index.
  for (let i = 0; i < 8; i++) indexed.find(`bpfkit_warm_${i}`);
  let scanning = parse();
  let asked = 0;
  for (const q of queries) {
    // A fresh parse every four queries (two lookups each) keeps this side scanning.
    if (asked++ % 4 === 0) scanning = parse();
    expect(scanning.find(q.name, q.kind), `${q.name}/${q.kind}`).toBe(indexed.find(q.name, q.kind));
    expect(scanning.findAll(q.name, q.kind), `${q.name}/${q.kind} (all)`).toEqual(indexed.findAll(q.name, q.kind));
  }
}

/** Named types spread over the table, with and without their kind, plus names that are absent. */
function queries(btf: Btf, every: number): Query[] {
  const out: Query[] = [{ name: "" }, { name: "bpfkit_absent" }, { name: "bpfkit_absent", kind: Kind.STRUCT }];
  for (let id = btf.firstId; id <= btf.lastId; id += every) {
    const name = btf.nameOf(id);
    if (!name) continue;
    out.push({ name, kind: btf.kind(id) }, { name }, { name, kind: btf.kind(id) === Kind.STRUCT ? Kind.UNION : Kind.STRUCT });
  }
  return out;
}

describe("name lookups: the first ones scan, later ones use the index, and both agree", () => {
  it("on an object's BTF (every type)", () => {
    const bytes = objectSections(root("packages/btf/test/fixtures/kinds.bpfel.o")).btf;
    compare(bytes, queries(Btf.parse(bytes), 1));
  });

  it.skipIf(!haveKernelBtf)("on the kernel's BTF (names repeated across kinds and ids included)", () => {
    const bytes = new Uint8Array(readFileSync(VMLINUX));
    const btf = Btf.parse(bytes);
    const qs = queries(btf, 997);
    // Names with several ids or kinds: findAll must list them all, ascending.
    qs.push({ name: "u32" }, { name: "callback_head" }, { name: "file" }, { name: "task_struct" }, { name: "bpf_fentry_test1", kind: Kind.FUNC });
    compare(bytes, qs);
  });

  it("on split BTF, whose types may be named from the base's strings", () => {
    const base = objectSections(root("packages/btf/test/fixtures/kinds.bpfel.o")).btf;
    const baseBtf = Btf.parse(base);
    const split = moduleSplitBtf(baseBtf);
    const btf = Btf.parse(split, { base: baseBtf });
    compare(split, queries(btf, 1), baseBtf);
  });
});
