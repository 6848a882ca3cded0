/**
 * One corpus object through both loaders, compared through the kernel: the load outcome (or the
 * kernel's reason for refusing it), the translated code of every program both loaded, and each
 * struct_ops map's registration — on its own, libbpf's then bpfkit's, with real loopback traffic
 * for every congestion control that registers.
 */
import { join } from "node:path";
import { BpfObject, type Link, type StructOpsMap } from "@bpfkit/struct-ops";
import { BpfError, errnoName } from "@bpfkit/syscall";
import { type CreatedIds, trackCreated, waitGone } from "@bpfkit/testing";
import { expect } from "vitest";
import { runTraffic } from "../../../examples/tcp-cc/run-traffic.ts";
import { type Expectation, expectationFor, registers } from "./expected.ts";
import { availableCCs, dataVars, isRegistered, kmsgMark, normalizeXlated, progShapeById, progShapeByPin, structOpsValue, waitNameFree, xlated } from "./kernel-view.ts";
import { type LibbpfResult, runLibbpf } from "./libbpf.ts";
import type { Corpus, CorpusObject } from "./objects.ts";
import { bpfkitOutcome, describe, type LoadOutcome, libbpfOutcome } from "./outcome.ts";

/** What each loader did with the object, in short; filled as the comparison goes. */
export interface ObjectReport {
  readonly bpfkit: string[];
  readonly libbpf: string[];
}

const TRAFFIC_BYTES = 2 << 20;

/** Compares `entry` under both loaders; throws (an expect failure) at the first difference. */
export async function compareObject(corpus: Corpus, entry: CorpusObject, pinRoot: string, report: ObjectReport): Promise<void> {
  const path = entry.path!;
  const expected = expectationFor(entry.name);
  const subject = expected && expected.load !== "ok" ? expected.load.refused : undefined;
  const note = expected && expected.load !== "ok" ? expected.load.note : undefined;
  const created: CreatedIds = { map: [], prog: [], link: [], btf: [] };
  let obj: BpfObject | undefined;
  try {
    const lib = await runLibbpf(corpus.loader, path, join(pinRoot, `${entry.name}-load`));
    let ours: LoadOutcome;
    try {
      try {
        obj = BpfObject.open(path);
        const t = trackCreated(() => obj!.load());
        merge(created, t.ids);
        ours = t.error === undefined ? { kind: "loaded" } : bpfkitOutcome("load", t.error);
      } catch (e) {
        ours = bpfkitOutcome("open", e);
      }
      const theirs = libbpfOutcome(lib.result);
      report.libbpf.push(describe(theirs, subject, note));
      report.bpfkit.push(describe(ours, subject, note));
      expect(describe(ours, subject, note), "load outcome, bpfkit vs libbpf 1.8").toBe(describe(theirs, subject, note));
      // The kernel's line is in bpfkit's error message itself, not only in its log.
      if (ours.kind === "kernel" && ours.reason) expect(ours.text).toContain(ours.reason);
      checkExpectedLoad(expected, ours);
      if (ours.kind === "loaded" && lib.result.ok) compareXlated(corpus.bpftool, obj!, lib.result, lib.pinDir);
    } finally {
      await lib.close();
    }
    await expectLibbpfGone(lib.result);

    if (obj?.state !== "loaded" || !lib.result.ok) return;
    const ourMaps = obj.structOpsMaps.filter((m) => m.created).map((m) => m.name);
    const theirMaps = lib.result.maps.filter((m) => m.type === "struct_ops").map((m) => m.name);
    expect(ourMaps.toSorted(), "struct_ops maps created").toEqual(theirMaps.toSorted());
    if (expected?.maps) expect(ourMaps.toSorted(), "struct_ops maps the selftests name").toEqual(Object.keys(expected.maps).toSorted());
    // Registration outcomes replace the bare "loaded" once there are maps to register.
    if (ourMaps.length > 0) {
      report.bpfkit.length = 0;
      report.libbpf.length = 0;
    }
    for (const name of ourMaps) {
      const map = obj.structOps(name);
      const exp = expected?.maps?.[name];
      const counters = registers(exp) ? (exp.counters ?? []) : [];
      const theirs = await registerWithLibbpf(corpus, path, map, join(pinRoot, `${entry.name}-${name}`), counters);
      report.libbpf.push(theirs.outcome);
      const ours = await registerWithBpfkit(corpus, obj, map, created, counters);
      report.bpfkit.push(ours.outcome);
      expect(ours.outcome, `registration of ${name}, bpfkit vs libbpf 1.8`).toBe(theirs.outcome);
      expect(ours.value, `${name}'s value as the kernel holds it while registered`).toBe(theirs.value);
      if (exp) {
        const want = registers(exp) ? `${name}: registered ${exp.cc}` : `${name}: refused at attach: ${exp.refused}`;
        expect(ours.outcome.startsWith(want), `${ours.outcome}: selftests expect ${want} (${expected!.source})`).toBe(true);
        if (!registers(exp) && exp.kmsg) expect(ours.outcome).toContain(exp.kmsg);
      }
    }
  } finally {
    try {
      obj?.close();
    } finally {
      for (const kind of ["link", "prog", "map", "btf"] as const) expect(await waitGone(kind, created[kind]), `bpfkit's ${kind}s left in the kernel`).toEqual([]);
    }
  }
}

function merge(into: CreatedIds, ids: CreatedIds): void {
  for (const k of ["map", "prog", "link", "btf"] as const) into[k].push(...ids[k]);
}

function checkExpectedLoad(expected: Expectation | undefined, ours: LoadOutcome): void {
  if (!expected) return;
  if (expected.load === "ok") {
    expect(ours.kind, `selftests expect it to load (${expected.source})`).toBe("loaded");
    return;
  }
  expect(ours.kind, `selftests expect a refusal (${expected.source})`).not.toBe("loaded");
  const said = ours.kind === "kernel" && ours.reason ? ours.reason : ours.kind === "loaded" ? "" : ours.text;
  expect(said, `selftests expect this reason (${expected.source})`).toContain(expected.load.refused);
}

/** Every program both loaded: same translated code (modulo map ids), type and attach target. */
function compareXlated(bpftool: string, obj: BpfObject, lib: Extract<LibbpfResult, { ok: true }>, pinDir: string): void {
  const ours = obj.programs.filter((p) => p.loaded);
  expect(ours.map((p) => p.name).toSorted(), "programs loaded").toEqual(lib.programs.map((p) => p.name).toSorted());
  for (const p of ours) {
    const id = p.info().id;
    const pin = join(pinDir, p.name);
    expect(normalizeXlated(xlated(bpftool, ["id", String(id)])), `xlated ${p.name}`).toBe(normalizeXlated(xlated(bpftool, ["pinned", pin])));
    const { id: _theirId, ...theirs } = progShapeByPin(pin);
    expect(progShapeById(id), `type and attach target of ${p.name}`).toEqual(theirs);
  }
}

/** libbpf's programs and maps are gone once its loader has exited and its pins are removed. */
async function expectLibbpfGone(r: LibbpfResult): Promise<void> {
  if (!r.ok) return;
  expect(await waitGone("prog", r.programs.map((p) => p.id)), "libbpf's programs left in the kernel").toEqual([]);
  expect(await waitGone("map", r.maps.map((m) => m.id)), "libbpf's maps left in the kernel").toEqual([]);
}

/** The congestion control name a tcp_congestion_ops map registers (none for other types). */
function ccName(map: StructOpsMap): string | undefined {
  if (map.kernelTypeName !== "tcp_congestion_ops") return undefined;
  return String(map.field("name"));
}

/** What the kernel logged about registering `cc` since `mark` (tcp_register_congestion_control's reason). */
function kernelSays(mark: { since(): string[] }, cc: string | undefined): string {
  if (!cc) return "";
  const line = mark.since().find((l) => l.includes(cc));
  return line ? `: kernel log "${line}"` : "";
}

async function freeName(cc: string | undefined): Promise<void> {
  if (cc) expect(await waitNameFree(cc), `congestion control "${cc}" is held by someone else`).toBe(true);
}

/**
 * While `cc` is registered: a connection chosen per socket with setsockopt(TCP_CONGESTION) in a
 * private network namespace moves bytes, and the counters the selftests watch move with it.
 */
function carryTraffic(bpftool: string, cc: string, bssId: number | undefined, counters: readonly string[]): void {
  expect(availableCCs(), "registered congestion controls").toContain(cc);
  const before = bssId !== undefined ? dataVars(bpftool, bssId) : {};
  const t = runTraffic(cc, TRAFFIC_BYTES);
  expect(t.congestionControl).toBe(cc);
  expect(t.bytes).toBe(TRAFFIC_BYTES);
  if (counters.length === 0) return;
  expect(bssId, "a .bss map to read counters from").toBeDefined();
  const after = dataVars(bpftool, bssId!);
  for (const c of counters) expect(Number(after[c]), `${c} after traffic`).toBeGreaterThan(Number(before[c]));
}

/** How one registration went: the short outcome, and the value the kernel held while it was registered. */
interface Registered {
  readonly outcome: string;
  readonly value?: string;
}

/** libbpf registers this one map alone (corpus-load --attach --only-map), checked through the kernel. */
async function registerWithLibbpf(corpus: Corpus, path: string, map: StructOpsMap, pinDir: string, counters: readonly string[]): Promise<Registered> {
  const cc = ccName(map);
  await freeName(cc);
  const mark = kmsgMark();
  const run = await runLibbpf(corpus.loader, path, pinDir, { attach: true, onlyMaps: [map.name] });
  let out: Registered;
  try {
    const r = run.result;
    if (!r.ok) {
      expect(r.stage, `libbpf: ${r.error}`).toBe("attach");
      out = { outcome: `${map.name}: refused at attach: ${errnoName(r.errno)}${kernelSays(mark, cc)}` };
    } else {
      const id = r.maps.find((m) => m.name === map.name)!.id;
      expect(isRegistered(id), "libbpf's map registered, as the kernel sees it").toBe(true);
      const value = structOpsValue(corpus.bpftool, id);
      if (cc) carryTraffic(corpus.bpftool, cc, r.maps.find((m) => m.name.endsWith(".bss"))?.id, counters);
      out = { outcome: `${map.name}: registered ${cc ?? map.kernelTypeName}`, value };
    }
  } finally {
    await run.close();
  }
  await expectLibbpfGone(run.result);
  if (cc) expect(availableCCs(), "unregistered when libbpf's loader ends").not.toContain(cc);
  return out;
}

/** bpfkit registers the same map on its own: map.attach(), then the Link closes. */
async function registerWithBpfkit(corpus: Corpus, obj: BpfObject, map: StructOpsMap, created: CreatedIds, counters: readonly string[]): Promise<Registered> {
  const cc = ccName(map);
  await freeName(cc);
  const mark = kmsgMark();
  const t = trackCreated(() => map.attach());
  merge(created, t.ids);
  if (t.error !== undefined) {
    expect(t.error, String(t.error)).toBeInstanceOf(BpfError);
    return { outcome: `${map.name}: refused at attach: ${(t.error as BpfError).code}${kernelSays(mark, cc)}` };
  }
  const link: Link = t.result!;
  let value: string;
  try {
    expect(isRegistered(map.info().id), "bpfkit's map registered, as the kernel sees it").toBe(true);
    value = structOpsValue(corpus.bpftool, map.info().id);
    if (cc) {
      const bss = obj.dataMaps.find((d) => d.section === ".bss" && d.created);
      carryTraffic(corpus.bpftool, cc, bss?.info().id, counters);
    }
  } finally {
    link.close();
  }
  if (cc) expect(availableCCs(), "unregistered when bpfkit's link closes").not.toContain(cc);
  return { outcome: `${map.name}: registered ${cc ?? map.kernelTypeName}`, value };
}
