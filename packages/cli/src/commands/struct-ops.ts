import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BpfObject, dumpStructOps, type Link, listStructOps, StructOpsError, type StructOpsInfo, type StructOpsMap, unregisterStructOps } from "@bpfkit/struct-ops";
import { UsageError } from "../args.ts";
import { type Command, type Io, table } from "../command.ts";
import { describeError } from "../errors.ts";
import { printedJson } from "../json.ts";

const register: Command = {
  name: "struct-ops register",
  usage: "struct-ops register OBJ [--map NAME]... [--pin DIR]",
  summary: "load OBJ and register its struct_ops maps, all or nothing (--map: only the named ones; link maps are pinned in DIR so they outlive bpfkit)",
  help: [
    "Without --map every struct_ops map of OBJ is registered, or none: if one is refused, the ones",
    "registered before it are unregistered again and the command fails with that map's reason.",
    "--map NAME (repeatable) registers only the named maps: the others are not created, and programs",
    "only they use are not loaded (libbpf's autocreate/autoload off). A SEC(\"?.struct_ops\") map named",
    "here is created too.",
    "",
    "Example: the kernel selftests' bpf_dctcp.bpf.o carries dctcp_nouse, which the kernel refuses",
    "(no ssthresh), beside a good dctcp. bpftool registers dctcp and reports dctcp_nouse's error;",
    "bpfkit registers neither unless asked for the good one alone:",
    "  bpfkit struct-ops register bpf_dctcp.bpf.o --map dctcp",
  ].join("\n"),
  options: { pin: { type: "string" }, map: { type: "string", multiple: true } },
  run(args, io) {
    const [path] = args.positionals;
    if (!path) throw new UsageError("missing OBJ");
    if (args.positionals.length > 1) throw new UsageError(`one OBJ only (got ${args.positionals.length})`);
    const pin = args.values.pin as string | undefined;
    const only = args.values.map as string[] | undefined;
    const obj = BpfObject.open(path);
    try {
      const all = obj.structOpsMaps;
      if (all.length === 0) throw new UsageError(`${path} has no struct_ops variables`);
      if (only) select(obj, path, only);
      const chosen = all.filter((m) => m.autocreate);
      const needsPin = chosen.filter((m) => m.isLink);
      if (needsPin.length > 0 && !pin) {
        throw new UsageError(
          `${needsPin.map((m) => m.name).join(", ")} ${needsPin.length > 1 ? "are" : "is a"} .struct_ops.link map${needsPin.length > 1 ? "s" : ""}: the kernel unregisters ${needsPin.length > 1 ? "them" : "it"} when bpfkit exits unless pinned; pass --pin DIR (a directory on a bpffs, e.g. /sys/fs/bpf/x)`,
        );
      }
      const links: Link[] = [];
      let failed: StructOpsMap | undefined;
      try {
        obj.load();
        for (const m of chosen) {
          failed = m;
          links.push(m.attach());
        }
        failed = undefined;
        if (pin) {
          mkdirSync(pin, { recursive: true });
          for (const l of links) if (l.isKernelLink) l.pin(join(pin, l.map.name));
        }
      } catch (e) {
        // All or nothing: what was registered (or pinned) before the refusal is undone.
        const stuck = links.map(undo).filter((x) => x !== undefined);
        io.err(`bpfkit struct-ops register: ${describeError(e)}`);
        for (const line of stuck) io.err(line);
        const culprit = failed?.name ?? (e instanceof StructOpsError && e.map ? e.map : undefined);
        const rest = chosen.filter((m) => m.name !== culprit).map((m) => m.name);
        if (culprit && rest.length > 0 && stuck.length === 0) {
          io.err(
            `nothing was registered (register is all or nothing); to register the other struct_ops map${rest.length > 1 ? "s" : ""} without ${culprit}: bpfkit struct-ops register ${path} ${rest.map((n) => `--map ${n}`).join(" ")}${pin ? ` --pin ${pin}` : ""}`,
          );
        }
        return 1;
      }
      for (const l of links) {
        // Registered for good: this process exiting must not undo it.
        l.disconnect();
        const where = l.pinnedAt ? `, link pinned at ${l.pinnedAt}` : "";
        io.out(`registered ${l.map.name} (${l.map.kernelTypeName}), map id ${l.map.info().id}${where}`);
        l.close();
      }
      return 0;
    } finally {
      obj.close();
    }
  },
};

/** Undoes a registration this command made (its pin first); says what could not be undone. */
function undo(l: Link): string | undefined {
  try {
    l.unpin();
    l.close();
    return undefined;
  } catch (e) {
    return `could not unregister ${l.map.name} again: ${describeError(e)}`;
  }
}

/** --map: only the named struct_ops maps are created (and registered); an unknown name is a usage error. */
function select(obj: BpfObject, path: string, names: readonly string[]): void {
  const all = obj.structOpsMaps;
  const unknown = names.filter((n) => !all.some((m) => m.name === n));
  if (unknown.length > 0) {
    throw new UsageError(
      `${path} has no struct_ops map ${unknown.map((n) => `"${n}"`).join(", ")}; its struct_ops maps: ${all.map((m) => m.name).join(", ")}`,
    );
  }
  for (const m of all) m.autocreate = names.includes(m.name);
}

const list: Command = {
  name: "struct-ops list",
  usage: "struct-ops list [--json]",
  summary: "list struct_ops maps in the kernel",
  options: { json: { type: "boolean" } },
  run(args, io) {
    const all = listStructOps();
    if (printedJson(args, io, all)) return 0;
    table(
      io,
      ["ID", "NAME", "KERNEL TYPE", "STATE", "LINKS"],
      all.map((m) => [String(m.id), m.name, m.btfObject === "vmlinux" ? m.kernelType : `${m.kernelType} [${m.btfObject}]`, m.state, m.links.join(",") || "-"]),
    );
    return 0;
  },
};

const unregister: Command = {
  name: "struct-ops unregister",
  usage: "struct-ops unregister (--id N | --name NAME)",
  summary: "unregister a struct_ops map: detach its links, or delete a legacy map's value",
  options: { id: { type: "string" }, name: { type: "string" } },
  run(args, io) {
    const m = pick(args, io, "unregister");
    if (!m) return 1;
    const done = unregisterStructOps(m);
    if (done === "not-registered") {
      io.err(`bpfkit struct-ops unregister: ${m.name} (map id ${m.id}) is not registered (state ${m.state})`);
      return 1;
    }
    if (m.links.length > 0) {
      io.out(`unregistered ${m.name} (map id ${m.id}): detached link${m.links.length > 1 ? "s" : ""} ${m.links.join(", ")}; remove any pin of the link to free it`);
    } else {
      io.out(`unregistered ${m.name} (map id ${m.id})`);
    }
    return 0;
  },
};

/** Finds one map by --id or --name, or explains why not. */
function pick(args: { values: Record<string, unknown> }, io: Io, command: string): StructOpsInfo | undefined {
  const id = args.values.id as string | undefined;
  const name = args.values.name as string | undefined;
  if ((id === undefined) === (name === undefined)) throw new UsageError("give exactly one of --id N or --name NAME");
  const matches = listStructOps().filter((m) => (id !== undefined ? m.id === Number(id) : m.name === name));
  if (matches.length === 1) return matches[0];
  io.err(
    matches.length === 0
      ? `bpfkit struct-ops ${command}: no struct_ops map with ${id !== undefined ? `id ${id}` : `name "${name}"`}`
      : `bpfkit struct-ops ${command}: ${matches.length} maps are named "${name}" (ids ${matches.map((m) => m.id).join(", ")}); use --id`,
  );
  return undefined;
}

const show: Command = {
  name: "struct-ops show",
  usage: "struct-ops show [--json]",
  summary: "every struct_ops map with its kernel type, state, links and the programs in its slots",
  options: { json: { type: "boolean" } },
  run(args, io) {
    const all = listStructOps().map((m) => dumpStructOps(m.id) ?? { ...m, members: [] });
    if (printedJson(args, io, all.map((m) => ({ ...m, members: undefined, programs: m.members.filter((x) => x.program).map((x) => ({ member: x.name, ...x.program })) })))) return 0;
    for (const m of all) {
      io.out(`${m.id}: ${m.name}  ${m.kernelType}${m.btfObject === "vmlinux" ? "" : ` [${m.btfObject}]`}  state ${m.state}  links ${m.links.join(",") || "-"}`);
      for (const x of m.members) if (x.program) io.out(`\t${x.name.padEnd(20)} prog ${x.program.id} ${x.program.name}`);
    }
    return 0;
  },
};

const dump: Command = {
  name: "struct-ops dump",
  usage: "struct-ops dump (--id N | --name NAME) [--json]",
  summary: "a struct_ops map's value, decoded from the kernel type's BTF",
  options: { id: { type: "string" }, name: { type: "string" }, json: { type: "boolean" } },
  run(args, io) {
    const m = pick(args, io, "dump");
    if (!m) return 1;
    const d = dumpStructOps(m.id);
    if (!d) {
      io.err(`bpfkit struct-ops dump: map ${m.id} went away`);
      return 1;
    }
    if (printedJson(args, io, d)) return 0;
    io.out(`${d.id}: ${d.name}  ${d.kernelType}  state ${d.state}  links ${d.links.join(",") || "-"}`);
    for (const x of d.members) {
      const shown = x.program ? `prog ${x.program.id} ${x.program.name}` : x.value instanceof Uint8Array ? `[${x.value.byteLength} bytes]` : x.value === undefined ? "-" : typeof x.value === "string" ? JSON.stringify(x.value) : String(x.value);
      io.out(`  ${x.name.padEnd(20)} ${shown}`);
    }
    return 0;
  },
};

export const structOpsCommands: readonly Command[] = [register, list, show, dump, unregister];
