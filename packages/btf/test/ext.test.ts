import { BtfExt, CoreReloKind } from "@bpfkit/btf";
import { describe, expect, it } from "vitest";
import { objectBtf, objectSections, root } from "./support.ts";

/** The member an access string "0:i:j…" ends at, walked through the object's own BTF. */
function accessed(path: string, typeId: number, access: string): string {
  const btf = objectBtf(path);
  let t = typeId;
  let name = btf.nameOf(t);
  for (const i of access.split(":").slice(1).map(Number)) {
    const m = btf.members(t)[i]!;
    name = m.name;
    t = m.type;
  }
  return name;
}

describe(".BTF.ext", () => {
  it("func_info and line_info per section, in both byte orders", () => {
    for (const order of ["bpfel", "bpfeb"]) {
      const path = root(`packages/btf/test/fixtures/kinds.${order}.o`);
      const btf = objectBtf(path);
      const ext = BtfExt.parse(objectSections(path).ext!, btf);
      expect([ext.funcInfoRecSize, ext.lineInfoRecSize, ext.coreReloRecSize]).toEqual([8, 16, 16]);
      expect(ext.funcInfo.map((s) => [s.section, s.records.map((r) => [r.insnOff, btf.nameOf(r.typeId)])])).toEqual([
        [".text", [[0, "global_helper"], [24, "helper"]]],
        ["tc", [[0, "prog"]]],
      ]);
      for (const s of ext.lineInfo) {
        expect(s.records.length).toBeGreaterThan(0);
        for (const r of s.records) {
          expect(btf.strings.get(r.fileNameOff)).toMatch(/kinds\.bpf\.c$/);
          expect(r.insnOff % 8).toBe(0);
        }
        expect(Math.max(...s.records.map((r) => r.lineCol >>> 10))).toBeGreaterThan(100); // line numbers in the source
      }
      expect(ext.coreRelos).toEqual([]);
    }
  });

  it("CO-RE relocations: field accesses into kernel structs, resolved through the object's BTF", () => {
    const path = root("packages/btf/test/fixtures/vmlinux.bpf.o");
    const btf = objectBtf(path);
    const ext = BtfExt.parse(objectSections(path).ext!, btf);
    const relos = ext.coreRelos.flatMap((s) => s.records.map((r) => ({ section: s.section, type: btf.nameOf(r.typeId), field: accessed(path, r.typeId, r.accessStr), kind: r.kind })));
    expect(relos).toContainEqual({ section: "struct_ops", type: "task_struct", field: "pid", kind: CoreReloKind.FIELD_BYTE_OFFSET });
    // BPF_CORE_READ_BITFIELD_PROBED of sk_protocol: offset, size, signedness and both shifts.
    const protocol = relos.filter((r) => r.type === "sock" && r.field === "sk_protocol").map((r) => r.kind);
    expect(new Set(protocol)).toEqual(
      new Set([CoreReloKind.FIELD_BYTE_OFFSET, CoreReloKind.FIELD_BYTE_SIZE, CoreReloKind.FIELD_SIGNED, CoreReloKind.FIELD_LSHIFT_U64, CoreReloKind.FIELD_RSHIFT_U64]),
    );
    expect(relos).toContainEqual({ section: "struct_ops", type: "tcp_sock", field: "snd_cwnd_clamp", kind: CoreReloKind.FIELD_BYTE_OFFSET });
  });
});
