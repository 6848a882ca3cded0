import { readFileSync } from "node:fs";
import { ElfFile, SHT_SYMTAB, STB_GLOBAL } from "@bpfkit/elf";
import { BpfObject, ObjectError } from "@bpfkit/struct-ops";
import { checkFdLeaks, describeKernel, thrown, trackCreated, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

const EXTERNS = fixture("externs");

/** The kernel's own symbol table, read here independently of the loader. */
function kallsyms(name: string): bigint {
  for (const line of readFileSync("/proc/kallsyms", "utf8").split("\n")) {
    const [addr, , sym] = line.split(/\s+/);
    if (sym === name) return BigInt(`0x${addr}`);
  }
  throw new Error(`${name} is not in /proc/kallsyms`);
}

/** The object with one symbol's binding changed (weak → global): the same code, a strong extern. */
function withStrong(symbol: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(EXTERNS));
  const elf = ElfFile.parse(bytes);
  const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB)!;
  const sym = elf.symbols.find((s) => s.name === symbol)!;
  const info = symtab.offset + sym.index * 24 + 4;
  bytes[info] = (STB_GLOBAL << 4) | (bytes[info]! & 0xf);
  return bytes;
}

describeKernel("externs: __ksym variables, kfuncs, __weak", () => {
  checkFdLeaks();

  it("resolves typeless ksyms, kfunc existence, absent weak externs, and runs", () => {
    using obj = BpfObject.open(EXTERNS);
    obj.load();
    expect(obj.program("read_externs").testRun().retval).toBe(0);
    const bss = obj.data(".bss");
    const data = obj.data(".data");
    expect(bss.get("stext_addr")).toBe(kallsyms("_stext"));
    expect(data.get("missing_var_addr")).toBe(0n); // was 1 in the object: the program stored &absent == 0
    expect(bss.get("have_rcu_lock")).toBe(1);
    expect(data.get("have_missing_kfunc")).toBe(0);
  });

  it("refuses a strong extern the kernel lacks, naming it, and releases what it made", async () => {
    using obj = BpfObject.fromBytes(withStrong("bpfkit_no_such_var"), { name: "externs" });
    const t = trackCreated(() => obj.load());
    const err = thrown(() => {
      if (t.error) throw t.error;
    });
    expect(err).toBeInstanceOf(ObjectError);
    expect((err as Error).message).toMatch(/ksym variable "bpfkit_no_such_var" is not in the kernel's BTF .*declare it __weak/);
    expect((err as Error).message).toContain('program "read_externs"');
    expect(await waitGone("map", t.ids.map)).toEqual([]);
    expect(await waitGone("btf", t.ids.btf)).toEqual([]);
  });

  it("calls conntrack kfuncs, which the kernel runs: a lookup of no connection writes -ENOENT", () => {
    // Built into this kernel, so found in vmlinux; the VM tier loads the same object where they
    // live in the nf_conntrack module (fd_array).
    using obj = BpfObject.open(fixture("ct_kfunc"));
    obj.load();
    const r = obj.program("ct_lookup").testRun({ dataIn: new Uint8Array(64) });
    expect(r.retval).toBe(2); // XDP_PASS
    const data = obj.data(".data");
    expect(data.get("lookup_error")).toBe(-2); // was 1 in the object
    expect(data.get("found")).toBe(0); // was -1
  });

  it("refuses a strong kfunc the kernel lacks", () => {
    using obj = BpfObject.fromBytes(withStrong("bpfkit_no_such_kfunc"), { name: "externs" });
    expect(() => obj.load()).toThrow(/kfunc "bpfkit_no_such_kfunc" is not in the kernel's BTF/);
  });
});
