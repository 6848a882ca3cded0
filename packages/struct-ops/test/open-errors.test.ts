import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ElfError } from "@bpfkit/elf";
import { BpfObject, ObjectError } from "@bpfkit/struct-ops";
import { describe, expect, it } from "vitest";

const CC = new Uint8Array(readFileSync(fileURLToPath(new URL("../../../examples/tcp-cc/cc.bpf.o", import.meta.url))));

describe("opening bad input", () => {
  it("names a non-ELF file as such, at offset 0", () => {
    const text = new TextEncoder().encode("#!/bin/sh\necho this is not an object\n");
    let err: unknown;
    try {
      BpfObject.fromBytes(text, { name: "script" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ElfError);
    expect((err as ElfError).offset).toBe(0);
    expect((err as ElfError).message).toMatch(/not an ELF file/);
  });

  it("gives a typed error saying where a truncated object ends, at every truncation point", () => {
    const seen = new Set<string>();
    for (let len = 0; len < CC.byteLength; len += 97) {
      let err: unknown;
      try {
        BpfObject.fromBytes(CC.slice(0, len), { name: "cc" });
      } catch (e) {
        err = e;
      }
      // Every truncation is caught by the ELF reader with a location — never a RangeError.
      expect(err, `truncated to ${len} bytes`).toBeInstanceOf(ElfError);
      expect((err as ElfError).offset, `truncated to ${len} bytes`).toBeTypeOf("number");
      seen.add((err as Error).message.replace(/0x[0-9a-f]+|\d+/g, "N"));
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it("refuses a big-endian object on this little-endian machine, saying how to rebuild", () => {
    const be = new Uint8Array(readFileSync(fileURLToPath(new URL("../../../fixtures/cc.bpfeb.o", import.meta.url))));
    let err: unknown;
    try {
      BpfObject.fromBytes(be, { name: "cc.bpfeb" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ObjectError);
    expect((err as Error).message).toMatch(/big-endian but this machine is little-endian; rebuild with clang -target bpf/);
  });

  it("refuses an ELF file that is not a BPF object", () => {
    // The same object with e_machine set to x86-64 (62).
    const x86 = CC.slice();
    new DataView(x86.buffer).setUint16(18, 62, true);
    expect(() => BpfObject.fromBytes(x86, { name: "cc" })).toThrow(ObjectError);
    expect(() => BpfObject.fromBytes(x86, { name: "cc" })).toThrow(/not a BPF object: ELF machine is 62/);
  });
});

describe("opening the example congestion control", () => {
  const obj = BpfObject.fromBytes(CC, { name: "cc" });

  it("finds its programs, global data and struct_ops variable without a kernel", () => {
    expect(obj.programs.map((p) => p.name).sort()).toEqual(
      ["bk_cong_avoid", "bk_cwnd_event", "bk_init", "bk_pkts_acked", "bk_ssthresh", "bk_undo_cwnd"],
    );
    expect(obj.dataMaps.map((m) => m.section).sort()).toEqual([".bss", ".data", ".rodata"]);
    expect(obj.license).toBe("GPL");
    const st = obj.structOps("bpfkit_reno");
    expect(st.isLink).toBe(true);
    expect(st.kernelTypeName).toBe("tcp_congestion_ops");
    expect(st.field("name")).toBe("bpfkit_reno");
    expect(st.program("ssthresh")?.name).toBe("bk_ssthresh");
    expect(st.program("release")).toBeUndefined();
  });

  it("reads initial global values from the ELF", () => {
    expect(obj.data(".data").get("generation")).toBe(1000n);
    expect(obj.data(".rodata").get("segment_weight")).toBe(1);
    expect(obj.data(".bss").get("acked_calls")).toBe(0n);
  });

  it("edits shadow values before load, with type checks", () => {
    const o = BpfObject.fromBytes(CC, { name: "cc" });
    const st = o.structOps("bpfkit_reno");
    st.setField("name", "other_cc");
    expect(st.field("name")).toBe("other_cc");
    expect(() => st.setField("name", "x".repeat(16))).toThrow(/at most 15 fit/);
    expect(() => st.setField("ssthresh", 1)).toThrow(/function slot/);
    st.setProgram("release", o.program("bk_init"));
    expect(st.program("release")?.name).toBe("bk_init");
    expect(() => st.field("no_such")).toThrow(/has no member "no_such"/);
  });

  it("names the available programs and maps when asked for a missing one", () => {
    expect(() => obj.program("nope")).toThrow(/no program "nope" \(has: .*bk_init/);
    expect(() => obj.structOps("nope")).toThrow(/has: bpfkit_reno/);
  });
});
