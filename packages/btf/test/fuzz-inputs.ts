import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseElf } from "@bpfkit/elf";

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

/** The .BTF and .BTF.ext of every committed fixture object: the fuzzers' seeds. */
export function fuzzInputs(): { btf: Uint8Array; ext?: Uint8Array }[] {
  const out: { btf: Uint8Array; ext?: Uint8Array }[] = [];
  for (const f of readdirSync(root("fixtures"))) {
    if (!f.endsWith(".o")) continue;
    const elf = parseElf(new Uint8Array(readFileSync(root(`fixtures/${f}`))));
    const btf = elf.section(".BTF");
    const ext = elf.section(".BTF.ext");
    if (btf) out.push(ext ? { btf: btf.data.slice(), ext: ext.data.slice() } : { btf: btf.data.slice() });
  }
  return out;
}
