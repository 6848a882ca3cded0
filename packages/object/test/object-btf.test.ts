import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kernelReadyBtf, ObjectBtf, ObjectSpec, resizeDatasec } from "@bpfkit/object";
import { afterAll, describe, expect, it } from "vitest";
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
  const parse = (f: string) => ObjectSpec.parse(new Uint8Array(readFileSync(join(FIXTURES, f))), { name: f.split(".")[0]! });
  const parses = (f: string) => {
    try {
      parse(f);
      return true;
    } catch {
      return false; // refused at open (arena, big-endian, bad slots): nothing to compare
    }
  };

  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith(".o") && parses(x))) {
    it(f, async () => {
      const spec = parse(f);
      const btf = new ObjectBtf(spec.btf).current;
      if (!btf) return;
      expect(dump(kernelReadyBtf(btf, spec.elf, spec.name, spec.kconfig), "ours.btf")).toBe(await theirs(join(FIXTURES, f)));
    });
  }

  it("shapes.bpf.o with its data sections resized (a new ARRAY for .data.arr's last variable)", async () => {
    const path = join(FIXTURES, "shapes.bpf.o");
    const spec = parse("shapes.bpf.o");
    const holder = new ObjectBtf(spec.btf);
    const resize = (name: string, size: number) => resizeDatasec(holder, spec.elf, spec.dataSections.find((d) => d.section === name)!.map.btfValueTypeId, name, size);
    resize(".data.arr", 40);
    resize(".data.scalars", 24);
    const ours = dump(kernelReadyBtf(holder.current!, spec.elf, spec.name, spec.kconfig), "ours-resized.btf");
    expect(ours).toBe(await theirs(path, ["--value-size", ".data.arr=40", "--value-size", ".data.scalars=24"]));
    expect(ours).toMatch(/\[\d+\] ARRAY '\(anon\)' type_id=\d+ index_type_id=\d+ nr_elems=4\n$/);
  });
});
