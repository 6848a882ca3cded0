import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ElfFile } from "@bpfkit/elf";
import { moduleSplitBtf } from "../../../tools/testing/src/split-btf.ts";
import { Btf } from "../src/btf.ts";
import { BtfBuilder } from "../src/builder.ts";

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

export interface FuzzInput {
  readonly name: string;
  readonly btf: Uint8Array;
  readonly ext?: Uint8Array;
  /** For split BTF: the base it is parsed over (the mutants are of `btf` only). */
  readonly base?: Btf;
  /** Too big to walk whole per case (the kernel's): mutate and exercise around one type. */
  readonly large?: boolean;
}

/**
 * The fuzzers' seeds: every committed object's .BTF and .BTF.ext (both byte orders), split BTF
 * over a fixture, BTF with the kinds clang 14 cannot emit (ENUM64, signed enums), and the
 * running kernel's BTF when there is one.
 */
export function fuzzInputs(): FuzzInput[] {
  const out: FuzzInput[] = [];
  const dirs = ["fixtures", "packages/elf/test/fixtures", "packages/btf/test/fixtures", "examples/tcp-cc", "examples/sched-ext"];
  for (const dir of dirs) {
    for (const f of readdirSync(root(dir)).sort()) {
      if (!f.endsWith(".o")) continue;
      const elf = ElfFile.parse(new Uint8Array(readFileSync(root(`${dir}/${f}`))));
      const btf = elf.section(".BTF");
      const ext = elf.section(".BTF.ext");
      if (btf) out.push({ name: `${dir}/${f}`, btf: btf.data.slice(), ...(ext ? { ext: ext.data.slice() } : {}) });
    }
  }
  const base = Btf.parse(out.find((i) => i.name === "fixtures/two_cc.bpf.o")!.btf);
  out.push({ name: "split BTF over fixtures/two_cc.bpf.o", btf: moduleSplitBtf(base), base });
  out.push({ name: "ENUM64 and signed enums", btf: newKinds() });
  if (existsSync("/sys/kernel/btf/vmlinux")) out.push({ name: "/sys/kernel/btf/vmlinux", btf: new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")), large: true });
  return out;
}

function newKinds(): Uint8Array {
  const b = new BtfBuilder();
  const int = b.add({ kind: "INT", name: "int", size: 4, encoding: 1 });
  const e64 = b.add({ kind: "ENUM64", name: "wide", values: [{ name: "W_BIG", value: 0xfedcba9876543210n }, { name: "W_NEG", value: -2n }] });
  const e = b.add({ kind: "ENUM", name: "neg", size: 1, values: [{ name: "N", value: -1 }] });
  const anon = b.add({ kind: "UNION", size: 8, members: [{ name: "w", type: e64, bitOffset: 0 }, { name: "n", type: e, bitOffset: 0 }] });
  b.add({ kind: "STRUCT", name: "holder", size: 16, members: [{ name: "", type: anon, bitOffset: 0 }, { name: "i", type: int, bitOffset: 64, bitfieldSize: 7 }] });
  b.add({ kind: "TYPE_TAG", name: "tag", type: int });
  b.add({ kind: "DECL_TAG", name: "dtag", type: e64, componentIdx: -1 });
  return b.build();
}
