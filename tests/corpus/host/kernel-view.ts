/**
 * What the kernel itself says about struct_ops registrations, programs and refusals: read through
 * /proc, the kernel log, *_GET_NEXT_ID + info by fd, and bpftool 7.8 — never from a loader's own
 * bookkeeping, so the same checks judge libbpf and bpfkit.
 */
import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync, readFileSync, readSync } from "node:fs";
import { fdById, LinkType, linkInfo, mapInfo, mapLookup, nativeBuffer, objectIds, objGet, progInfo } from "@bpfkit/syscall";

/** Congestion controls the kernel offers now, registered BPF ones included. */
export function availableCCs(): string[] {
  return readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8").trim().split(/\s+/);
}

/** Waits until no congestion control called `name` is registered (another test's may linger). */
export async function waitNameFree(name: string, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (availableCCs().includes(name)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** struct bpf_struct_ops_common_value.state values (include/linux/bpf.h). */
const STATE_INUSE = 1;

/** How the kernel holds a struct_ops map now: through which links, and whether its value is in use. */
export interface Registration {
  readonly mapId: number;
  /** Ids of struct_ops links whose map is this one. */
  readonly links: number[];
  /** The value's common state is INUSE: registered the legacy way (map update). */
  readonly inUse: boolean;
}

/** The kernel's view of struct_ops map `mapId` (undefined when it has no such map). */
export function registration(mapId: number): Registration | undefined {
  const fd = fdById("map", mapId);
  if (!fd) return undefined;
  try {
    const info = mapInfo(fd.value);
    const value = nativeBuffer(info.valueSize);
    const found = mapLookup(fd.value, nativeBuffer(4), value);
    const inUse = found && new DataView(value.buffer).getUint32(4, true) === STATE_INUSE;
    return { mapId, links: structOpsLinksOf(mapId), inUse };
  } finally {
    fd.close();
  }
}

/** Struct_ops links the kernel holds for map `mapId`. */
export function structOpsLinksOf(mapId: number): number[] {
  const out: number[] = [];
  for (const id of objectIds("link")) {
    const fd = fdById("link", id);
    if (!fd) continue;
    try {
      const info = linkInfo(fd.value);
      if (info.type === LinkType.STRUCT_OPS && info.structOpsMapId === mapId) out.push(id);
    } finally {
      fd.close();
    }
  }
  return out;
}

/** Is the map registered in either way the kernel knows (a live struct_ops link, or an INUSE value)? */
export function isRegistered(mapId: number): boolean {
  const r = registration(mapId);
  return r !== undefined && (r.inUse || r.links.length > 0);
}

/**
 * The kernel log (/dev/kmsg) from now on: `since()` returns the messages logged after the mark.
 * tcp_register_congestion_control explains its EINVAL there ("<name> does not implement required ops").
 */
export function kmsgMark(): { since(): string[] } {
  const start = kmsgRecords().at(-1)?.seq ?? -1;
  return { since: () => kmsgRecords().filter((r) => r.seq > start).map((r) => r.text) };
}

function kmsgRecords(): { seq: number; text: string }[] {
  const out: { seq: number; text: string }[] = [];
  // O_NONBLOCK: reading past the last record gives EAGAIN instead of waiting for the next one.
  const fd = openSync("/dev/kmsg", constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(8192);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") return out;
        if (code === "EPIPE") continue; // the record we were at was overwritten: go on with the next
        throw e;
      }
      if (n <= 0) return out;
      const rec = buf.toString("utf8", 0, n);
      const semi = rec.indexOf(";");
      const seq = Number(rec.slice(0, semi).split(",")[1]);
      out.push({ seq, text: rec.slice(semi + 1).split("\n")[0]! });
    }
  } finally {
    closeSync(fd);
  }
}

/** `bpftool prog dump xlated` (bpftool 7.8) of one program, by id or by pin path. */
export function xlated(bpftool: string, which: ["id", string] | ["pinned", string]): string {
  return execFileSync(bpftool, ["prog", "dump", "xlated", ...which], { encoding: "utf8", maxBuffer: 64 << 20 });
}

/** bpftool's formatted view of a data map (by id): variable name to value. */
export function dataVars(bpftool: string, mapId: number): Record<string, unknown> {
  const dump = JSON.parse(execFileSync(bpftool, ["map", "dump", "id", String(mapId), "-j"], { encoding: "utf8" })) as {
    formatted?: { value?: Record<string, Record<string, unknown>[]> };
  }[];
  const out: Record<string, unknown> = {};
  for (const vars of Object.values(dump[0]?.formatted?.value ?? {})) for (const v of vars) Object.assign(out, v);
  return out;
}

/**
 * A struct_ops map's value as the kernel holds it (`bpftool struct_ops dump`): function slots as
 * program name and id (ids normalised away), data members, state; its map info is left out.
 */
export function structOpsValue(bpftool: string, mapId: number): string {
  const dump = JSON.parse(execFileSync(bpftool, ["struct_ops", "dump", "id", String(mapId), "-j"], { encoding: "utf8" })) as Record<string, unknown>[];
  const value = dump.filter((part) => !("bpf_map_info" in part));
  return JSON.stringify(value, null, 1).replace(/prog_id:\d+/g, "prog_id:N");
}

/** Map ids differ between any two loads; everything else in the translated code must not. */
export const normalizeXlated = (dump: string): string => dump.replace(/map\[id:\d+\]/g, "map[id:N]");

/** What the kernel reports about a program that matters for where it attaches. */
export interface ProgShape {
  readonly type: number;
  readonly attachBtfObjId: number;
  readonly attachBtfId: number;
  readonly gplCompatible: boolean;
}

export function progShapeById(id: number): ProgShape {
  const fd = fdById("prog", id);
  if (!fd) throw new Error(`the kernel has no program with id ${id}`);
  try {
    return shape(progInfo(fd.value));
  } finally {
    fd.close();
  }
}

export function progShapeByPin(path: string): ProgShape & { id: number } {
  using fd = objGet(path, "prog");
  const info = progInfo(fd.value);
  return { ...shape(info), id: info.id };
}

function shape(i: ProgShape): ProgShape {
  return { type: i.type, attachBtfObjId: i.attachBtfObjId, attachBtfId: i.attachBtfId, gplCompatible: i.gplCompatible };
}

// Lines the verifier prints after its complaint (statistics, the instruction trace's tail).
const LOG_TRAILER = /^(processed \d+ insns|verification time|stack depth|max_states_per_insn|-- END|\d+: |; |\s*$|from \d+ to \d+:)/;

/**
 * The kernel's reason in a verifier log: its last line before the statistics. Written here on
 * purpose rather than taken from bpfkit, so the loader under test does not pick its own answer.
 */
export function kernelReason(log: string | undefined): string | undefined {
  if (!log) return undefined;
  const lines = log.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (line.startsWith("libbpf: ") || LOG_TRAILER.test(line)) continue;
    return line.trim();
  }
  return undefined;
}
