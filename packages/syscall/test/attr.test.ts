import { describe, expect, it } from "vitest";
import { Attr, type AttrField, fieldEnd, offsetOf } from "../src/attr.ts";
import { AttrError } from "../src/error.ts";
import { MAP_CREATE, MAP_ELEM, PROG_INFO } from "../src/gen/attr-layout.ts";

describe("Attr with generated field descriptors", () => {
  it("writes each field at its offset, and is sized to the last one written", () => {
    // union bpf_attr (BPF_MAP_CREATE): map_type 0, key_size 4, max_entries 12, map_name[16] at 28.
    const a = new Attr(fieldEnd(MAP_CREATE.map_extra)).u32(MAP_CREATE.map_type, 1).u32(MAP_CREATE.max_entries, 7);
    expect(a.size).toBe(16);
    a.name(MAP_CREATE.map_name, "a-name-longer-than-sixteen");
    expect(a.size).toBe(44);
    const v = new DataView(a.bytes.buffer);
    expect(v.getUint32(0, true)).toBe(1);
    expect(v.getUint32(12, true)).toBe(7);
    expect(new TextDecoder().decode(a.bytes.subarray(28, 43))).toBe("a-name-longer-t");
    expect(a.bytes[43]).toBe(0);
    a.u64(MAP_CREATE.map_extra, 5n);
    expect(a.size).toBe(72);
    expect(a.getU64(MAP_CREATE.map_extra)).toBe(5n);
  });

  it("refuses a field written at the wrong width, saying so", () => {
    const a = new Attr(32);
    // @ts-expect-error: key is a u64 field; the compiler refuses a u32 write into it.
    const wrong = () => a.u32(MAP_ELEM.key, 1);
    expect(wrong).toThrow(AttrError);
    expect(wrong).toThrow("attr field at offset 8 is 8 bytes, written or read as 4");
    try {
      wrong();
    } catch (e) {
      expect((e as AttrError).code).toBe("field-size");
    }
    expect(a.size).toBe(0);
  });

  it("refuses a field or raw offset past the end of its buffer", () => {
    const a = new Attr(16);
    expect(() => a.u64(MAP_ELEM.flags, 1n)).toThrow(/ends past the 16-byte attr: allocate the Attr to at least 32 bytes/);
    expect(() => a.u32(16, 1)).toThrow(AttrError);
    expect(() => a.name(10, 16, "x")).toThrow(AttrError);
    expect(() => a.getU32(-4)).toThrow(AttrError);
  });

  it("offsetOf gives a hot path its plain offset, checked once", () => {
    expect(offsetOf(MAP_ELEM.key, 8)).toBe(8);
    // @ts-expect-error: map_fd is 4 bytes.
    expect(() => offsetOf(MAP_ELEM.map_fd, 8)).toThrow(AttrError);
    const bit: AttrField<4> = PROG_INFO.gpl_compatible;
    expect(bit.offset).toBe(84);
  });
});
