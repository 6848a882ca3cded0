import type { Btf, BtfExt } from "@bpfkit/btf";
import type { ElfFile } from "@bpfkit/elf";
import { type Extern, type KconfigLayout, type MapSlotInit, ObjectBtf, ObjectSpec, type Subprog } from "@bpfkit/object";
import { DataMap } from "./data-map.ts";
import { BpfMap } from "./map.ts";
import { Program } from "./program.ts";
import { StructOpsMap } from "./struct-ops-map.ts";

/**
 * An open object: the parsed spec (never changed) and the runtime objects made from it, each with
 * its own copy of what may be edited before load (map shapes, data, struct_ops fields, program types).
 */
export interface Opened {
  readonly spec: ObjectSpec;
  readonly name: string;
  readonly elf: ElfFile;
  readonly btf: Btf | undefined;
  /** The BTF load gives the kernel (after its fix-ups): the object's, plus what resized data sections added. */
  readonly objectBtf: ObjectBtf;
  readonly ext: BtfExt | undefined;
  readonly license: string;
  readonly kernVersion: number;
  readonly programs: Program[];
  readonly subprogs: readonly Subprog[];
  readonly textIndex: number | undefined;
  readonly relocs: ReadonlyMap<number, ReadonlyMap<number, number>>;
  readonly dataMaps: DataMap[];
  readonly structOps: StructOpsMap[];
  /** BTF-defined maps of `.maps`, in section order, and where each starts in it. */
  readonly btfMaps: { readonly map: BpfMap; readonly offset: number }[];
  readonly mapsIndex: number | undefined;
  readonly mapSlots: readonly MapSlotInit[];
  readonly externs: readonly Extern[];
  readonly kconfig: KconfigLayout | undefined;
}

/** Parses a BPF object's bytes (ObjectSpec.parse) and opens it. Touches no kernel. */
export function openObject(bytes: Uint8Array, name: string): Opened {
  return openSpec(ObjectSpec.parse(bytes, { name }));
}

/** Runtime objects for a parsed spec; the spec itself is only read. */
export function openSpec(spec: ObjectSpec): Opened {
  const objectBtf = new ObjectBtf(spec.btf);
  const programs = spec.programs.map((p) => new Program(p));
  const byName = new Map(programs.map((p) => [p.name, p]));
  const dataMaps = spec.dataSections.map((d) => new DataMap(d, objectBtf, d.section === ".kconfig" ? undefined : spec.elf));
  const btfMaps = spec.maps.map((m) => ({ map: new BpfMap({ ...m.map }, ".maps", spec.btf), offset: m.offset }));
  const structOps = spec.structOps.map((s) => new StructOpsMap(s, spec.btf!, (name) => byName.get(name)!));
  return {
    spec,
    name: spec.name,
    elf: spec.elf,
    btf: spec.btf,
    objectBtf,
    ext: spec.ext,
    license: spec.license,
    kernVersion: spec.kernVersion,
    programs,
    subprogs: spec.subprogs,
    textIndex: spec.textIndex,
    relocs: spec.relocs,
    dataMaps,
    structOps,
    btfMaps,
    mapsIndex: spec.mapsIndex,
    mapSlots: spec.mapSlots,
    externs: spec.externs,
    kconfig: spec.kconfig,
  };
}
