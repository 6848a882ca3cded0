// The corpus tier's front door. Tests call readCorpus() (manifest.ts) and never build; run.ts and
// the VM harness call ensureCorpus(), which downloads, extracts and builds what is missing:
//   guest kernel version (tests/vm/kernel.ts) → .debs + tree (source.ts) → bpftool, libbpf,
//   corpus-load (oracle.ts) → objects (build.ts) → manifest.json, written last.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureKernel, type Kernel } from "../vm/kernel.ts";
import { buildObjects } from "./build.ts";
import { type Corpus, writeCorpus } from "./manifest.ts";
import { ensureOracle } from "./oracle.ts";
import { CACHE_DIR, log, secs } from "./paths.ts";
import { CorpusUnavailableError, ensureSources, guestVersion, lastLine } from "./source.ts";

export type { Corpus, CorpusObject, CorpusSet, CorpusTier } from "./manifest.ts";
export { readCorpus } from "./manifest.ts";
export { CorpusUnavailableError } from "./source.ts";

export interface EnsureTimings {
  kernel: string;
  sources: string;
  oracle: string;
  objects: string;
}

/** Makes the corpus complete and current; returns its manifest and what each step cost. */
export async function ensureCorpus(): Promise<Corpus & { timings: EnsureTimings }> {
  const t0 = performance.now();
  let kernel: Kernel;
  try {
    kernel = ensureKernel();
  } catch (err) {
    // No cached kernel and no mirror (or no apt): nothing says which sources to fetch.
    throw new CorpusUnavailableError(`cannot resolve the guest kernel: ${lastLine(err)}`);
  }
  const guest = guestVersion(kernel);
  const t1 = performance.now();
  const src = ensureSources(guest);
  const t2 = performance.now();
  const oracle = ensureOracle(src);
  const t3 = performance.now();
  const built = await buildObjects(src, oracle);
  const t4 = performance.now();

  const corpus: Corpus = {
    version: src.version,
    release: src.release,
    tree: src.tree,
    bpftool: oracle.bpftool,
    bpftoolVersion: oracle.bpftoolVersion,
    libbpfVersion: oracle.libbpfVersion,
    libbpfDir: oracle.libbpfDir,
    loader: oracle.loader,
    kernelConfig: src.kernelConfig,
    vmlinuxH: { guest: src.guestVmlinuxH, host: built.hostVmlinuxH },
    clang: built.clang,
    objects: built.objects,
  };
  writeCorpus(corpus);
  dropOtherVersions(src.version);
  const cached = (fresh: boolean) => (fresh ? "" : " (cached)");
  const timings: EnsureTimings = {
    kernel: secs(t0, t1),
    sources: `${secs(t1, t2)}${cached(src.downloaded || src.extracted)}`,
    oracle: `${secs(t2, t3)}${cached(oracle.built.bpftool || oracle.built.loader)}`,
    objects: `${secs(t3, t4)} (${built.built} built, ${built.reused} reused)`,
  };
  const skips = built.objects.filter((o) => o.skip).length;
  log(
    `${src.version}: bpftool ${oracle.bpftoolVersion} / libbpf ${oracle.libbpfVersion}, ${built.objects.length - skips} objects, ${skips} skipped`,
  );
  return { ...corpus, timings };
}

/** Only the current version is kept (sid drops old ones, as the kernel cache does). */
function dropOtherVersions(version: string): void {
  for (const kind of ["debs", "tree", "oracle", "objects"]) {
    const dir = join(CACHE_DIR, kind);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (name !== version) rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
}
