import { Btf, type BtfExt, Kind, parseBtfExt } from "@bpfkit/btf";
import { EM_BPF, type ElfFile, type ElfSection, parseElf, SHF_ALLOC, SHF_EXECINSTR, SHT_NOBITS, SHT_PROGBITS, STT_FUNC, STT_OBJECT } from "@bpfkit/elf";
import { MapFlags, MapType, ProgType } from "@bpfkit/syscall";
import { type MapSlotInit, parseBtfMaps } from "./btf-maps.ts";
import { DataMap, type Variable } from "./data-map.ts";
import { ObjectBtf } from "./datasec-resize.ts";
import { collectExterns, type Extern } from "./externs.ts";
import { type KconfigLayout, kconfigLayout } from "./kconfig.ts";
import { ObjectError } from "./errors.ts";
import { INSN_SIZE } from "./insn.ts";
import type { Subprog } from "./linker.ts";
import { BpfMap } from "./map.ts";
import { Program } from "./program.ts";
import { knownSectionPrefixes, optionalSection, sectionDef } from "./section-def.ts";
import { StructOpsMap } from "./struct-ops-map.ts";
import { datasecIsMmapable } from "./var-linkage.ts";

/** What `open` learns from the file alone. */
export interface Opened {
  readonly name: string;
  readonly elf: ElfFile;
  readonly btf: Btf | undefined;
  /** The BTF load gives the kernel (after its fix-ups): the object's, plus what resized data sections added. */
  readonly objectBtf: ObjectBtf;
  readonly ext: BtfExt | undefined;
  readonly license: string;
  readonly kernVersion: number;
  readonly programs: Program[];
  readonly subprogs: Subprog[];
  readonly textIndex: number | undefined;
  readonly relocs: Map<number, Map<number, number>>;
  readonly dataMaps: DataMap[];
  readonly structOps: StructOpsMap[];
  /** BTF-defined maps of `.maps`, in section order, and where each starts in it. */
  readonly btfMaps: { readonly map: BpfMap; readonly offset: number }[];
  readonly mapsIndex: number | undefined;
  readonly mapSlots: MapSlotInit[];
  readonly externs: Extern[];
  /** Where each `.kconfig` extern lives in the `.kconfig` map's value (libbpf's layout). */
  readonly kconfig: KconfigLayout | undefined;
}

// A leading "?" (SEC("?.struct_ops")) marks variables that are not created unless enabled.
const STRUCT_OPS_SECTIONS = new Set([".struct_ops", ".struct_ops.link", "?.struct_ops", "?.struct_ops.link"]);

/** libbpf's global data sections: `.data[.*]` and `.rodata[.*]` with contents, `.bss[.*]` without. */
function isDataSection(sec: ElfSection): boolean {
  const is = (base: string) => sec.name === base || sec.name.startsWith(`${base}.`);
  if (sec.type === SHT_PROGBITS) return is(".data") || is(".rodata");
  return sec.type === SHT_NOBITS && is(".bss");
}

/** Parses a BPF object's ELF and BTF into programs and maps. Touches no kernel. */
export function openObject(bytes: Uint8Array, name: string): Opened {
  const elf = parseElf(bytes);
  const fail = (msg: string, where?: { section?: string; subject?: string }): never => {
    throw new ObjectError(name, msg, where);
  };
  if (elf.machine !== EM_BPF) fail(`not a BPF object: ELF machine is ${elf.machine}, expected ${EM_BPF} (EM_BPF); compile with clang -target bpf`);
  const hostLittle = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (elf.littleEndian !== hostLittle) {
    fail(`the object is ${elf.littleEndian ? "little" : "big"}-endian but this machine is ${hostLittle ? "little" : "big"}-endian; rebuild with clang -target bpf (the host's byte order)`);
  }
  const btfSec = elf.section(".BTF");
  const btf = btfSec ? Btf.parse(btfSec.data) : undefined;
  const extSec = elf.section(".BTF.ext");
  const ext = btf && extSec ? parseBtfExt(extSec.data, btf) : undefined;
  const objectBtf = new ObjectBtf(btf);
  const licSec = elf.section("license");
  const license = licSec ? cString(licSec.data) : "";
  const verSec = elf.section("version");
  const kernVersion = verSec && verSec.data.byteLength >= 4 ? new DataView(verSec.data.buffer, verSec.data.byteOffset, 4).getUint32(0, true) : 0;

  const programs: Program[] = [];
  const subprogs: Subprog[] = [];
  const relocs = new Map<number, Map<number, number>>();
  let textIndex: number | undefined;
  for (const sec of elf.sections) {
    if ((sec.flags & SHF_EXECINSTR) === 0 || sec.size === 0) continue;
    if (sec.size % INSN_SIZE !== 0) fail(`code size ${sec.size} is not a multiple of 8`, { section: sec.name });
    const byInsn = new Map<number, number>();
    for (const r of elf.relocations(sec)) {
      if (r.offset % INSN_SIZE !== 0) fail(`relocation at offset ${r.offset} is not on an instruction boundary`, { section: sec.name });
      byInsn.set(r.offset / INSN_SIZE, r.symbol);
    }
    relocs.set(sec.index, byInsn);
    const funcs = elf.symbols.filter((s) => s.shndx === sec.index && s.type === STT_FUNC && s.size > 0);
    for (const f of funcs) {
      if (f.value % INSN_SIZE !== 0 || f.size % INSN_SIZE !== 0 || f.value + f.size > sec.size) {
        fail(`function "${f.name}" spans ${f.value}+${f.size}, outside the section or not instruction-aligned`, { section: sec.name });
      }
    }
    if (sec.name === ".text") {
      textIndex = sec.index;
      for (const f of funcs) subprogs.push({ name: f.name, start: f.value / INSN_SIZE, count: f.size / INSN_SIZE });
      continue;
    }
    // SEC("?name"): a program that is not loaded unless autoload is turned on.
    const optional = optionalSection(sec.name);
    const def = sectionDef(optional.name);
    if (!def) fail(unknownSection(optional.name), { section: sec.name });
    for (const f of funcs) {
      const p = new Program({
        name: f.name,
        section: sec.name,
        sectionIndex: sec.index,
        sectionInsn: f.value / INSN_SIZE,
        insns: sec.data.slice(f.value, f.value + f.size),
        def: def!,
      });
      p.autoload = optional.autoload;
      programs.push(p);
    }
  }

  const dataMaps: DataMap[] = [];
  const structOps: StructOpsMap[] = [];
  const btfMaps: { map: BpfMap; offset: number }[] = [];
  let mapsIndex: number | undefined;
  let mapSlots: MapSlotInit[] = [];
  for (const sec of elf.sections) {
    if (sec.name === "maps") fail(`legacy "maps" sections (struct bpf_map_def) are not supported; declare maps in SEC(".maps") with __uint/__type`, { section: sec.name });
    if (sec.name === ".maps") {
      const parsed = parseBtfMaps(name, elf, btf, sec);
      for (const d of parsed.defs) btfMaps.push({ map: new BpfMap(d.spec, sec.name, btf), offset: d.offset });
      mapsIndex = sec.index;
      mapSlots = parsed.slots;
      continue;
    }
    if ((sec.flags & SHF_ALLOC) === 0) continue;
    if (isDataSection(sec) && sec.size > 0) dataMaps.push(dataMap(name, elf, objectBtf, sec));
    if (STRUCT_OPS_SECTIONS.has(sec.name)) structOps.push(...structOpsMaps(name, elf, btf, sec, programs));
  }
  refuseArena(name, btfMaps, elf);
  const externs = collectExterns(elf, btf);
  const weak = new Set(externs.filter((e) => e.weak).map((e) => e.name));
  const kconfig = btf ? kconfigLayout(btf, name, weak) : undefined;
  if (kconfig) dataMaps.push(kconfigMap(name, elf, objectBtf, kconfig));
  return { name, elf, btf, objectBtf, ext, license, kernVersion, programs, subprogs, textIndex, relocs, dataMaps, structOps, btfMaps, mapsIndex, mapSlots, externs, kconfig };
}

/** The section clang puts `__arena` globals in (when it cannot emit address-space casts). */
const ARENA_SECTION = ".addr_space.1";

/**
 * Arena maps (BPF_MAP_TYPE_ARENA) and the `.addr_space.1` globals that live in them are not
 * supported yet: refused at open, before anything touches the kernel, so the error names what
 * needs them instead of a verifier or relocation failure at load.
 */
function refuseArena(object: string, btfMaps: readonly { map: BpfMap }[], elf: ElfFile): void {
  const why = "arena maps are not supported yet (the [maps] issue)";
  const arena = btfMaps.find((m) => m.map.spec.type === MapType.ARENA);
  if (arena) {
    throw new ObjectError(object, `a BPF_MAP_TYPE_ARENA map: ${why}`, { section: ".maps", subject: `map "${arena.map.name}"`, code: "arena-unsupported" });
  }
  const data = elf.section(ARENA_SECTION);
  if (data) {
    const vars = elf.symbols.filter((s) => s.shndx === data.index && s.type === STT_OBJECT && s.name !== "").map((s) => s.name);
    throw new ObjectError(object, `arena globals${vars.length ? ` (${vars.join(", ")})` : ""}, which also need an arena map in SEC(".maps"): ${why}`, {
      section: ARENA_SECTION,
      code: "arena-unsupported",
    });
  }
}

/** The error for a section no convention matches, with the names closest to what was written. */
function unknownSection(name: string): string {
  const head = name.split("/")[0]!;
  const all = [...new Set(knownSectionPrefixes())];
  const near = all.filter((p) => p.startsWith(head.slice(0, 3)) || head.startsWith(p));
  const list = (near.length ? near : all).slice(0, 12).join(", ");
  return `unknown program section name "${name}"; libbpf's conventions include ${list}${near.length > 12 || !near.length ? ", ..." : ""} (see packages/struct-ops/README.md)`;
}

function cString(data: Uint8Array): string {
  const end = data.indexOf(0);
  return new TextDecoder().decode(end < 0 ? data : data.subarray(0, end));
}

/**
 * libbpf's kernel name for a global data map: `.data`, `.rodata`, `.bss` and `.kconfig` get up to
 * 8 characters of the object's name in front (the section keeps at least 7 of the 15); a custom
 * section (`.data.X`, a second dot) is its own name, cut at 15 characters. Characters the kernel
 * refuses become "_".
 */
export function dataMapName(object: string, section: string): string {
  const suffix = Math.min(15, Math.max(7, section.length));
  const prefix = section.includes(".", 1) ? 0 : Math.min(15 - suffix, object.length);
  return (object.slice(0, prefix) + section.slice(0, suffix)).replace(/[^A-Za-z0-9_.]/g, "_");
}

function dataMap(object: string, elf: ElfFile, objectBtf: ObjectBtf, sec: ElfSection): DataMap {
  const btf = objectBtf.current;
  const datasec = btf?.find(sec.name, Kind.DATASEC);
  const varTypes = new Map<string, number>();
  if (btf && datasec !== undefined) {
    const t = btf.type(datasec);
    if (t.kind === "DATASEC") {
      for (const v of t.vars) {
        const vt = btf.type(v.type);
        if (vt.kind === "VAR") varTypes.set(vt.name, vt.type);
      }
    }
  }
  const variables: Variable[] = elf.symbols
    .filter((s) => s.shndx === sec.index && s.type === STT_OBJECT && s.name !== "")
    .map((s) => ({ name: s.name, offset: s.value, size: s.size, type: varTypes.get(s.name) ?? 0 }));
  const rodata = sec.name.startsWith(".rodata");
  const initial = new Uint8Array(new ArrayBuffer(sec.size));
  if (sec.type !== SHT_NOBITS) initial.set(sec.data);
  return new DataMap(
    {
      name: dataMapName(object, sec.name),
      type: MapType.ARRAY,
      keySize: 4,
      valueSize: sec.size,
      maxEntries: 1,
      flags: (datasecIsMmapable(btf, elf, datasec) ? MapFlags.MMAPABLE : 0) | (rodata ? MapFlags.RDONLY_PROG : 0),
      btfKeyTypeId: 0,
      btfValueTypeId: datasec ?? 0,
    },
    sec.name,
    initial,
    variables,
    objectBtf,
    elf,
  );
}

/** The `.kconfig` externs' map: read-only to programs, filled and frozen at load. */
function kconfigMap(object: string, elf: ElfFile, objectBtf: ObjectBtf, layout: KconfigLayout): DataMap {
  const btf = objectBtf.current!;
  const datasec = btf.find(".kconfig", Kind.DATASEC);
  return new DataMap(
    {
      name: dataMapName(object, ".kconfig"),
      type: MapType.ARRAY,
      keySize: 4,
      valueSize: layout.size,
      maxEntries: 1,
      // Its externs are never static: mmapable like any section with a visible variable.
      flags: (datasecIsMmapable(btf, elf, datasec) ? MapFlags.MMAPABLE : 0) | MapFlags.RDONLY_PROG,
      btfKeyTypeId: 0,
      btfValueTypeId: datasec ?? 0,
    },
    ".kconfig",
    new Uint8Array(new ArrayBuffer(layout.size)),
    layout.externs.map((e) => ({ name: e.name, offset: e.offset, size: e.size, type: e.type })),
    objectBtf,
  );
}

function structOpsMaps(object: string, elf: ElfFile, btf: Btf | undefined, sec: ElfSection, programs: Program[]): StructOpsMap[] {
  if (!btf) throw new ObjectError(object, "struct_ops variables need BTF; compile with clang -g", { section: sec.name });
  const datasec = btf.find(sec.name, Kind.DATASEC);
  if (datasec === undefined) throw new ObjectError(object, `no BTF DATASEC describes ${sec.name}`, { section: sec.name });
  const ds = btf.type(datasec);
  const varType = new Map<string, number>();
  if (ds.kind === "DATASEC") {
    for (const v of ds.vars) {
      const vt = btf.type(v.type);
      if (vt.kind === "VAR") varType.set(vt.name, vt.type);
    }
  }
  const vars = elf.symbols.filter((s) => s.shndx === sec.index && s.type === STT_OBJECT && s.name !== "");
  const maps = vars.map((s) => {
    const t = varType.get(s.name);
    if (t === undefined) throw new ObjectError(object, `variable "${s.name}" has no BTF`, { section: sec.name });
    const typeId = btf.skipModifiers(t);
    if (btf.kind(btf.resolve(typeId)) !== Kind.STRUCT) {
      throw new ObjectError(object, `struct_ops variable "${s.name}" is not a struct`, { section: sec.name });
    }
    if (s.value + s.size > sec.size) throw new ObjectError(object, `variable "${s.name}" runs past its section`, { section: sec.name });
    const data = sec.type === SHT_NOBITS ? new Uint8Array(s.size) : sec.data.subarray(s.value, s.value + s.size);
    const map = new StructOpsMap({ variable: s.name, section: sec.name, btf, typeId: btf.resolve(typeId), data, isLink: sec.name.endsWith(".link") });
    map.autocreate = !sec.name.startsWith("?");
    return { sym: s, map };
  });
  // Function pointers are relocations against the programs' symbols.
  for (const r of elf.relocations(sec)) {
    const owner = maps.find((m) => r.offset >= m.sym.value && r.offset < m.sym.value + m.sym.size);
    if (!owner) throw new ObjectError(object, `relocation at ${r.offset} is in no struct_ops variable`, { section: sec.name });
    const at = r.offset - owner.sym.value;
    const member = owner.map.members.find((m) => m.offset === at);
    const target = elf.symbols[r.symbol];
    if (!member || !member.isFunc) {
      throw new ObjectError(object, `relocation at offset ${at} of "${owner.map.name}" is not on a function pointer member`, { section: sec.name });
    }
    const prog = programs.find((p) => target && p.sectionIndex === target.shndx && p.sectionInsn * INSN_SIZE === target.value);
    if (!prog || prog.def.type !== ProgType.STRUCT_OPS) {
      const sname = target ? elf.sections[target.shndx]?.name : undefined;
      throw new ObjectError(object, `member "${member.name}" points at "${target?.name}" (section ${sname}), which is not a SEC("struct_ops") program`, {
        section: sec.name,
        subject: `struct_ops map "${owner.map.name}"`,
      });
    }
    owner.map.setProgram(member.name, prog);
  }
  return maps.map((m) => m.map);
}
