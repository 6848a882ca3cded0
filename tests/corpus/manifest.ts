// The corpus manifest: what the build left in tests/corpus/.cache/ and where. The build writes it
// last (corpus.ts), tests read it (readCorpus) and never build anything themselves.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { MANIFEST, REPO_ROOT } from "./paths.ts";

export type CorpusSet = "sched_ext" | "selftests";
export type CorpusTier = "host" | "vm";

export interface CorpusObject {
  /** File name without `.bpf.o` / `.c`, e.g. "bpf_dctcp", "scx_simple". */
  name: string;
  set: CorpusSet;
  /** Where it is tested: "host" (this 6.18 machine) or "vm" (the 7.x guest). */
  tier: CorpusTier;
  /** The C source in the extracted tree. */
  source: string;
  /** The built object; absent when skipped. */
  path?: string;
  /**
   * The vmlinux.h it was compiled against: "host" (bpfkit's C dump of this machine's BTF) or
   * "guest" (linux-bpf-dev's, for the 7.x kernel). A host-tier object built against "guest" uses
   * kernel members this machine lacks, so both loaders are expected to refuse it here.
   */
  vmlinuxH?: "host" | "guest";
  /** Why it was compiled against the guest header: the host attempt's first compiler error. */
  hostError?: string;
  /** Why it is not built or tested. */
  skip?: string;
}

export interface Corpus {
  /** Debian version of linux-source-<series>, linux-bpf-dev and linux-config-<series> (= the guest kernel's). */
  version: string;
  /** `uname -r` of the guest kernel these sources match. */
  release: string;
  /** The extracted kernel tree subset (linux-source-<series>/). */
  tree: string;
  /** bpftool built from the tree (SKIP_LLVM, SKIP_CRYPTO: needs only libelf, libz, libcap, libc). */
  bpftool: string;
  bpftoolVersion: string;
  libbpfVersion: string;
  /** Folder with libbpf.a and include/bpf/. */
  libbpfDir: string;
  /** The C oracle loader (tests/corpus/oracle/corpus-load.c, static libbpf). */
  loader: string;
  /** The guest kernel's config (from linux-config-<series>), for /boot/config-<release> in the guest. */
  kernelConfig: string;
  vmlinuxH: { guest: string; host: string };
  /** `clang-16 --version`'s first line. */
  clang: string;
  objects: CorpusObject[];
}

const BUILD_COMMAND = "npm run test:corpus (bun tests/corpus/run.ts)";

/** Reads the manifest the build wrote. Throws a one-line error naming the command that builds it. */
export function readCorpus(file: string = MANIFEST): Corpus {
  const shown = relative(REPO_ROOT, file) || file;
  if (!existsSync(file)) throw new Error(`corpus not built (no ${shown}): run ${BUILD_COMMAND}`);
  let corpus: Corpus;
  try {
    corpus = parseCorpus(JSON.parse(readFileSync(file, "utf8")));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`corpus manifest ${shown} is unreadable (${why}): run ${BUILD_COMMAND} again`);
  }
  for (const path of [corpus.loader, corpus.bpftool, ...corpus.objects.flatMap((o) => (o.path ? [o.path] : []))]) {
    if (!existsSync(path)) throw new Error(`corpus manifest ${shown} is stale (${path} is gone): run ${BUILD_COMMAND} again`);
  }
  return corpus;
}

/** Checks the shape of a parsed manifest; the error names the first field that is wrong. */
export function parseCorpus(value: unknown): Corpus {
  const m = record(value, "manifest");
  for (const key of [
    "version",
    "release",
    "tree",
    "bpftool",
    "bpftoolVersion",
    "libbpfVersion",
    "libbpfDir",
    "loader",
    "kernelConfig",
    "clang",
  ]) {
    if (typeof m[key] !== "string" || m[key] === "") throw new Error(`"${key}" must be a non-empty string`);
  }
  const vmlinuxH = record(m.vmlinuxH, "vmlinuxH");
  if (typeof vmlinuxH.guest !== "string" || typeof vmlinuxH.host !== "string") {
    throw new Error(`"vmlinuxH" must have "guest" and "host" paths`);
  }
  if (!Array.isArray(m.objects)) throw new Error(`"objects" must be an array`);
  m.objects.forEach((o, i) => {
    const obj = record(o, `objects[${i}]`);
    if (typeof obj.name !== "string" || !obj.name) throw new Error(`objects[${i}].name must be a non-empty string`);
    if (obj.set !== "sched_ext" && obj.set !== "selftests") throw new Error(`objects[${i}] (${obj.name}): bad set`);
    if (obj.tier !== "host" && obj.tier !== "vm") throw new Error(`objects[${i}] (${obj.name}): bad tier`);
    if (typeof obj.path !== "string" && typeof obj.skip !== "string") {
      throw new Error(`objects[${i}] (${obj.name}) has neither a path nor a skip reason`);
    }
  });
  return m as unknown as Corpus;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${what} must be an object`);
  return value as Record<string, unknown>;
}

/** Writes the manifest in one rename, so a reader never sees half of it. */
export function writeCorpus(corpus: Corpus, file: string = MANIFEST): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(corpus, null, 2)}\n`);
  renameSync(tmp, file);
}
