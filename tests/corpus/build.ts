// Compiles the corpus with clang-16 into .cache/objects/<version>/, with the flags of the kernel's
// own Makefiles: every tools/sched_ext/*.bpf.c against linux-bpf-dev's vmlinux.h (the 7.x guest),
// and every selftests/bpf/progs/*.c with a struct_ops section against bpfkit's own C dump of this
// machine's BTF. Each object is rebuilt only when its key (version, clang, flags, source, headers)
// changes.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, which } from "../vm/exec.ts";
import type { CorpusObject, CorpusSet, CorpusTier } from "./manifest.ts";
import { hash, jobs, type Oracle } from "./oracle.ts";
import { CACHE_DIR, log, REPO_ROOT } from "./paths.ts";
import type { Sources } from "./source.ts";

export const CLANG = "clang-16";
const HOST_BTF = "/sys/kernel/btf/vmlinux";
export const TESTMOD_SKIP = "needs bpf_testmod (a test kernel module this kernel does not have)";

export interface Built {
  objects: CorpusObject[];
  hostVmlinuxH: string;
  clang: string;
  built: number;
  reused: number;
}

type Header = "host" | "guest";

interface Job {
  obj: CorpusObject;
  out: string;
  /** Compiler arguments per header, tried in order; the first that compiles wins. */
  attempts: { header: Header; args: string[] }[];
  key: string;
}

interface BuildRecord {
  key: string;
  vmlinuxH?: Header;
  hostError?: string;
  skip?: string;
}

/**
 * Whether a selftests program belongs in the corpus (it has a struct_ops section), and if it
 * must be skipped. Programs that include a bpf_testmod header need that module loaded; those
 * that only declare their own bpf_testmod_ops-like type are kept (both loaders must refuse them
 * the same way here).
 */
export function selftestsEntry(text: string): { skip?: string } | null {
  if (!/SEC\("\.?struct_ops/.test(text)) return null;
  if (/^\s*#\s*include\s*[<"][^>"]*bpf_testmod[^>"]*[>"]/m.test(text)) return { skip: TESTMOD_SKIP };
  return {};
}

export async function buildObjects(src: Sources, oracle: Oracle): Promise<Built> {
  if (!which(CLANG)) throw new Error(`${CLANG} not found: the corpus is compiled with it (bash scripts/system-deps.sh installs it)`);
  const clang = run([CLANG, "--version"]).stdout.split("\n")[0]!.trim();
  const sys = systemIncludes();
  const root = join(CACHE_DIR, "objects", src.version);
  const hostDir = join(root, "host");
  const hostVmlinuxH = join(hostDir, "vmlinux.h");
  const hostHeader = dumpHostBtf(hostVmlinuxH);
  const guestDir = join(src.tree, "..", "guest");
  const headerHash = { guest: hash([readFileSync(src.guestVmlinuxH, "latin1")]), host: hostHeader ?? "" };
  const libbpfInc = join(oracle.libbpfDir, "include");
  const t = (p: string) => join(src.tree, "tools", p);

  const jobsList: Job[] = [];
  const skipped: CorpusObject[] = [];
  const key = (header: string[], args: string[][], source: string) =>
    hash([src.version, clang, JSON.stringify(args), readFileSync(source, "latin1"), ...header]);

  // tools/sched_ext/Makefile's BPF_CFLAGS; its INCLUDE_DIR holds vmlinux.h and libbpf's headers.
  const scxDir = t("sched_ext");
  for (const file of readdirSync(scxDir).filter((f) => f.endsWith(".bpf.c")).sort()) {
    const name = file.slice(0, -".bpf.c".length);
    const source = join(scxDir, file);
    const out = join(root, "sched_ext", `${name}.bpf.o`);
    const args = [
      "-g",
      "-D__TARGET_ARCH_x86",
      "-mlittle-endian",
      ...["-I", join(scxDir, "include"), "-I", join(scxDir, "include/bpf-compat")],
      ...["-I", guestDir, "-I", libbpfInc, "-I", t("include/uapi"), "-I", t("include")],
      ...sys,
      ...["-Wall", "-Wno-compare-distinct-pointer-types", "-Wno-microsoft-anon-tag", "-fms-extensions"],
      ...["-O2", "-mcpu=v3", "-target", "bpf", "-c", source, "-o", out],
    ];
    const obj = entry(name, "sched_ext", "vm", source);
    jobsList.push({ obj, out, attempts: [{ header: "guest", args }], key: key([headerHash.guest], [args], source) });
  }

  // tools/testing/selftests/bpf/Makefile's BPF_CFLAGS + CLANG_BPF_BUILD_RULE (its -I of an
  // installed usr/include is left out: these programs take their types from vmlinux.h).
  const stDir = t("testing/selftests/bpf");
  const progs = join(stDir, "progs");
  const stArgs = (incDir: string, source: string, out: string) => [
    ...["-g", "-Wall", "-Werror", "-D__TARGET_ARCH_x86", "-mlittle-endian"],
    ...["-I", incDir, "-I", libbpfInc, "-I", stDir, "-I", t("include/uapi"), "-I", t("include")],
    ...["-I", join(stDir, "libarena/include"), "-std=gnu11", "-fno-strict-aliasing"],
    ...["-Wno-microsoft-anon-tag", "-fms-extensions", "-Wno-compare-distinct-pointer-types", "-Wno-initializer-overrides"],
    ...sys,
    ...["-O2", "--target=bpfel", "-c", source, "-mcpu=v3", "-o", out],
  ];
  for (const file of readdirSync(progs).filter((f) => f.endsWith(".c")).sort()) {
    const source = join(progs, file);
    const kind = selftestsEntry(readFileSync(source, "utf8"));
    if (!kind) continue;
    const name = file.slice(0, -".c".length);
    const obj = entry(name, "selftests", "host", source);
    if (kind.skip || !hostHeader) {
      skipped.push({ ...obj, skip: kind.skip ?? `no ${HOST_BTF} on this machine to build against` });
      continue;
    }
    const out = join(root, "selftests", `${name}.bpf.o`);
    // Against the host's BTF first; a program that sets members only newer kernels have
    // falls back to the 7.x header, and is recorded as such.
    const attempts = [
      { header: "host" as const, args: stArgs(hostDir, source, out) },
      { header: "guest" as const, args: stArgs(guestDir, source, out) },
    ];
    const k = key([headerHash.host, headerHash.guest], attempts.map((a) => a.args), source);
    jobsList.push({ obj, out, attempts, key: k });
  }

  for (const sub of ["sched_ext", "selftests"]) mkdirSync(join(root, sub), { recursive: true });
  let built = 0;
  const todo = jobsList.filter((j) => !reuse(j));
  if (todo.length > 0) log(`compiling ${todo.length} of ${jobsList.length} objects with ${clang}, ${jobs()} at a time`);
  await pool(todo, jobs(), async (job) => {
    await compile(job);
    built++;
  });
  const objects = [...jobsList.map((j) => j.obj), ...skipped].sort(
    (a, b) => a.set.localeCompare(b.set) || a.name.localeCompare(b.name),
  );
  return { objects, hostVmlinuxH, clang, built, reused: jobsList.length - built };
}

function entry(name: string, set: CorpusSet, tier: CorpusTier, source: string): CorpusObject {
  return { name, set, tier, source };
}

/** Fills job.obj from a previous build with the same key; false when it must be compiled. */
function reuse(job: Job): boolean {
  const rec = readRecord(`${job.out}.json`);
  if (!rec || rec.key !== job.key || (!rec.skip && !existsSync(job.out))) return false;
  apply(job, rec);
  return true;
}

async function compile(job: Job): Promise<void> {
  rmSync(`${job.out}.json`, { force: true });
  let hostError: string | undefined;
  let rec: BuildRecord | undefined;
  for (const { header, args } of job.attempts) {
    const proc = Bun.spawn([CLANG, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stderr, status] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    if (status === 0) {
      rec = { key: job.key, vmlinuxH: header, ...(hostError ? { hostError } : {}) };
      break;
    }
    const lines = stderr.split("\n");
    const first = (lines.find((l) => l.includes("error:")) ?? lines[0] ?? `exit ${status}`).replace(/^\/\S*\//, "");
    // The first failure says why; with every header failing it becomes the skip reason.
    hostError ??= first;
  }
  rec ??= { key: job.key, skip: `does not compile: ${hostError}` };
  if (rec.skip) log(`${job.obj.name}: ${rec.skip}`);
  writeFileSync(`${job.out}.json`, `${JSON.stringify(rec)}\n`);
  apply(job, rec);
}

function apply(job: Job, rec: BuildRecord): void {
  if (rec.skip) {
    job.obj.skip = rec.skip;
    return;
  }
  job.obj.path = job.out;
  job.obj.vmlinuxH = rec.vmlinuxH!;
  if (rec.hostError) job.obj.hostError = rec.hostError;
}

function readRecord(file: string): BuildRecord | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as BuildRecord;
  } catch {
    return null;
  }
}

/**
 * bpfkit's own C dump of this machine's BTF (the CLI's `btf dump --format c`), rewritten only
 * when it changes. Returns its hash, or null without host BTF.
 */
function dumpHostBtf(dest: string): string | null {
  if (!existsSync(HOST_BTF)) return null;
  const pinned = join(REPO_ROOT, "node_modules/.bin/bun");
  const bun = existsSync(pinned) ? pinned : process.execPath;
  const cmd = [bun, join(REPO_ROOT, "packages/cli/src/cli.ts"), "btf", "dump", HOST_BTF, "--format", "c"];
  const res = run(cmd);
  if (res.status !== 0 || !res.stdout.includes("#ifndef __VMLINUX_H__")) {
    throw new Error(`bpfkit's C dump of ${HOST_BTF} failed (exit ${res.status}): ${cmd.join(" ")}\n${res.stderr.trim()}`);
  }
  mkdirSync(join(dest, ".."), { recursive: true });
  if (!existsSync(dest) || readFileSync(dest, "utf8") !== res.stdout) writeFileSync(dest, res.stdout);
  return hash([res.stdout]);
}

/** clang's own system include folders as -idirafter, as both Makefiles add them for -target bpf. */
function systemIncludes(): string[] {
  const res = run([CLANG, "-v", "-E", "-"]);
  const lines = res.stderr.split("\n");
  const start = lines.findIndex((l) => l.startsWith("#include <...> search starts here:"));
  const end = lines.findIndex((l) => l.startsWith("End of search list."));
  if (start < 0 || end < start) throw new Error(`cannot read ${CLANG}'s include search list from \`${CLANG} -v -E -\``);
  return lines.slice(start + 1, end).flatMap((l) => ["-idirafter", l.trim()]);
}

async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}
