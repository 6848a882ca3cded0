import { existsSync, mkdirSync, readFileSync, rmdirSync, statfsSync, unlinkSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { sectionFlagLetters, sectionTypeName } from "@bpfkit/elf";
import { ObjectSpec } from "@bpfkit/object";
import { BpfObject } from "@bpfkit/struct-ops";
import { AttachType, BPF_FS_MAGIC, enumName, MapType, objPin, ProgFlags, ProgType } from "@bpfkit/syscall";
import { UsageError } from "../args.ts";
import { type Command, type Io, table } from "../command.ts";
import { type ObjectExtern, objectExterns } from "../externs.ts";
import { toJson } from "../json.ts";

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
    if (args.values.json) {
      io.out(toJson(d));
      return 0;
    }
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

/** A pin directory that cannot hold BPF pins. */
export class PinDirError extends Error {
  override readonly name: string = "PinDirError";
  readonly dir: string;

  constructor(dir: string, message: string) {
    super(message);
    this.dir = dir;
  }
}

/** Creates `dir` (and parents) and checks it is on a bpffs; returns the directories it created, deepest first. */
function preparePinDir(dir: string): string[] {
  const created: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) created.push(d);
  mkdirSync(dir, { recursive: true });
  const type = statfsSync(dir).type;
  if (type !== BPF_FS_MAGIC) {
    for (const d of created) quietly(() => rmdirSync(d));
    throw new PinDirError(
      dir,
      `${dir} is not on a bpffs (filesystem magic 0x${type.toString(16)}): BPF objects can be pinned only there; mount one with "mount -t bpf bpf /sys/fs/bpf" and pin under it`,
    );
  }
  return created;
}

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
    const pinned: Pinned[] = [];
    let created: string[] = [];
    try {
      created = preparePinDir(dir);
      obj.load();
      for (const p of obj.programs) {
        if (!p.loaded) continue; // autoload off
        const at = join(dir, p.name);
        objPin(p.fd.value, at);
        pinned.push({ name: p.name, type: lower(ProgType, p.type), id: p.info().id, path: at });
      }
    } catch (e) {
      // All or nothing: the pins made so far, then the directories made for them.
      for (const p of pinned) quietly(() => unlinkSync(p.path));
      for (const d of created) quietly(() => rmdirSync(d));
      throw e;
    } finally {
      obj.close(); // the pins hold the programs now
    }
    report(io, pinned, Boolean(args.values.json));
    return 0;
  },
};

/** Cleanup after a failure must not hide the failure. */
function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // the original error is the one to report
  }
}

function report(io: Io, pinned: readonly Pinned[], json: boolean): void {
  if (json) {
    io.out(toJson(pinned));
    return;
  }
  if (pinned.length === 0) {
    io.out("no programs to load");
    return;
  }
  table(io, ["ID", "NAME", "TYPE", "PINNED AT"], pinned.map((p) => [String(p.id), p.name, p.type, p.path]));
}

export const objectCommands: readonly Command[] = [show, load];
