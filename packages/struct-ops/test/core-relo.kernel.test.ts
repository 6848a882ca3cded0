import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Btf, BtfExt, type CoreRelo, CoreReloKind, Kind } from "@bpfkit/btf";
import { ElfFile } from "@bpfkit/elf";
import { applyCoreRelos } from "@bpfkit/object";
import { BpfObject } from "@bpfkit/struct-ops";
import { checkFdLeaks, describeKernel, useBpffs } from "@bpfkit/testing";
import { afterAll, expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

/**
 * The oracle is libbpf (Debian's 1.1, through `bpftool -d prog loadall`): its debug log names
 * every CO-RE relocation it applies, with the program instruction and the new value. The
 * fixture's one program has no subprograms, so program instruction = section instruction -
 * the program's start. Replaying that log over the original code must give exactly the bytes
 * bpfkit's engine produces.
 */

const SECTION = "syscall";
const PROGRAM = "core_all";
const POISON_HELPER = 0xbad2310;

type Patch =
  | { readonly relo: number; readonly insn: number; readonly what: "imm" | "off" | "mem_sz" | "imm64"; readonly to: bigint }
  | { readonly relo: number; readonly insn: number; readonly what: "poison" };

/** libbpf's per-relocation debug lines for `program`. */
function libbpfPatches(log: string, program: string): Patch[] {
  const out: Patch[] = [];
  const patched = /prog '([^']+)': relo #(\d+): patched insn #(\d+) \([A-Z/0-9]+\) (imm64|imm|off|mem_sz) (-?\d+) -> (-?\d+)/;
  const poisoned = /prog '([^']+)': relo #(\d+): substituting insn #(\d+) w\/ invalid insn/;
  for (const line of log.split("\n")) {
    const p = patched.exec(line);
    if (p && p[1] === program) {
      out.push({ relo: Number(p[2]), insn: Number(p[3]), what: p[4] as "imm" | "off" | "mem_sz" | "imm64", to: BigInt(p[6]!) });
      continue;
    }
    const q = poisoned.exec(line);
    if (q && q[1] === program) out.push({ relo: Number(q[2]), insn: Number(q[3]), what: "poison" });
  }
  return out;
}

/** The program's code with libbpf's logged patches replayed over it. */
function replay(code: Uint8Array, patches: readonly Patch[]): Uint8Array {
  const out = code.slice();
  const v = new DataView(out.buffer);
  for (const p of patches) {
    const o = p.insn * 8;
    switch (p.what) {
      case "imm":
        v.setInt32(o + 4, Number(BigInt.asIntN(32, p.to)), true);
        break;
      case "off":
        v.setInt16(o + 2, Number(p.to), true);
        break;
      case "mem_sz":
        out[o] = (out[o]! & ~0x18) | ([4, 2, 1, 8].indexOf(Number(p.to)) << 3);
        break;
      case "imm64":
        v.setUint32(o + 4, Number(p.to & 0xffffffffn), true);
        v.setUint32(o + 12, Number(p.to >> 32n), true);
        break;
      case "poison":
        out.set([0x85, 0, 0, 0], o);
        v.setInt32(o + 4, POISON_HELPER, true);
        break;
    }
  }
  return out;
}

/**
 * clang 14 cannot emit TYPE_MATCHES, so the fixture emits TYPE_EXISTS on `___tm` flavours:
 * rewrite those records' kind in .BTF.ext (a copy), for libbpf and for us alike.
 */
function withTypeMatches(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  const elf = ElfFile.parse(copy);
  const btf = Btf.parse(elf.section(".BTF")!.data);
  const ext = elf.section(".BTF.ext")!.data;
  const v = new DataView(ext.buffer, ext.byteOffset, ext.byteLength);
  let p = v.getUint32(4, true) + v.getUint32(24, true);
  const end = p + v.getUint32(28, true);
  const recSize = v.getUint32(p, true);
  for (p += 4; p < end; ) {
    const n = v.getUint32(p + 4, true);
    p += 8;
    for (let i = 0; i < n; i++, p += recSize) {
      if (v.getUint32(p + 12, true) === CoreReloKind.TYPE_EXISTS && btf.nameOf(v.getUint32(p + 4, true)).endsWith("___tm")) {
        v.setUint32(p + 12, CoreReloKind.TYPE_MATCHES, true);
      }
    }
  }
  return copy;
}

/** bpfkit's engine over the object: the program's code, original and relocated, and its records. */
function relocate(
  bytes: Uint8Array,
  vmlinux: Btf,
  program = PROGRAM,
): { original: Uint8Array; ours: Uint8Array; records: readonly CoreRelo[]; local: Btf } {
  const elf = ElfFile.parse(bytes);
  const local = Btf.parse(elf.section(".BTF")!.data);
  const ext = BtfExt.parse(elf.section(".BTF.ext")!.data, local);
  const records = ext.coreRelos.find((s) => s.section === SECTION)!.records;
  const sec = elf.section(SECTION)!;
  const sym = elf.symbols.find((s) => s.name === program && s.shndx === sec.index)!;
  const start = sym.value / 8;
  const count = sym.size / 8;
  const original = sec.data.slice(sym.value, sym.value + sym.size);
  const ours = original.slice();
  applyCoreRelos({ local, targets: [vmlinux] }, ours, SECTION, start, count, records, { object: "core", program });
  return { original, ours, records, local };
}

describeKernel("CO-RE relocations: bpfkit patches what libbpf patches", () => {
  const bpffs = useBpffs();
  checkFdLeaks();
  const vmlinux = Btf.parse(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")));
  const tmp = mkdtempSync(join(tmpdir(), "bpfkit-core-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** Loads `bytes` with bpftool (libbpf) and returns its debug log; the kernel must accept the program. */
  function libbpfLoad(name: string, bytes: Uint8Array): string {
    const file = join(tmp, `${name}.bpf.o`);
    writeFileSync(file, bytes);
    const pins = join(bpffs(), name);
    const r = spawnSync("bpftool", ["-d", "prog", "loadall", file, pins], { encoding: "utf8", maxBuffer: 1 << 26 });
    rmSync(pins, { recursive: true, force: true });
    expect(r.status, `bpftool prog loadall ${name}:\n${r.stderr.slice(-4000)}`).toBe(0);
    return r.stderr;
  }

  const cases: [string, (b: Uint8Array) => Uint8Array][] = [
    ["core (as compiled)", (b) => b],
    ["core with TYPE_MATCHES records", withTypeMatches],
  ];
  for (const [name, transform] of cases) {
    it(name, () => {
      const bytes = transform(new Uint8Array(readFileSync(fixture("core"))));
      const { original, ours, records } = relocate(bytes, vmlinux);
      const patches = libbpfPatches(libbpfLoad(name.split(" ")[0]!, bytes), PROGRAM);

      // libbpf logged every record, and the fixture still covers what it is meant to.
      expect([...new Set(patches.map((p) => p.relo))].sort((a, b) => a - b)).toEqual(records.map((_, i) => i));
      expect(patches.some((p) => p.what === "poison")).toBe(true);
      expect(patches.some((p) => p.what === "mem_sz")).toBe(true);
      const kinds = new Set(records.map((r) => r.kind));
      for (const k of Object.values(CoreReloKind)) if (k !== CoreReloKind.TYPE_MATCHES) expect(kinds.has(k), `kind ${k}`).toBe(true);

      const expected = replay(original, patches);
      for (let i = 0; i < original.length / 8; i++) {
        const at = (c: Uint8Array) => Buffer.from(c.subarray(i * 8, i * 8 + 8)).toString("hex");
        expect(at(ours), `instruction #${i}`).toBe(at(expected));
      }
      expect(ours).toEqual(expected);
    });
  }

  it("enum64 (clang 16: real ENUM64 types and TYPE_MATCHES records)", () => {
    const bytes = new Uint8Array(readFileSync(fixture("enum64")));
    const program = "read_enum64";
    const { original, ours, records, local } = relocate(bytes, vmlinux, program);
    // The premise: what clang 14 could not emit is in the object as compiled.
    const kinds = records.map((r) => r.kind);
    expect(kinds.filter((k) => k === CoreReloKind.TYPE_MATCHES).length).toBe(2);
    expect(kinds).toContain(CoreReloKind.ENUMVAL_VALUE);
    expect(kinds).toContain(CoreReloKind.ENUMVAL_EXISTS);
    for (const r of records.filter((r) => r.kind === CoreReloKind.ENUMVAL_VALUE || r.kind === CoreReloKind.ENUMVAL_EXISTS)) {
      expect(local.kind(r.typeId), local.nameOf(r.typeId)).toBe(Kind.ENUM64);
    }
    const patches = libbpfPatches(libbpfLoad("enum64", bytes), program);
    expect([...new Set(patches.map((p) => p.relo))].sort((a, b) => a - b)).toEqual(records.map((_, i) => i));
    expect(ours).toEqual(replay(original, patches));
  });

  it("enum64 loads through bpfkit and its program reads the kernel's answers", () => {
    using obj = BpfObject.open(fixture("enum64"));
    obj.load();
    obj.program("read_enum64").testRun();
    const bss = obj.data(".bss");
    const data = obj.data(".data");
    // include/uapi/linux/perf_event.h: PERF_CONTEXT_MAX = (__u64)-4095.
    expect(bss.get("context_max")).toBe(2n ** 64n - 4095n);
    expect(bss.get("context_user_exists")).toBe(1n);
    expect(data.get("context_none_exists")).toBe(0n); // was 1: no such enumerator in the kernel
    expect(bss.get("task_matches")).toBe(1n);
    expect(data.get("bogus_matches")).toBe(0n); // was 1: the kernel's task_struct lacks the member
    expect(data.get("wide")).toBe(0x123456789abcdef0n); // an ENUM64 global, initialised
  });

  it("TYPE_MATCHES tells a matching layout from a merely compatible one", () => {
    const bytes = withTypeMatches(new Uint8Array(readFileSync(fixture("core"))));
    const { records } = relocate(bytes, vmlinux);
    const patches = libbpfPatches(libbpfLoad("matches", bytes), PROGRAM);
    const matches = records.flatMap((r, i) => (r.kind === CoreReloKind.TYPE_MATCHES ? [i] : []));
    // list_head___tm and rpm_status___tm match; callback_head___tm (a long for a pointer) does not.
    expect(matches.map((i) => patches.find((p) => p.relo === i && p.what === "imm")).map((p) => p && "to" in p && p.to)).toEqual([1n, 0n, 1n]);
  });
});
