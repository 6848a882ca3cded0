// The oracle: bpftool and its libbpf built from the same kernel tree as the corpus objects
// (7.8 / 1.8 in linux-source-7.2), and corpus-load, our small C loader linked with that libbpf.
// Built once per Debian version into .cache/oracle/<version>/.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, which } from "../vm/exec.ts";
import { CACHE_DIR, CORPUS_DIR, log, secs } from "./paths.ts";
import type { Sources } from "./source.ts";

export interface Oracle {
  bpftool: string;
  bpftoolVersion: string;
  libbpfVersion: string;
  /** libbpf.a and include/bpf/ (the headers BPF programs and corpus-load include). */
  libbpfDir: string;
  loader: string;
  /** What was (re)built this run. */
  built: { bpftool: boolean; loader: boolean };
}

// SKIP_LLVM and SKIP_CRYPTO keep the binary's needs to libelf, libz, libcap and libc, which the
// VM tier copies into the guest beside it (LLVM disassembly and program signing are not used).
const MAKE_VARS = ["SKIP_LLVM=1", "SKIP_CRYPTO=1"];
const LOADER_SOURCE = join(CORPUS_DIR, "oracle", "corpus-load.c");

export function ensureOracle(src: Sources): Oracle {
  for (const tool of ["make", "cc"]) {
    if (!which(tool)) throw new Error(`${tool} not found: bpftool is built from source (bash scripts/system-deps.sh)`);
  }
  const dir = join(CACHE_DIR, "oracle", src.version);
  const out = join(dir, "bpftool");
  const bpftool = join(out, "bpftool");
  const libbpfDir = join(out, "libbpf");
  const marker = join(dir, ".bpftool-built");
  const makeCmd = ["make", "-C", join(src.tree, "tools/bpf/bpftool"), `-j${jobs()}`, `OUTPUT=${out}/`, ...MAKE_VARS];
  // The job count is not part of what was built.
  const stamp = MAKE_VARS.join(" ");
  const builtBpftool = !(existsSync(bpftool) && existsSync(marker) && readFileSync(marker, "utf8") === stamp);
  if (builtBpftool) {
    log(`building bpftool and libbpf from ${src.tree}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const t0 = performance.now();
    const res = run(makeCmd);
    log(`bpftool build: ${secs(t0)}`);
    if (res.status !== 0) {
      const tail = `${res.stdout}\n${res.stderr}`.trim().split("\n").slice(-12).join("\n");
      throw new Error(`bpftool build failed (exit ${res.status}): ${makeCmd.join(" ")}\n${tail}`);
    }
    writeFileSync(marker, stamp);
  }
  const { bpftoolVersion, libbpfVersion } = versions(bpftool, src.tree);

  const loader = join(dir, "corpus-load");
  const ccCmd = [
    "cc",
    "-O2",
    "-g",
    "-Wall",
    "-Wextra",
    "-I",
    join(libbpfDir, "include"),
    // libbpf's headers want the uapi linux/bpf.h of their own tree, not the host's older one.
    "-I",
    join(src.tree, "tools/include/uapi"),
    LOADER_SOURCE,
    join(libbpfDir, "libbpf.a"),
    "-lelf",
    "-lz",
    "-o",
    loader,
  ];
  const lib = statSync(join(libbpfDir, "libbpf.a"));
  const key = hash([readFileSync(LOADER_SOURCE, "utf8"), ccCmd.join(" "), firstLine(run(["cc", "--version"]).stdout), `${lib.size}:${lib.mtimeMs}`]);
  const keyFile = `${loader}.key`;
  const builtLoader = !(existsSync(loader) && existsSync(keyFile) && readFileSync(keyFile, "utf8") === key);
  if (builtLoader) {
    log("compiling corpus-load against that libbpf");
    const res = run(ccCmd);
    if (res.status !== 0) throw new Error(`corpus-load failed to compile: ${ccCmd.join(" ")}\n${res.stderr.trim()}`);
    writeFileSync(keyFile, key);
  }
  return { bpftool, bpftoolVersion, libbpfVersion, libbpfDir, loader, built: { bpftool: builtBpftool, loader: builtLoader } };
}

/**
 * bpftool's own report of its version and libbpf's, checked against the tree's libbpf_version.h,
 * so a build that linked some other libbpf is caught here and not in a test.
 */
function versions(bpftool: string, tree: string): { bpftoolVersion: string; libbpfVersion: string } {
  const res = run([bpftool, "-j", "version"]);
  if (res.status !== 0) throw new Error(`${bpftool} version failed (exit ${res.status}): ${res.stderr.trim()}`);
  const reported = JSON.parse(res.stdout) as { version?: string; libbpf_version?: string };
  const header = readFileSync(join(tree, "tools/lib/bpf/libbpf_version.h"), "utf8");
  const major = /LIBBPF_MAJOR_VERSION\s+(\d+)/.exec(header)?.[1];
  const minor = /LIBBPF_MINOR_VERSION\s+(\d+)/.exec(header)?.[1];
  const expected = `${major}.${minor}`;
  if (!reported.version || reported.libbpf_version !== expected) {
    throw new Error(`${bpftool} reports libbpf ${reported.libbpf_version ?? "?"}, but the tree has libbpf ${expected}`);
  }
  return { bpftoolVersion: reported.version, libbpfVersion: expected };
}

export function jobs(): number {
  const n = Number(process.env.BPFKIT_CORPUS_JOBS ?? 2);
  return Number.isInteger(n) && n > 0 ? n : 2;
}

export function hash(parts: readonly string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(`${p.length}:${p}`);
  return h.digest("hex");
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}
