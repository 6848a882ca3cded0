import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BpfObject } from "@bpfkit/struct-ops";
import { afterAll, describe, expect, it } from "vitest";
import { kernelReadyBtf } from "@bpfkit/object";
import { openObject } from "../src/open.ts";
import { libbpf18, libbpfLoad } from "./support/libbpf18.ts";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/", import.meta.url));
const ref = libbpf18();
if (ref.reason) console.log(`skipping the kernel-ready BTF comparison with libbpf 1.8: ${ref.reason}`);

describe.skipIf(ref.reason !== undefined)("the BTF load gives the kernel is libbpf 1.8's, type for type", () => {
  const dir = mkdtempSync(join(tmpdir(), "bpfkit-btf-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** bpftool's text dump of a raw BTF file: every type, name, offset and linkage. */
  const dump = (bytes: Uint8Array, name: string) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return execFileSync(ref.bpftool!, ["btf", "dump", "file", file], { encoding: "utf8", maxBuffer: 1 << 28 });
  };
  /** libbpf's object BTF after open and the edits (its fix-ups: DATASECs, hidden globals, .ksyms, resizes). */
  const theirs = async (path: string, args: string[] = []) => {
    const file = join(dir, "theirs.btf");
    const held = await libbpfLoad(ref.libbpfDir!, path, ["--open-only", "1", "--dump-btf", file, ...args]);
    await held.release();
    return execFileSync(ref.bpftool!, ["btf", "dump", "file", file], { encoding: "utf8", maxBuffer: 1 << 28 });
  };
  const opens = (f: string) => {
    try {
      BpfObject.open(join(FIXTURES, f)).close();
      return true;
    } catch {
      return false; // refused at open (arena, big-endian, bad slots): nothing to compare
    }
  };

  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith(".o") && opens(x))) {
    it(f, async () => {
      const path = join(FIXTURES, f);
      const o = openObject(new Uint8Array(readFileSync(path)), f.split(".")[0]!);
      if (!o.btf) return;
      expect(dump(kernelReadyBtf(o.objectBtf.current!, o.elf, o.name, o.kconfig), "ours.btf")).toBe(await theirs(path));
    });
  }

  it("shapes.bpf.o with its data sections resized (a new ARRAY for .data.arr's last variable)", async () => {
    const path = join(FIXTURES, "shapes.bpf.o");
    const o = openObject(new Uint8Array(readFileSync(path)), "shapes");
    const section = (name: string) => o.dataMaps.find((m) => m.section === name)!;
    section(".data.arr").valueSize = 40;
    section(".data.scalars").valueSize = 24;
    const ours = dump(kernelReadyBtf(o.objectBtf.current!, o.elf, o.name, o.kconfig), "ours-resized.btf");
    expect(ours).toBe(await theirs(path, ["--value-size", ".data.arr=40", "--value-size", ".data.scalars=24"]));
    expect(ours).toMatch(/\[\d+\] ARRAY '\(anon\)' type_id=\d+ index_type_id=\d+ nr_elems=4\n$/);
  });
});
