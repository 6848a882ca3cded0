import { Btf, BtfExt, hostLittleEndian, Kind,} from "@bpfkit/btf";
import { ElfFile, type ElfSection, EM_BPF, SHF_ALLOC, SHF_EXECINSTR, SHT_NOBITS, SHT_PROGBITS, STT_FUNC, STT_OBJECT } from "@bpfkit/elf";
import { type MapSlotInit, parseBtfMaps } from "./btf-maps.ts";
import { ObjectError } from "./error.ts";
import { collectExterns, type Extern } from "./externs.ts";
import { INSN_SIZE } from "./insn.ts";
import { type KconfigLayout, kconfigLayout } from "./kconfig.ts";
import type { Subprog } from "./linker.ts";
import type { MapSpec } from "./map-spec.ts";
import { knownSectionPrefixes, optionalSection, type SectionDef, sectionDef } from "./section-def.ts";
import { MapFlags, MapType, ProgType } from "./uapi.ts";
import { datasecIsMmapable } from "./var-linkage.ts";

/** One program of the object: a function symbol in a program section, as the file has it. */
export interface ProgramSpec {
  readonly name: string;
  /** ELF section, e.g. "struct_ops" or "struct_ops.s/dispatch" ("?" first: not loaded unless asked). */
  readonly section: string;
  readonly sectionIndex: number;
  /** Index of its first instruction within the section. */
  readonly sectionInsn: number;
  /** Its instructions as in the object (relocations are applied to a copy at load). */
  readonly insns: Uint8Array;
  /** What its section name says: type, expected attach type, flags, attach target rules. */
  readonly def: SectionDef;
  readonly type: number;
  readonly expectedAttachType: number;
  readonly flags: number;
  /** False for SEC("?...") programs. */
  readonly autoload: boolean;
  /** Its relocations: instruction index within the section → ELF symbol index. */
  readonly relocations: ReadonlyMap<number, number>;
}

/** A global variable of a data section. */
export interface Variable {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** BTF type id in the object's BTF (0 when the object has no BTF for it). */
  readonly type: number;
}

/** A global data section (.data, .rodata, .bss, .data.*, .rodata.*, and the loader's .kconfig) and its map. */
export interface DataSectionSpec {
  readonly section: string;
  readonly map: Readonly<MapSpec>;
  /** The section's bytes (zeros for .bss and .kconfig, which load fills). */
  readonly initial: Uint8Array;
  readonly variables: readonly Variable[];
}

/** A BTF-defined map of `.maps`, and where its variable starts in that section (relocations name it so). */
export interface BtfMapEntry {
  readonly map: Readonly<MapSpec>;
  readonly offset: number;
}

/** A member of a struct_ops variable's local type. */
export interface StructOpsMember {
  readonly name: string;
  readonly index: number;
  readonly type: number;
  readonly offset: number;
  readonly size: number;
  /** A function pointer: takes a program rather than data. */
  readonly isFunc: boolean;
  /** A bitfield: struct_ops refuses these at load (the kernel value cannot express them). */
  readonly bitfield: boolean;
}

/** A struct_ops variable (SEC(".struct_ops[.link]")): the map that registers it. */
export interface StructOpsSpec {
  readonly name: string;
  readonly section: string;
  /** The local struct type (modifiers skipped). */
  readonly typeId: number;
  /** The local type name without a ___flavor suffix: the kernel type it implements. */
  readonly typeName: string;
  readonly members: readonly StructOpsMember[];
  /** Function slots and the program each points at (by name), from the section's relocations. */
  readonly programs: ReadonlyMap<string, string | undefined>;
  /** The variable's bytes: data members' initial values. */
  readonly data: Uint8Array;
  /** Created with BPF_F_LINK and registered through a link (.struct_ops.link). */
  readonly isLink: boolean;
  /** False for SEC("?.struct_ops[.link]"). */
  readonly autocreate: boolean;
}

/**
 * A BPF object parsed from its bytes: programs, maps, global data, struct_ops variables and
 * externs, as the file has them. Pure (no FFI, no files: runs on Node and in a browser) and
 * immutable: a runtime takes its own copy of what it may edit, so one spec can be loaded many times.
 */
export interface ObjectSpec {
  readonly name: string;
  readonly elf: ElfFile;
  readonly btf: Btf | undefined;
  readonly ext: BtfExt | undefined;
  readonly license: string;
  readonly kernVersion: number;
  readonly programs: readonly ProgramSpec[];
  /** .text functions programs may call. */
  readonly subprogs: readonly Subprog[];
  readonly textIndex: number | undefined;
  /** Per code section index: instruction index → ELF symbol index. */
  readonly relocs: ReadonlyMap<number, ReadonlyMap<number, number>>;
  readonly dataSections: readonly DataSectionSpec[];
  readonly structOps: readonly StructOpsSpec[];
  /** BTF-defined maps of `.maps`, in section order. */
  readonly maps: readonly BtfMapEntry[];
  readonly mapsIndex: number | undefined;
  readonly mapSlots: readonly MapSlotInit[];
  readonly externs: readonly Extern[];
  /** Where each `.kconfig` extern lives in the `.kconfig` map's value (libbpf's layout). */
  readonly kconfig: KconfigLayout | undefined;
}

export interface ParseOptions {
  /** The object's name (libbpf's: the file name up to its first dot, at most 15 characters); default "object". */
  readonly name?: string;
}

/** Parses a BPF object file's bytes. Throws ElfError, BtfError or ObjectError. */
export const ObjectSpec = {
  parse(bytes: Uint8Array, options: ParseOptions = {}): ObjectSpec {
    return deepFreeze(parseObject(bytes, options.name ?? "object"));
  },
};

/** Freezes the spec's plain objects and arrays (typed arrays, ELF and BTF readers are left as they are: read-only by API). */
function deepFreeze<T>(v: T): T {
  if (v === null || typeof v !== "object" || Object.isFrozen(v) || ArrayBuffer.isView(v) || v instanceof Map) return v;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== Array.prototype) return v;
  Object.freeze(v);
  for (const x of Object.values(v as object)) deepFreeze(x);
  return v;
}

// A leading "?" (SEC("?.struct_ops")) marks variables that are not created unless enabled.
const STRUCT_OPS_SECTIONS = new Set([".struct_ops", ".struct_ops.link", "?.struct_ops", "?.struct_ops.link"]);

/** libbpf's global data sections: `.data[.*]` and `.rodata[.*]` with contents, `.bss[.*]` without. */
function isDataSection(sec: ElfSection): boolean {
  const is = (base: string) => sec.name === base || sec.name.startsWith(`${base}.`);
  if (sec.type === SHT_PROGBITS) return is(".data") || is(".rodata");
  return sec.type === SHT_NOBITS && is(".bss");
}

function parseObject(bytes: Uint8Array, name: string): ObjectSpec {
  const elf = ElfFile.parse(bytes);
  const fail = (msg: string, where?: { section?: string; subject?: string }): never => {
    throw new ObjectError(name, msg, where);
  };
  if (elf.machine !== EM_BPF) fail(`not a BPF object: ELF machine is ${elf.machine}, expected ${EM_BPF} (EM_BPF); compile with clang -target bpf`);
  const hostLittle = hostLittleEndian;
  if (elf.littleEndian !== hostLittle) {
    fail(`the object is ${elf.littleEndian ? "little" : "big"}-endian but this machine is ${hostLittle ? "little" : "big"}-endian; rebuild with clang -target bpf (the host's byte order)`);
  }
  const btfSec = elf.section(".BTF");
  const btf = btfSec ? Btf.parse(btfSec.data) : undefined;
  const extSec = elf.section(".BTF.ext");
  const ext = btf && extSec ? BtfExt.parse(extSec.data, btf) : undefined;
  const licSec = elf.section("license");
  const license = licSec ? cString(licSec.data) : "";
  const verSec = elf.section("version");
  const kernVersion = verSec && verSec.data.byteLength >= 4 ? new DataView(verSec.data.buffer, verSec.data.byteOffset, 4).getUint32(0, true) : 0;

  const programs: ProgramSpec[] = [];
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
      programs.push({
        name: f.name,
        section: sec.name,
        sectionIndex: sec.index,
        sectionInsn: f.value / INSN_SIZE,
        insns: sec.data.slice(f.value, f.value + f.size),
        def: def!,
        type: def!.type,
        expectedAttachType: def!.expectedAttachType,
        flags: def!.flags,
        autoload: optional.autoload,
        relocations: new Map([...byInsn].filter(([i]) => i >= f.value / INSN_SIZE && i < (f.value + f.size) / INSN_SIZE)),
      });
    }
  }

  const dataMaps: DataSectionSpec[] = [];
  const structOps: StructOpsSpec[] = [];
  const btfMaps: BtfMapEntry[] = [];
  let mapsIndex: number | undefined;
  let mapSlots: MapSlotInit[] = [];
  for (const sec of elf.sections) {
    if (sec.name === "maps") fail(`legacy "maps" sections (struct bpf_map_def) are not supported; declare maps in SEC(".maps") with __uint/__type`, { section: sec.name });
    if (sec.name === ".maps") {
      const parsed = parseBtfMaps(name, elf, btf, sec);
      for (const d of parsed.defs) btfMaps.push({ map: d.spec, offset: d.offset });
      mapsIndex = sec.index;
      mapSlots = parsed.slots;
      continue;
    }
    if ((sec.flags & SHF_ALLOC) === 0) continue;
    if (isDataSection(sec) && sec.size > 0) dataMaps.push(dataMap(name, elf, btf, sec));
    if (STRUCT_OPS_SECTIONS.has(sec.name)) structOps.push(...structOpsMaps(name, elf, btf, sec, programs));
  }
  refuseArena(name, btfMaps, elf);
  const externs = collectExterns(elf, btf);
  const weak = new Set(externs.filter((e) => e.weak).map((e) => e.name));
  const kconfig = btf ? kconfigLayout(btf, name, weak) : undefined;
  if (kconfig) dataMaps.push(kconfigMap(name, elf, btf!, kconfig));
  return { name, elf, btf, ext, license, kernVersion, programs, subprogs, textIndex, relocs, dataSections: dataMaps, structOps, maps: btfMaps, mapsIndex, mapSlots, externs, kconfig };
}

/** The section clang puts `__arena` globals in (when it cannot emit address-space casts). */
const ARENA_SECTION = ".addr_space.1";

/**
 * Arena maps (BPF_MAP_TYPE_ARENA) and the `.addr_space.1` globals that live in them are not
 * supported yet: refused at open, before anything touches the kernel, so the error names what
 * needs them instead of a verifier or relocation failure at load.
 */
function refuseArena(object: string, btfMaps: readonly BtfMapEntry[], elf: ElfFile): void {
  const why = "arena maps are not supported yet (the [maps] issue)";
  const arena = btfMaps.find((m) => m.map.type === MapType.ARENA);
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

function dataMap(object: string, elf: ElfFile, btf: Btf | undefined, sec: ElfSection): DataSectionSpec {
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
  return {
    section: sec.name,
    map: {
      name: dataMapName(object, sec.name),
      type: MapType.ARRAY,
      keySize: 4,
      valueSize: sec.size,
      maxEntries: 1,
      flags: (datasecIsMmapable(btf, elf, datasec) ? MapFlags.MMAPABLE : 0) | (rodata ? MapFlags.RDONLY_PROG : 0),
      btfKeyTypeId: 0,
      btfValueTypeId: datasec ?? 0,
    },
    initial,
    variables,
  };
}

/** The `.kconfig` externs' map: read-only to programs, filled and frozen at load. */
function kconfigMap(object: string, elf: ElfFile, btf: Btf, layout: KconfigLayout): DataSectionSpec {
  const datasec = btf.find(".kconfig", Kind.DATASEC);
  return {
    section: ".kconfig",
    map: {
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
    initial: new Uint8Array(new ArrayBuffer(layout.size)),
    variables: layout.externs.map((e) => ({ name: e.name, offset: e.offset, size: e.size, type: e.type })),
  };
}

function structOpsMaps(object: string, elf: ElfFile, btf: Btf | undefined, sec: ElfSection, programs: readonly ProgramSpec[]): StructOpsSpec[] {
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
    const data = sec.type === SHT_NOBITS ? new Uint8Array(s.size) : sec.data.slice(s.value, s.value + s.size);
    const local = btf.resolve(typeId);
    const members = structMembers(btf, local);
    const slots = new Map<string, string | undefined>(members.filter((m) => m.isFunc).map((m) => [m.name, undefined]));
    const map = {
      name: s.name,
      section: sec.name,
      typeId: local,
      typeName: btf.nameOf(local).replace(/___.*$/, ""),
      members,
      programs: slots,
      data,
      isLink: sec.name.endsWith(".link"),
      autocreate: !sec.name.startsWith("?"),
    };
    return { sym: s, map, slots };
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
    owner.slots.set(member.name, prog.name);
  }
  return maps.map((m) => m.map);
}

/** The members of a struct_ops variable's local type, with where each lives in its bytes. */
function structMembers(btf: Btf, typeId: number): StructOpsMember[] {
  return btf.members(typeId).map((m, index) => {
    const isFunc = btf.funcProtoOfPointer(m.type) !== undefined;
    const bitfield = m.bitfieldSize !== 0 || m.bitOffset % 8 !== 0;
    const offset = Math.floor(m.bitOffset / 8);
    return { name: m.name, index, type: m.type, offset, size: bitfield ? 0 : btf.sizeOf(m.type), isFunc, bitfield };
  });
}
