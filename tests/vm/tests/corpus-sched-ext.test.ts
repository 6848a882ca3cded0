// The kernel's own sched_ext schedulers (tools/sched_ext/*.bpf.c, built by the corpus tier from
// sid's linux-source and shipped to /corpus by the harness) on the 7.x guest: each one loads
// through BpfObject, and the kernel then holds the same programs and maps as when libbpf 1.8 loads
// it (the corpus-load oracle): the same xlated code (bpftool 7.8, modulo what differs between any
// two loads), program types, attach targets, tags and map definitions. Load only: nothing is attached, and sched_ext stays
// disabled. The arena users (scx_qmap, scx_sdt) are refused with the typed arena error until the
// [maps] issue. Each object prints one `corpus-result {...}` line, which tests/vm/run.ts appends to
// .test-results/corpus-results.jsonl for the corpus summary.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { BpfObject, ObjectError } from "@bpfkit/struct-ops";
import { enumName, fdById, type MapInfo, MapType, mapInfo, objGet, progInfo } from "@bpfkit/syscall";
import { type CreatedIds, trackCreated } from "../../../tools/testing/src/created.ts";
import { waitGone } from "../../../tools/testing/src/leaks.ts";

const inVm = process.env.BPFKIT_VM === "1";
// Written by the harness (tests/vm/guest-corpus.ts): the manifest, or why there is none.
const MANIFEST = "/corpus/manifest.json";
const UNAVAILABLE = "/corpus/unavailable.txt";

interface GuestObject {
  name: string;
  set: string;
  tier: string;
  path?: string;
  skip?: string;
}
interface GuestManifest {
  version: string;
  libbpfVersion: string;
  bpftool: string;
  loader: string;
  objects: GuestObject[];
}

/** The schedulers tools/sched_ext ships; a new one loads by default (or joins ARENA_USERS). */
const KNOWN = ["scx_central", "scx_cpu0", "scx_flatcg", "scx_pair", "scx_qmap", "scx_sdt", "scx_simple", "scx_userland"];
/** Objects with a BPF_MAP_TYPE_ARENA map (by its name in the .bpf.c), which bpfkit refuses until the [maps] issue. */
const ARENA_USERS = new Map([
  ["scx_qmap", "arena"],
  ["scx_sdt", "arena"],
]);

/** CPUs the kernel could ever bring up, as libbpf_num_possible_cpus() counts them. */
function possibleCpus(): number {
  let n = 0;
  for (const range of readFileSync("/sys/devices/system/cpu/possible", "utf8").trim().split(",")) {
    const [lo, hi = lo] = range.split("-").map(Number);
    n += hi! - lo! + 1;
  }
  return n;
}

/** Map resizes each scheduler's C loader makes before load (tools/sched_ext/scx_*.c). */
function resizesFor(name: string): Record<string, number> {
  if (name !== "scx_pair") return {};
  // scx_pair.c: bpf_map__set_max_entries(pair_ctx, nr_cpu_ids / 2), refusing an odd CPU count.
  const cpus = possibleCpus();
  if (cpus % 2 !== 0) throw new Error(`scx_pair needs an even CPU count, the guest has ${cpus} (QEMU -smp in tests/vm/qemu.ts)`);
  return { pair_ctx: cpus / 2 };
}

function schedExtState(): string {
  return readFileSync("/sys/kernel/sched_ext/state", "utf8").trim();
}

/** libbpf 1.8's outcome for one object, as corpus-load prints it. */
type OracleResult =
  | { ok: true; programs: { name: string; id: number }[]; maps: { name: string; id: number; type: string | number }[] }
  | { ok: false; stage: string; errno: number; error: string; log: string };

function oracleLoad(m: GuestManifest, path: string, pinDir: string, resizes: Record<string, number>): OracleResult {
  const args = [path, pinDir, ...Object.entries(resizes).flatMap(([map, n]) => ["--max-entries", `${map}=${n}`])];
  const r = spawnSync(m.loader, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as OracleResult;
  } catch {
    throw new Error(`corpus-load ${args.join(" ")} exited ${r.status} without a JSON line: ${r.stdout}${r.stderr}`);
  }
}

function xlated(m: GuestManifest, which: string[]): string {
  const r = spawnSync(m.bpftool, ["prog", "dump", "xlated", ...which], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bpftool prog dump xlated ${which.join(" ")}: ${r.stderr.trim()}`);
  return normalizeXlated(r.stdout);
}

/**
 * What differs between any two loads of the same program: map ids; the kernel pointers the
 * verifier writes into the code itself (a 64-bit immediate such as the program's own bpf_prog_aux,
 * which 7.x passes to sched_ext kfuncs as an implicit argument); and the tags in subprogram call
 * targets (`call pc+5#bpf_prog_<tag>_try_dispatch`), which the kernel hashes from the subprogram
 * after the verifier wrote map addresses into it (the program's own tag, hashed before, is compared
 * separately). Everything else must not differ.
 */
function normalizeXlated(dump: string): string {
  return dump
    .replace(/map\[id:\d+\]/g, "map[id:N]")
    .replace(/#bpf_prog_[0-9a-f]{16}_/g, "#bpf_prog_<tag>_")
    .replace(/^(\s*\d+: \(18\) r\d+ = )0x(ff[0-9a-f]{14})$/gm, (line, head: string, hex: string) =>
      // A kernel address, not a small negative constant such as -1.
      BigInt(`0x${hex}`) < 0xffffffffffff0000n ? `${head}<kernel pointer>` : line,
    );
}

/** Where two dumps first differ, with a line of context either side, for the failure message. */
function firstDifference(ours: string, theirs: string): string | undefined {
  const a = ours.split("\n");
  const b = theirs.split("\n");
  const n = Math.max(a.length, b.length);
  const at = [...Array(n).keys()].filter((i) => a[i] !== b[i]);
  if (at.length === 0) return undefined;
  const i = at[0]!;
  const from = Math.max(0, i - 1);
  const show = (lines: string[]) => lines.slice(from, i + 2).map((l) => `    ${l}`).join("\n");
  return `line ${i + 1}, ${at.length} of ${n} lines differ (bpfkit ${a.length} lines, libbpf ${b.length}):\n  bpfkit:\n${show(a)}\n  libbpf:\n${show(b)}`;
}

function progInfoById(id: number) {
  const fd = fdById("prog", id);
  if (!fd) throw new Error(`program id ${id} is gone while pinned`);
  try {
    return progInfo(fd.value);
  } finally {
    fd.close();
  }
}

/**
 * The kernel's name for a map libbpf calls `name`: bpf_map__name() gives a `.data.*`/`.rodata.*`
 * map its whole section name, while the kernel got it cut to 15 characters (BPF_OBJ_NAME_LEN) with
 * anything but letters, digits, `_` and `.` made `_`; other names are cut the same way.
 */
function kernelMapName(name: string): string {
  return name.slice(0, 15).replace(/[^A-Za-z0-9_.]/g, "_");
}

/** libbpf's name for a map type ("array", "struct_ops": libbpf_bpf_map_type_str), from either form. */
function mapTypeName(type: number | string): string {
  return typeof type === "string" ? type : enumName(MapType, type).toLowerCase();
}

/** What of a map's kernel definition both loaders must agree on. */
function mapShape(i: MapInfo) {
  return {
    name: i.name,
    type: i.type,
    keySize: i.keySize,
    valueSize: i.valueSize,
    maxEntries: i.maxEntries,
    flags: i.flags,
    btfVmlinuxValueTypeId: i.btfVmlinuxValueTypeId,
    mapExtra: i.mapExtra,
  };
}
const byName = <T extends { name: string }>(xs: T[]) => xs.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));

/**
 * Shapes of the maps a loader's programs use, read through the kernel by id. (Maps no program uses,
 * the struct_ops map among them, die with corpus-load's process; those are compared by type.)
 */
function usedMapShapes(mapIds: Iterable<number>) {
  return byName(
    [...new Set(mapIds)].map((id) => {
      const fd = fdById("map", id);
      if (!fd) throw new Error(`map id ${id} is gone while a program using it is loaded`);
      try {
        return mapShape(mapInfo(fd.value));
      } finally {
        fd.close();
      }
    }),
  );
}

interface Result {
  tier: "vm";
  name: string;
  bpfkit: string;
  libbpf: string;
  same: boolean;
  note?: string;
  /** Why a difference is the expected outcome today (the summary prints it). */
  expected?: string;
}

function report(r: Result): void {
  console.log(`corpus-result ${JSON.stringify(r)}`);
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function errorLine(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e?.name ?? "Error"}: ${(e?.message ?? String(err)).split("\n")[0]}`;
}

function oracleLine(o: OracleResult): string {
  if (o.ok) return `loaded (${o.programs.length} programs)`;
  // A verifier rejection: its last line before the instruction count says why.
  const lines = o.log.split("\n");
  const at = lines.findIndex((l) => l.startsWith("processed "));
  const why = at > 0 ? `: ${lines[at - 1]}` : "";
  return `${o.stage} failed: errno ${o.errno}: ${o.error}${why}`;
}

/** Every object both loaders made is gone (ours by the ids trackCreated saw, theirs by its report). */
async function expectAllGone(ours: CreatedIds, theirs: OracleResult | undefined): Promise<void> {
  const left = {
    prog: await waitGone("prog", [...ours.prog, ...(theirs?.ok ? theirs.programs.map((p) => p.id) : [])]),
    map: await waitGone("map", [...ours.map, ...(theirs?.ok ? theirs.maps.map((m) => m.id) : [])]),
    link: await waitGone("link", ours.link),
    btf: await waitGone("btf", ours.btf),
  };
  expect(left).toEqual({ prog: [], map: [], link: [], btf: [] });
}

function readManifest(): GuestManifest | string {
  if (existsSync(MANIFEST)) return JSON.parse(readFileSync(MANIFEST, "utf8")) as GuestManifest;
  if (existsSync(UNAVAILABLE)) return readFileSync(UNAVAILABLE, "utf8").trim();
  return `the harness put no corpus in the guest (${MANIFEST} is missing)`;
}

describe.skipIf(!inVm)("tools/sched_ext through BpfObject vs libbpf 1.8 (7.x guest)", () => {
  const manifest = inVm ? readManifest() : "not in the VM";
  if (typeof manifest === "string") {
    // BPFKIT_REQUIRE_KERNEL=1 (always set in the guest): a missing corpus fails, saying what to run.
    const required = process.env.BPFKIT_REQUIRE_KERNEL === "1";
    (required ? test : test.skip)(`corpus available: ${manifest}`, () => {
      throw new Error(`no sched_ext corpus in the guest: ${manifest}`);
    });
    return;
  }
  const objects = manifest.objects.filter((o) => o.set === "sched_ext");

  test("the corpus holds every tools/sched_ext scheduler", () => {
    expect(objects.map((o) => o.name).sort()).toEqual(expect.arrayContaining(KNOWN));
    expect(objects.filter((o) => o.skip)).toEqual([]);
    expect(schedExtState()).toBe("disabled");
  });

  for (const o of objects) {
    if (!o.path) continue;
    const path = o.path;
    const pinDir = `/sys/fs/bpf/bpfkit-corpus-${o.name}`;

    if (ARENA_USERS.has(o.name)) {
      test(`${o.name}: refused with the arena error, creating nothing; libbpf 1.8's outcome recorded`, async () => {
        const result: Result = { tier: "vm", name: o.name, bpfkit: "", libbpf: "", same: false, expected: "bpfkit refuses arena maps until the [maps] issue" };
        let theirs: OracleResult | undefined;
        const ours = trackCreated(() => {
          const obj = BpfObject.open(path);
          try {
            obj.load();
          } finally {
            obj.close();
          }
        });
        try {
          result.bpfkit = ours.error === undefined ? "loaded" : `refused: ${errorLine(ours.error)}`;
          // libbpf's outcome is recorded, not asserted: built with clang-16, which has no arena
          // address-space casts, its 7.2 verifier rejects the arena pointers' loads.
          theirs = oracleLoad(manifest, path, pinDir, {});
          result.libbpf = oracleLine(theirs);
          expect(ours.error, "bpfkit must refuse an arena map").toBeDefined();
          expectArenaRefusal(ours.error, ARENA_USERS.get(o.name)!);
          // Refused at open, from the file alone: not one bpf() object was created, not even a probe.
          expect(ours.ids).toEqual({ map: [], prog: [], link: [], btf: [] });
          expect(schedExtState()).toBe("disabled");
        } finally {
          rmSync(pinDir, { recursive: true, force: true });
          report(result);
        }
        await expectAllGone(ours.ids, theirs);
      });
      continue;
    }

    test(`${o.name}: loads, with the same xlated code as libbpf 1.8`, async () => {
      const result: Result = { tier: "vm", name: o.name, bpfkit: "", libbpf: "", same: false };
      let timing: (() => string) | undefined;
      const resizes = resizesFor(o.name);
      let obj: BpfObject | undefined;
      let theirs: OracleResult | undefined;
      const t0 = performance.now();
      const ours = trackCreated(() => {
        obj = BpfObject.open(path);
        for (const [map, n] of Object.entries(resizes)) obj.map(map).maxEntries = n;
        obj.load();
      });
      try {
        const loaded = obj?.programs.filter((p) => p.loaded) ?? [];
        result.bpfkit = ours.error === undefined ? `loaded (${loaded.length} programs)` : `failed: ${errorLine(ours.error)}`;
        const t1 = performance.now();
        theirs = oracleLoad(manifest, path, pinDir, resizes);
        result.libbpf = oracleLine(theirs);
        const t2 = performance.now();
        timing = () => `${o.name}: bpfkit open+load ${secs(t1 - t0)}, libbpf ${secs(t2 - t1)}, comparison ${secs(performance.now() - t2)}`;
        if (ours.error !== undefined) throw ours.error;
        if (!theirs.ok) throw new Error(`libbpf 1.8 failed to load ${o.name}: ${result.libbpf}\n${theirs.log.slice(-2000)}`);

        // Loaded is not registered: a .struct_ops.link map is only created, by either loader.
        expect(schedExtState()).toBe("disabled");
        expect(ours.ids.link, "load() makes no link").toEqual([]);
        expect(loaded.length, "programs to compare").toBeGreaterThan(0);

        const differences: string[] = [];
        const theirProgIds = theirs.programs.map((p) => p.id);
        const ourNames = loaded.map((p) => p.name).sort();
        const theirNames = theirs.programs.map((p) => p.name).sort();
        if (JSON.stringify(ourNames) !== JSON.stringify(theirNames)) differences.push(`programs: bpfkit ${ourNames.join(",")}; libbpf ${theirNames.join(",")}`);
        for (const p of loaded) {
          const pin = `${pinDir}/${p.name}`;
          if (!theirNames.includes(p.name)) continue;
          const diff = firstDifference(xlated(manifest, ["id", String(p.info().id)]), xlated(manifest, ["pinned", pin]));
          if (diff) differences.push(`program ${p.name}: xlated differs at ${diff}`);
          using pinned = objGet(pin, "prog");
          const [a, b] = [progInfo(pinned.value), p.info()];
          const them = { type: a.type, attachBtfObjId: a.attachBtfObjId, attachBtfId: a.attachBtfId, tag: a.tag };
          const us = { type: b.type, attachBtfObjId: b.attachBtfObjId, attachBtfId: b.attachBtfId, tag: b.tag };
          if (JSON.stringify(us) !== JSON.stringify(them)) differences.push(`program ${p.name}: bpfkit ${JSON.stringify(us)}, libbpf ${JSON.stringify(them)}`);
        }
        const fmt = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
        const ourUsed = usedMapShapes(loaded.flatMap((p) => p.info().mapIds));
        const theirUsed = usedMapShapes(theirProgIds.flatMap((id) => progInfoById(id).mapIds));
        if (fmt(ourUsed) !== fmt(theirUsed)) differences.push(`maps used by programs: bpfkit ${fmt(ourUsed)}\n  libbpf ${fmt(theirUsed)}`);
        // Every map, the struct_ops one too: name as the kernel has it, and type.
        const ourMaps = obj!.maps.filter((m) => m.created).map((m) => `${m.info().name}:${mapTypeName(m.info().type)}`).sort();
        const theirMaps = theirs.maps.map((m) => `${kernelMapName(m.name)}:${mapTypeName(m.type)}`).sort();
        if (fmt(ourMaps) !== fmt(theirMaps)) differences.push(`maps: bpfkit ${fmt(ourMaps)}, libbpf ${fmt(theirMaps)}`);
        result.same = differences.length === 0;
        if (!result.same) result.note = differences.map((d) => d.split("\n")[0]).join("; ");
        expect(differences.join("\n")).toBe("");
      } finally {
        obj?.close();
        rmSync(pinDir, { recursive: true, force: true });
        report(result);
        if (timing) console.log(timing());
      }
      await expectAllGone(ours.ids, theirs);
      expect(schedExtState()).toBe("disabled");
    });
  }
});

/** The typed refusal bpfkit gives an arena map: which map, and that arena maps are the reason. */
function expectArenaRefusal(err: unknown, arenaMap: string): void {
  expect(err).toBeInstanceOf(ObjectError);
  const e = err as ObjectError;
  expect({ code: e.code, subject: e.subject }).toEqual({ code: "arena-unsupported", subject: `map "${arenaMap}"` });
  expect(e.message, "the message names the map and says why").toMatch(new RegExp(`map "${arenaMap}".*arena maps are not supported`));
}
