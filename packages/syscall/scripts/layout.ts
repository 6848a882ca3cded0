// The layouts bpfkit writes into bpf() attrs and reads back from *_GET_INFO_BY_FD, worked out
// from a kernel's BTF: every command's struct in union bpf_attr, and the info structs. Used by
// gen-attr.ts (which renders src/gen/attr-layout.ts from the 7.x guest kernel) and by the tests
// (which compare that file with the running kernel's BTF).
import { type Btf, cTypeName, Kind } from "@bpfkit/btf";

/** One member: byte offset and size within the top-level struct. */
export interface FieldLayout {
  readonly kind: "field";
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** For a bitfield: its first bit within the `size`-byte unit at `offset`, and its width. */
  readonly bit?: number;
  readonly bits?: number;
  /** The type as the kernel's header spells it: "__u32", "char[16]". */
  readonly ctype: string;
  /** The other members of the anonymous union it shares its bytes with, if any. */
  readonly union?: readonly string[];
}

/** A named inner struct or union (link_create.kprobe_multi): its members, offsets still from the top. */
export interface GroupLayout {
  readonly kind: "group";
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly ctype: string;
  readonly entries: readonly Entry[];
}

export type Entry = FieldLayout | GroupLayout;

export interface StructLayout {
  /** The stable name bpfkit uses: "MAP_CREATE", "PROG_INFO". */
  readonly name: string;
  /** Where it lives: "union bpf_attr.link_create", "struct bpf_prog_info". */
  readonly source: string;
  /** The commands that use it. */
  readonly commands: string;
  readonly size: number;
  readonly entries: readonly Entry[];
}

export interface Layout {
  /** sizeof(union bpf_attr). */
  readonly attrSize: number;
  readonly structs: readonly StructLayout[];
}

export class LayoutError extends Error {
  override readonly name = "LayoutError";
}

/**
 * Which member of union bpf_attr is which command's. Named members are found by name; the
 * anonymous ones by a member only they have (searched through their inner anonymous unions).
 */
interface AttrMember {
  readonly name: string;
  readonly commands: string;
  readonly member?: string;
  readonly holds?: string;
}

const ATTR_MEMBERS: readonly AttrMember[] = [
  { name: "MAP_CREATE", holds: "map_type", commands: "BPF_MAP_CREATE" },
  {
    name: "MAP_ELEM",
    holds: "next_key",
    commands: "BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_ELEM, BPF_MAP_FREEZE",
  },
  { name: "MAP_BATCH", member: "batch", commands: "BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH, BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH" },
  { name: "PROG_LOAD", holds: "prog_type", commands: "BPF_PROG_LOAD" },
  { name: "OBJ", holds: "pathname", commands: "BPF_OBJ_PIN, BPF_OBJ_GET" },
  { name: "PROG_ATTACH", holds: "attach_bpf_fd", commands: "BPF_PROG_ATTACH, BPF_PROG_DETACH" },
  { name: "PROG_TEST_RUN", member: "test", commands: "BPF_PROG_TEST_RUN" },
  { name: "GET_ID", holds: "start_id", commands: "BPF_{PROG,MAP,BTF,LINK}_GET_NEXT_ID, BPF_{PROG,MAP,BTF,LINK}_GET_FD_BY_ID" },
  { name: "OBJ_GET_INFO_BY_FD", member: "info", commands: "BPF_OBJ_GET_INFO_BY_FD" },
  { name: "PROG_QUERY", member: "query", commands: "BPF_PROG_QUERY" },
  { name: "RAW_TRACEPOINT_OPEN", member: "raw_tracepoint", commands: "BPF_RAW_TRACEPOINT_OPEN" },
  { name: "BTF_LOAD", holds: "btf_log_buf", commands: "BPF_BTF_LOAD" },
  { name: "TASK_FD_QUERY", member: "task_fd_query", commands: "BPF_TASK_FD_QUERY" },
  { name: "LINK_CREATE", member: "link_create", commands: "BPF_LINK_CREATE" },
  { name: "LINK_UPDATE", member: "link_update", commands: "BPF_LINK_UPDATE" },
  { name: "LINK_DETACH", member: "link_detach", commands: "BPF_LINK_DETACH" },
  { name: "ENABLE_STATS", member: "enable_stats", commands: "BPF_ENABLE_STATS" },
  { name: "ITER_CREATE", member: "iter_create", commands: "BPF_ITER_CREATE" },
  { name: "PROG_BIND_MAP", member: "prog_bind_map", commands: "BPF_PROG_BIND_MAP" },
  { name: "TOKEN_CREATE", member: "token_create", commands: "BPF_TOKEN_CREATE" },
  { name: "PROG_STREAM_READ_BY_FD", member: "prog_stream_read", commands: "BPF_PROG_STREAM_READ_BY_FD" },
  { name: "PROG_ASSOC_STRUCT_OPS", member: "prog_assoc_struct_ops", commands: "BPF_PROG_ASSOC_STRUCT_OPS" },
];

/** The info structs BPF_OBJ_GET_INFO_BY_FD fills, by the stable name bpfkit uses. */
const INFO_STRUCTS: readonly { readonly name: string; readonly struct: string }[] = [
  { name: "PROG_INFO", struct: "bpf_prog_info" },
  { name: "MAP_INFO", struct: "bpf_map_info" },
  { name: "BTF_INFO", struct: "bpf_btf_info" },
  { name: "LINK_INFO", struct: "bpf_link_info" },
];

/** Every stable struct name, in the order gen-attr.ts writes them. */
export const STRUCT_NAMES: readonly string[] = [...ATTR_MEMBERS.map((m) => m.name), ...INFO_STRUCTS.map((s) => s.name)];

/** Comments spell types as declared ("__aligned_u64", "char[16]"); anonymous records as `{...}`. */
const ANON = { anonymous: "{...}" } as const;

function isRecord(btf: Btf, id: number): boolean {
  const k = btf.kind(btf.resolve(id));
  return k === Kind.STRUCT || k === Kind.UNION;
}

/**
 * The entries of a struct or union at `base` bits: members of anonymous inner records merge into
 * this level (as C lets you name them), named inner records become groups. Unnamed bitfields
 * (padding) are left out. `where` names the record in errors.
 */
function entries(btf: Btf, id: number, base: number, where: string, union?: readonly string[]): Entry[] {
  const out: Entry[] = [];
  const rid = btf.resolve(id);
  const isUnion = btf.kind(rid) === Kind.UNION;
  const members = btf.members(rid);
  // Members of an anonymous union: each field records the names it overlaps.
  const names = isUnion ? members.flatMap((m) => (m.name ? [m.name] : [])) : undefined;
  for (const m of members) {
    const at = base + m.bitOffset;
    if (!m.name) {
      if (isRecord(btf, m.type)) out.push(...entries(btf, m.type, at, where, undefined));
      continue;
    }
    const others = names ? names.filter((n) => n !== m.name) : union;
    if (isRecord(btf, m.type)) {
      if (at % 8 !== 0) throw new LayoutError(`${where}.${m.name}: an inner record at bit ${at}, not on a byte`);
      const size = btf.sizeOf(m.type);
      const inner = entries(btf, m.type, at, `${where}.${m.name}`, undefined);
      out.push({ kind: "group", name: m.name, offset: at / 8, size, ctype: cTypeName(btf, m.type, ANON), entries: inner });
      continue;
    }
    const size = btf.sizeOf(m.type);
    const ctype = cTypeName(btf, m.type, ANON);
    const extra = others && others.length > 0 ? { union: others } : {};
    if (m.bitfieldSize > 0) {
      // A bitfield is read through the unit of its declared type that holds it.
      const unit = size * 8;
      const offset = Math.floor(at / unit) * size;
      const bit = at - offset * 8;
      if (bit + m.bitfieldSize > unit) throw new LayoutError(`${where}.${m.name}: bitfield at bit ${at} crosses a ${size}-byte unit`);
      out.push({ kind: "field", name: m.name, offset, size, bit, bits: m.bitfieldSize, ctype, ...extra });
      continue;
    }
    if (at % 8 !== 0) throw new LayoutError(`${where}.${m.name}: at bit ${at}, not on a byte`);
    out.push({ kind: "field", name: m.name, offset: at / 8, size, ctype, ...extra });
  }
  // Names must be unique per level: they become property keys.
  const seen = new Set<string>();
  for (const e of out) {
    if (seen.has(e.name)) throw new LayoutError(`${where}: two members named ${e.name} at one level; name them apart in layout.ts`);
    seen.add(e.name);
  }
  return out;
}

/** Every field name in `list`, inner anonymous records included (groups by their own name). */
function flatNames(list: readonly Entry[]): Set<string> {
  return new Set(list.map((e) => e.name));
}

/**
 * The layouts in `btf`. Commands or info structs this kernel lacks are left out (a kernel before
 * 7.0 has no prog_assoc_struct_ops); an anonymous member of union bpf_attr nobody has named yet
 * is an error, so a new kernel's command is named here rather than guessed.
 */
export function layoutOf(btf: Btf): Layout {
  const attr = btf.find("bpf_attr", "UNION");
  if (attr === undefined) throw new LayoutError("this BTF has no union bpf_attr (is it a kernel's vmlinux BTF?)");
  const found = new Map<string, StructLayout>();
  btf.members(attr).forEach((m, index) => {
    const where = m.name ? `union bpf_attr.${m.name}` : `union bpf_attr member #${index}`;
    if (!isRecord(btf, m.type)) throw new LayoutError(`${where} is not a struct`);
    const list = entries(btf, m.type, m.bitOffset, "union bpf_attr", undefined);
    const names = flatNames(list);
    const known = m.name ? ATTR_MEMBERS.find((a) => a.member === m.name) : ATTR_MEMBERS.find((a) => a.holds && names.has(a.holds));
    let name: string;
    let commands: string;
    if (known) {
      name = known.name;
      commands = known.commands;
    } else if (m.name) {
      // A new named member: its name is as stable as the kernel's.
      name = m.name.toUpperCase();
      commands = `(union bpf_attr.${m.name}, not yet named in layout.ts)`;
    } else {
      throw new LayoutError(`${where} (members ${[...names].join(", ")}) is no command layout.ts knows: add it to ATTR_MEMBERS`);
    }
    if (found.has(name)) throw new LayoutError(`${where} and another member both look like ${name}`);
    const source = m.name ? `union bpf_attr.${m.name}` : `union bpf_attr, the anonymous struct with ${known?.holds}`;
    found.set(name, { name, source, commands, size: btf.sizeOf(m.type), entries: list });
  });
  for (const info of INFO_STRUCTS) {
    const id = btf.find(info.struct, "STRUCT");
    if (id === undefined) continue;
    const list = entries(btf, id, 0, `struct ${info.struct}`, undefined);
    found.set(info.name, { name: info.name, source: `struct ${info.struct}`, commands: "BPF_OBJ_GET_INFO_BY_FD", size: btf.sizeOf(id), entries: list });
  }
  const order = [...STRUCT_NAMES, ...[...found.keys()].filter((n) => !STRUCT_NAMES.includes(n)).sort()];
  return { attrSize: btf.sizeOf(attr), structs: order.flatMap((n) => (found.has(n) ? [found.get(n)!] : [])) };
}

/** Where a layout came from, for the generated file's header. */
export interface Provenance {
  readonly release: string;
  readonly sha256: string;
}

/** The command that regenerates the file, as its header states it. */
export const REGENERATE = "`bun run gen:attr` in packages/syscall (or `bun packages/syscall/scripts/gen-attr.ts`)";

function renderEntries(list: readonly Entry[], indent: string, out: string[]): void {
  for (const e of list) {
    if (e.kind === "group") {
      out.push(`${indent}/** ${e.ctype}, ${e.size} bytes at ${e.offset}. */`);
      out.push(`${indent}${e.name}: {`);
      renderEntries(e.entries, `${indent}  `, out);
      out.push(`${indent}},`);
      continue;
    }
    const bits = e.bits !== undefined ? `, bit: ${e.bit}, bits: ${e.bits}` : "";
    const note = e.union ? ` (union with ${e.union.join(", ")})` : "";
    out.push(`${indent}${e.name}: { offset: ${e.offset}, size: ${e.size}${bits} }, // ${e.ctype}${e.bits !== undefined ? `:${e.bits}` : ""}${note}`);
  }
}

/** The TypeScript source of src/gen/attr-layout.ts. Deterministic: the same BTF gives the same bytes. */
export function renderLayout(layout: Layout, from: Provenance): string {
  const out: string[] = [
    "// Generated from the kernel's own BTF by packages/syscall/scripts/gen-attr.ts. Do not edit:",
    `// regenerate with ${REGENERATE}.`,
    `// Kernel: Linux ${from.release}; its .BTF section has sha256`,
    `// ${from.sha256}.`,
    "//",
    "// Each field is { offset, size } in bytes from the start of its struct; a bitfield adds `bit`",
    "// (its first bit within that size-byte unit) and `bits` (its width). Members of anonymous",
    "// unions and structs appear under their own names, as C lets you write them; members of a",
    "// named inner struct appear under that struct's name.",
    "",
  ];
  for (const s of layout.structs) {
    out.push(`/** ${s.commands}: ${s.source}, ${s.size} bytes. */`);
    out.push(`export const ${s.name} = {`);
    renderEntries(s.entries, "  ", out);
    out.push("} as const;");
    out.push("");
  }
  out.push("/** Sizes in bytes on this kernel: union bpf_attr, and each struct above. */");
  out.push("export const SIZE = {");
  out.push(`  BPF_ATTR: ${layout.attrSize},`);
  for (const s of layout.structs) out.push(`  ${s.name}: ${s.size},`);
  out.push("} as const;");
  out.push("");
  return out.join("\n");
}

/** The provenance line pair a generated file starts with, read back (for the regeneration test). */
export function provenanceOf(source: string): Provenance | undefined {
  const release = /^\/\/ Kernel: Linux (\S+); its \.BTF section has sha256$/m.exec(source)?.[1];
  const sha256 = /^\/\/ ([0-9a-f]{64})\.$/m.exec(source)?.[1];
  return release && sha256 ? { release, sha256 } : undefined;
}
