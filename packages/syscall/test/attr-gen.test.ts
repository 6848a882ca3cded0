// src/gen/attr-layout.ts is generated from the 7.x guest kernel's BTF: regenerate it here and
// check the committed file is exactly that. The BTF comes from the VM tier's kernel cache
// (filled early by `npm test`), or is fetched as that tier does when the cache is empty.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zlib from "node:zlib";
import { BtfBuilder, Btf } from "@bpfkit/btf";
import { afterAll, describe, expect, it } from "vitest";
import { generate, LAYOUT_FILE } from "../scripts/gen-attr.ts";
import { btfOfImage, cachedVmKernel, guestKernelImage, ImageError, type KernelBtf, vmlinuxOf } from "../scripts/kernel-btf.ts";
import { LayoutError, layoutOf, provenanceOf, STRUCT_NAMES } from "../scripts/layout.ts";

function guestBtf(): KernelBtf | string {
  try {
    return btfOfImage(guestKernelImage());
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
  }
}

/** The file without its header comment (which names the kernel it came from). */
function body(text: string): string {
  return text.slice(text.indexOf("\n\n") + 2);
}

const guest = guestBtf();
const NAME = "src/gen/attr-layout.ts regenerated from the 7.x guest kernel's BTF";

if (typeof guest === "string") {
  if (process.env.BPFKIT_REQUIRE_KERNEL === "1") {
    describe(NAME, () => {
      it("has the guest kernel's BTF (BPFKIT_REQUIRE_KERNEL=1)", () => {
        throw new Error(`no 7.x kernel BTF: ${guest}`);
      });
    });
  } else {
    console.log(`skipping "${NAME}": ${guest}`);
    describe.skip(NAME, () => {});
  }
} else {
  describe(NAME, () => {
    const committed = readFileSync(LAYOUT_FILE, "utf8");
    const fresh = generate(guest);

    it("matches the committed file byte for byte", () => {
      const from = provenanceOf(committed);
      expect(from, "the committed file has no provenance header: regenerate it").toBeDefined();
      if (from?.sha256 === guest.sha256) {
        expect(committed === fresh, `${LAYOUT_FILE} differs from the generator's output: run bun packages/syscall/scripts/gen-attr.ts`).toBe(true);
        return;
      }
      // The VM tier follows sid's newest kernel: one whose uapi layouts did not change gives the
      // same file but for its header. A changed layout fails here, and asks for regeneration.
      console.log(`attr layout: committed from ${from?.release}, cached guest kernel is ${guest.release}: comparing layouts only`);
      expect(body(committed) === body(fresh), `the layouts in ${guest.release}'s BTF differ from the committed ones: run bun packages/syscall/scripts/gen-attr.ts`).toBe(true);
    });

    it("names the kernel and BTF it came from, and how to regenerate", () => {
      expect(provenanceOf(fresh)).toEqual({ release: guest.release, sha256: guest.sha256 });
      expect(fresh).toContain("bun run gen:attr");
      expect(guest.release).toMatch(/^[7-9]\.\d+/);
    });

    it("covers every command struct and info struct bpfkit names", () => {
      const found = layoutOf(Btf.parse(guest.bytes)).structs.map((s) => s.name);
      expect(found).toEqual(STRUCT_NAMES);
    });
  });
}

// The generator's rules on small BTF built here, laid out as a C compiler would lay out the
// declarations in the comments.
describe("layoutOf", () => {
  /** BTF with a union bpf_attr of the members `extra` adds (an id for an anonymous one). */
  function build(extra: (b: BtfBuilder, u32: number) => (number | { name: string; type: number })[]): Btf {
    const b = new BtfBuilder();
    const uint = b.add({ kind: "INT", name: "unsigned int", size: 4 });
    const u32 = b.add({ kind: "TYPEDEF", name: "__u32", type: uint });
    const members = extra(b, u32).map((m) => (typeof m === "number" ? { type: m, bitOffset: 0 } : { ...m, bitOffset: 0 }));
    b.add({ kind: "UNION", name: "bpf_attr", size: 16, members });
    return Btf.parse(b.build());
  }

  it("flattens anonymous unions, names union alternatives, and reads bitfields", () => {
    const btf = build((b, u32) => {
      // struct { __u32 map_type; union { __u32 key_size; __u32 next_key; }; __u32 flags; }
      const inner = b.add({
        kind: "UNION",
        size: 4,
        members: [
          { name: "key_size", type: u32, bitOffset: 0 },
          { name: "next_key", type: u32, bitOffset: 0 },
        ],
      });
      const create = b.add({
        kind: "STRUCT",
        size: 12,
        members: [
          { name: "map_type", type: u32, bitOffset: 0 },
          { type: inner, bitOffset: 32 },
          { name: "flags", type: u32, bitOffset: 64 },
        ],
      });
      // struct bpf_prog_info { __u32 type; __u32 gpl_compatible:1; __u32 :31; __u32 verified:3 (at bit 68) }
      b.add({
        kind: "STRUCT",
        name: "bpf_prog_info",
        size: 12,
        members: [
          { name: "type", type: u32, bitOffset: 0 },
          { name: "gpl_compatible", type: u32, bitOffset: 32, bitfieldSize: 1 },
          { name: "late", type: u32, bitOffset: 68, bitfieldSize: 3 },
        ],
      });
      return [create];
    });
    const layout = layoutOf(btf);
    expect(layout.attrSize).toBe(16);
    const create = layout.structs.find((s) => s.name === "MAP_CREATE")!;
    expect(create.size).toBe(12);
    expect(create.entries).toEqual([
      { kind: "field", name: "map_type", offset: 0, size: 4, ctype: "__u32" },
      { kind: "field", name: "key_size", offset: 4, size: 4, ctype: "__u32", union: ["next_key"] },
      { kind: "field", name: "next_key", offset: 4, size: 4, ctype: "__u32", union: ["key_size"] },
      { kind: "field", name: "flags", offset: 8, size: 4, ctype: "__u32" },
    ]);
    const info = layout.structs.find((s) => s.name === "PROG_INFO")!;
    expect(info.entries.slice(1)).toEqual([
      { kind: "field", name: "gpl_compatible", offset: 4, size: 4, bit: 0, bits: 1, ctype: "__u32" },
      { kind: "field", name: "late", offset: 8, size: 4, bit: 4, bits: 3, ctype: "__u32" },
    ]);
  });

  it("keeps a named inner struct as a group, offsets from the top", () => {
    const btf = build((b, u32) => {
      // struct { __u32 link_fd; union { __u32 target_btf_id; struct { __u32 flags; __u32 cnt; } kprobe_multi; }; }
      const kprobe = b.add({
        kind: "STRUCT",
        size: 8,
        members: [
          { name: "flags", type: u32, bitOffset: 0 },
          { name: "cnt", type: u32, bitOffset: 32 },
        ],
      });
      const alt = b.add({
        kind: "UNION",
        size: 8,
        members: [
          { name: "target_btf_id", type: u32, bitOffset: 0 },
          { name: "kprobe_multi", type: kprobe, bitOffset: 0 },
        ],
      });
      const link = b.add({
        kind: "STRUCT",
        size: 12,
        members: [
          { name: "link_fd", type: u32, bitOffset: 0 },
          { type: alt, bitOffset: 32 },
        ],
      });
      return [{ name: "link_create", type: link }];
    });
    const link = layoutOf(btf).structs.find((s) => s.name === "LINK_CREATE")!;
    expect(link.source).toBe("union bpf_attr.link_create");
    expect(link.entries).toEqual([
      { kind: "field", name: "link_fd", offset: 0, size: 4, ctype: "__u32" },
      { kind: "field", name: "target_btf_id", offset: 4, size: 4, ctype: "__u32", union: ["kprobe_multi"] },
      {
        kind: "group",
        name: "kprobe_multi",
        offset: 4,
        size: 8,
        ctype: "struct {...}",
        entries: [
          { kind: "field", name: "flags", offset: 4, size: 4, ctype: "__u32" },
          { kind: "field", name: "cnt", offset: 8, size: 4, ctype: "__u32" },
        ],
      },
    ]);
  });

  it("refuses an anonymous command struct it has no name for, naming its members", () => {
    const btf = build((b, u32) => [
      b.add({
        kind: "STRUCT",
        size: 8,
        members: [
          { name: "brand_new", type: u32, bitOffset: 0 },
          { name: "fields", type: u32, bitOffset: 32 },
        ],
      }),
    ]);
    expect(() => layoutOf(btf)).toThrow(LayoutError);
    expect(() => layoutOf(btf)).toThrow(/members brand_new, fields\) is no command layout\.ts knows: add it to ATTR_MEMBERS/);
  });

  it("says so when the BTF has no union bpf_attr", () => {
    const b = new BtfBuilder();
    b.add({ kind: "INT", name: "int", size: 4, encoding: 1 });
    expect(() => layoutOf(Btf.parse(b.build()))).toThrow(/no union bpf_attr/);
  });
});

describe("finding and unpacking the guest kernel", () => {
  const dir = mkdtempSync(join(tmpdir(), "bpfkit-attr-gen-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A bzImage as the x86 boot protocol lays it out: setup sectors, then the compressed vmlinux. */
  function bzImage(payload: Uint8Array, release: string): Uint8Array {
    const setupSects = 1;
    const start = (setupSects + 1) * 512;
    const image = new Uint8Array(start + payload.byteLength);
    const v = new DataView(image.buffer);
    image[0x1f1] = setupSects;
    v.setUint32(0x202, 0x53726448, true); // "HdrS"
    v.setUint16(0x206, 0x20f, true); // boot protocol 2.15
    const version = new TextEncoder().encode(`${release} (builder@example) #1 SMP\0`);
    image.set(version, 0x300);
    v.setUint16(0x20e, 0x300 - 0x200, true); // kernel_version, from 0x200
    v.setUint32(0x248, 0, true); // payload_offset, from the protected-mode start
    v.setUint32(0x24c, payload.byteLength, true);
    image.set(payload, start);
    return image;
  }

  const elf = Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(56).fill(0));

  it("unpacks a gzip payload and reads the release from the boot header", () => {
    const out = vmlinuxOf(bzImage(new Uint8Array(zlib.gzipSync(elf)), "7.9.1-test"), "test image");
    expect(out.release).toBe("7.9.1-test");
    expect(Array.from(out.elf)).toEqual(Array.from(elf));
  });

  it("unpacks a zstd payload with the build's appended size after it", () => {
    const z = zlib as unknown as { zstdCompressSync?: (b: Uint8Array) => Uint8Array };
    if (!z.zstdCompressSync) return; // Node < 22.15: no zstd encoder to make the test image with
    const frame = new Uint8Array(z.zstdCompressSync(elf));
    const payload = new Uint8Array(frame.byteLength + 4);
    payload.set(frame);
    new DataView(payload.buffer).setUint32(frame.byteLength, elf.byteLength, true);
    expect(Array.from(vmlinuxOf(bzImage(payload, "7.9.2"), "test image").elf)).toEqual(Array.from(elf));
  });

  it("refuses what is neither a bzImage nor an ELF, and an unknown compression", () => {
    expect(() => vmlinuxOf(new Uint8Array(1024), "junk")).toThrow(ImageError);
    expect(() => vmlinuxOf(new Uint8Array(1024), "junk")).toThrow(/junk is neither a bzImage/);
    expect(() => vmlinuxOf(bzImage(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), "7.0"), "odd")).toThrow(/odd: unknown compression \(payload starts 01 02 03 04 05 06\)/);
  });

  it("reads the VM tier's current.json, and fails in one line when there is no kernel to be had", () => {
    const cache = join(dir, "kernel");
    mkdirSync(join(cache, "7.9.1"), { recursive: true });
    expect(cachedVmKernel(cache)).toBeUndefined();
    writeFileSync(join(cache, "7.9.1", "vmlinuz"), "x");
    writeFileSync(join(cache, "current.json"), JSON.stringify({ vmlinuz: "7.9.1/vmlinuz" }));
    expect(cachedVmKernel(cache)).toBe(join(cache, "7.9.1", "vmlinuz"));

    // An empty cache, and a fetcher that fails as ensureKernel() does without a network.
    const fetcher = join(dir, "kernel.ts");
    writeFileSync(fetcher, 'export function ensureKernel() { throw new Error("apt-get update failed: Temporary failure resolving deb.debian.org"); }\n');
    let message = "";
    try {
      guestKernelImage(join(dir, "empty"), fetcher);
    } catch (e) {
      expect(e).toBeInstanceOf(ImageError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/^no 7\.x kernel cached in tests\/vm\/\.cache\/kernel and ensureKernel\(\) failed: .*Temporary failure resolving deb\.debian\.org/);
    expect(message).not.toContain("\n");
  });

  it("says what a kernel image without .BTF is", () => {
    const path = join(dir, "not-a-kernel");
    writeFileSync(path, new Uint8Array(2048));
    expect(() => btfOfImage(path)).toThrow(/neither a bzImage .* nor an ELF vmlinux/);
  });
});
