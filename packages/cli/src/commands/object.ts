import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { sectionFlagLetters, sectionTypeName } from "@bpfkit/elf";
import { ObjectSpec } from "@bpfkit/object";
import { AttachType, enumName, MapType, ProgFlags, ProgType } from "@bpfkit/object/uapi";
import { BpfObject, type PinnedProgram, pinPrograms, preparePinDir } from "@bpfkit/struct-ops";
import { UsageError } from "../args.ts";
import { type Command, table } from "../command.ts";
import { type ObjectExtern, objectExterns } from "../externs.ts";
import { printedJson } from "../json.ts";

/** `bpfkit object show --json`: the shape README.md documents. */
export interface ObjectDescription {
  readonly object: string;
  readonly license: string;
  readonly sections: readonly { index: number; name: string; type: string; size: number; flags: string }[];
  readonly programs: readonly {
    name: string;
    section: string;
    type: string;
    /** null when the section sets none (struct_ops programs get theirs, the member index, at load). */
    expectedAttachType: string | null;
    sleepable: boolean;
    insns: number;
  }[];
  readonly maps: readonly { name: string; section: string; type: string; keySize: number; valueSize: number; maxEntries: number; flags: number }[];
  readonly structOps: readonly { name: string; section: string; kernelType: string; link: boolean; slots: { member: string; program: string | null }[] }[];
  readonly externs: readonly ObjectExtern[];
}

const lower = (table: Readonly<Record<string, number>>, v: number) => enumName(table, v).toLowerCase();

/** Everything `object show` prints, read from the file alone (no kernel calls). */
export function describeObject(path: string): ObjectDescription {
  // One parse: the spec gives the ELF and BTF too, and the opened object only reads it.
  const spec = ObjectSpec.parse(new Uint8Array(readFileSync(path)), { name: basename(path).replace(/(\.bpf)?\.o$/, "") });
  const { elf, btf } = spec;
  const obj = BpfObject.fromSpec(spec);
  try {
    return {
      object: obj.name,
      license: obj.license,
      sections: elf.sections.slice(1).map((s) => ({ index: s.index, name: s.name, type: sectionTypeName(s.type), size: s.size, flags: sectionFlagLetters(s.flags) })),
      programs: obj.programs.map((p) => ({
        name: p.name,
        section: p.section,
        type: lower(ProgType, p.type),
        // Attach type 0 is a real one (cgroup_inet_ingress): shown only where the section means it.
        expectedAttachType: p.expectedAttachType !== 0 || p.def.attachable ? lower(AttachType, p.expectedAttachType) : null,
        sleepable: (p.flags & ProgFlags.SLEEPABLE) !== 0,
        insns: p.insns.byteLength / 8,
      })),
      maps: obj.maps.map((m) => ({
        name: m.name,
        section: m.section,
        type: lower(MapType, m.spec.type),
        keySize: m.spec.keySize,
        valueSize: m.spec.valueSize,
        maxEntries: m.spec.maxEntries,
        flags: m.spec.flags,
      })),
      structOps: obj.structOpsMaps.map((m) => ({
        name: m.name,
        section: m.section,
        kernelType: m.kernelTypeName,
        link: m.isLink,
        slots: [...m.slots()].map(([member, p]) => ({ member, program: p?.name ?? null })),
      })),
      externs: objectExterns(elf, btf),
    };
  } finally {
    obj.close();
  }
}

const show: Command = {
  name: "object show",
  usage: "object show OBJ [--json]",
  summary: "an object's sections, programs, maps, struct_ops variables and externs (reads the file only)",
  options: { json: { type: "boolean" } },
  run(args, io) {
    const [path] = args.positionals;
    if (!path) throw new UsageError("missing OBJ");
    const d = describeObject(path);
    if (printedJson(args, io, d)) return 0;
    io.out(`${d.object}: license ${JSON.stringify(d.license)}`);
    const section = (title: string, header: readonly string[], rows: readonly (readonly string[])[]) => {
      io.out("");
      if (rows.length === 0) {
        io.out(`${title}: none`);
        return;
      }
      io.out(`${title}:`);
      table(io, header, rows);
    };
    section("sections", ["NR", "NAME", "TYPE", "SIZE", "FLAGS"], d.sections.map((s) => [String(s.index), s.name, s.type, String(s.size), s.flags || "-"]));
    section(
      "programs",
      ["NAME", "SECTION", "TYPE", "ATTACH TYPE", "SLEEPABLE", "INSNS"],
      d.programs.map((p) => [p.name, p.section, p.type, p.expectedAttachType ?? "-", p.sleepable ? "yes" : "no", String(p.insns)]),
    );
    section(
      "maps",
      ["NAME", "SECTION", "TYPE", "KEY", "VALUE", "MAX", "FLAGS"],
      d.maps.map((m) => [m.name, m.section, m.type, String(m.keySize), String(m.valueSize), String(m.maxEntries), `0x${m.flags.toString(16)}`]),
    );
    section(
      "struct_ops",
      ["NAME", "SECTION", "KERNEL TYPE", "SLOTS"],
      d.structOps.map((m) => [m.name, m.section, m.kernelType, m.slots.filter((s) => s.program).map((s) => `${s.member}=${s.program}`).join(" ") || "-"]),
    );
    section("externs", ["NAME", "KIND", "WEAK", "TYPE"], d.externs.map((e) => [e.name, e.kind, e.weak ? "weak" : "-", e.type || "-"]));
    return 0;
  },
};

interface Pinned {
  name: string;
  type: string;
  id: number;
  path: string;
}

const load: Command = {
  name: "object load",
  usage: "object load OBJ --pin DIR [--json]",
  summary: "load every program of OBJ (attaching nothing) and pin each at DIR/<program>, as bpftool prog loadall",
  options: { pin: { type: "string" }, json: { type: "boolean" } },
  run(args, io) {
    const [path] = args.positionals;
    if (!path) throw new UsageError("missing OBJ");
    const dir = args.values.pin as string | undefined;
    if (!dir) throw new UsageError("missing --pin DIR: the programs are unloaded when bpfkit exits unless pinned (DIR on a bpffs, e.g. /sys/fs/bpf/NAME)");
    const obj = BpfObject.open(path);
    let pinned: readonly PinnedProgram[];
    try {
      const target = preparePinDir(dir); // before loading: a bad DIR costs no load
      try {
        obj.load();
        pinned = pinPrograms(obj, target);
      } catch (e) {
        target.removeCreated();
        throw e;
      }
    } finally {
      obj.close(); // the pins hold the programs now
    }
    const rows: Pinned[] = pinned.map((p) => ({ name: p.name, type: lower(ProgType, p.type), id: p.id, path: p.path }));
    if (printedJson(args, io, rows)) return 0;
    if (rows.length === 0) io.out("no programs to load");
    else table(io, ["ID", "NAME", "TYPE", "PINNED AT"], rows.map((p) => [String(p.id), p.name, p.type, p.path]));
    return 0;
  },
};

export const objectCommands: readonly Command[] = [show, load];
