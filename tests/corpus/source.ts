// The kernel sources the corpus is built from: sid's linux-source-<series>, linux-bpf-dev and
// linux-config-<series> at exactly the guest kernel's Debian version, fetched through the VM
// tier's private apt state (tests/vm/.cache/apt) and cached per version. ensureKernel() already
// applies the 24 h refresh rule to that state, so a cached run here needs no network at all.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PrivateApt } from "../vm/apt.ts";
import { run, which } from "../vm/exec.ts";
import type { Kernel } from "../vm/kernel.ts";
import { CACHE_DIR, log, secs, VM_APT_DIR } from "./paths.ts";

/** Something the corpus cannot get here (no network and nothing cached, no Debian tools): a skip. */
export class CorpusUnavailableError extends Error {
  override name = "CorpusUnavailableError";
}

/** The guest kernel's identity, as the corpus needs it. */
export interface GuestVersion {
  /** Debian version, e.g. "7.2.13-1". */
  version: string;
  /** major.minor, e.g. "7.2": the suffix of linux-source-7.2 and linux-config-7.2. */
  series: string;
  /** `uname -r`, e.g. "7.2.13+deb14-cloud-amd64". */
  release: string;
  /** The config flavour, e.g. "cloud-amd64" (linux-config's config.amd64_none_<flavour>.xz). */
  flavour: string;
}

export interface Sources extends GuestVersion {
  /** The extracted subset of linux-source-<series>.tar.xz. */
  tree: string;
  /** linux-bpf-dev's vmlinux.h (the guest kernel's BTF as C). */
  guestVmlinuxH: string;
  /** The guest kernel's .config. */
  kernelConfig: string;
  downloaded: boolean;
  extracted: boolean;
}

/**
 * What of the kernel tree the tier uses: the two program sets, libbpf, bpftool and what bpftool's
 * build reads (found by removing paths until the build broke; the top Makefile, include/uapi and
 * arch/ are not needed). tar wildcards match across "/", so `*.h` takes every selftests header.
 */
export const TREE_PATHS: readonly string[] = [
  "tools/sched_ext",
  "tools/testing/selftests/bpf/*.h",
  "tools/testing/selftests/bpf/progs",
  "tools/lib/bpf",
  "tools/bpf/bpftool",
  "tools/include",
  "tools/build",
  "tools/scripts",
  "tools/arch/x86",
  "kernel/bpf/disasm.c",
  "kernel/bpf/disasm.h",
  "scripts/bpf_doc.py",
];

/** Reads the guest's version from ensureKernel()'s answer ("<package> <version>", `uname -r`). */
export function guestVersion(kernel: Kernel): GuestVersion {
  const version = /^\S+ (\S+)$/.exec(kernel.source)?.[1];
  const series = /^(\d+\.\d+)[.-]/.exec(kernel.release)?.[1];
  const flavour = /((?:cloud-|rt-)?amd64)$/.exec(kernel.release)?.[1];
  if (!version || !series || !flavour) {
    throw new CorpusUnavailableError(
      `the guest kernel (${kernel.release}, from ${kernel.source}) is not a Debian sid kernel, so no matching linux-source is known (unset BPFKIT_VM_KERNEL)`,
    );
  }
  return { version, series, release: kernel.release, flavour };
}

export function ensureSources(guest: GuestVersion): Sources {
  const root = join(CACHE_DIR, "tree", guest.version);
  const tree = join(root, `linux-source-${guest.series}`);
  const guestVmlinuxH = join(root, "guest", "vmlinux.h");
  const kernelConfig = join(root, `config-${guest.release}`);
  const marker = join(root, ".extracted");
  const want = JSON.stringify({ paths: TREE_PATHS, flavour: guest.flavour });
  // An extracted tree needs no .debs (so deleting .cache/debs saves 160 MB and costs nothing).
  if (existsSync(marker) && readFileSync(marker, "utf8") === want) {
    return { ...guest, tree, guestVmlinuxH, kernelConfig, downloaded: false, extracted: false };
  }
  for (const tool of ["apt-get", "apt-cache", "dpkg-deb", "tar", "xz"]) {
    if (!which(tool)) throw new CorpusUnavailableError(`${tool} not found: the corpus comes from Debian's archive`);
  }
  const t0 = performance.now();
  const { debs, downloaded } = ensureDebs(guest);
  const t1 = performance.now();
  extract(debs, guest, root, want);
  log(`${downloaded ? `downloaded in ${secs(t0, t1)}, ` : ""}extracted in ${secs(t1)} (${TREE_PATHS.length} paths)`);
  return { ...guest, tree, guestVmlinuxH, kernelConfig, downloaded, extracted: true };
}

/** Unpacks the tree subset, linux-bpf-dev's vmlinux.h and the guest's config into `root`, whole or not at all. */
function extract(debs: Debs, guest: GuestVersion, root: string, stamp: string): void {
  log(`extracting the kernel tree subset from linux-source-${guest.series} ${guest.version}`);
  const tmp = `${root}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, "guest"), { recursive: true });
  const prefix = `linux-source-${guest.series}`;
  // The .deb holds one .tar.xz; only its wanted members are unpacked (the whole is ~1.5 GB).
  shell(
    'deb=$1 tarball=$2 dest=$3; shift 3; dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$tarball.tar.xz" | tar -xJ -C "$dest" --wildcards "$@"',
    [debs.source, prefix, tmp, ...TREE_PATHS.map((p) => `${prefix}/${p}`)],
  );
  shell('dpkg-deb --fsys-tarfile "$1" | tar -xO ./usr/include/x86_64-linux-gnu/linux/bpf/vmlinux.h > "$2"', [
    debs.bpfDev,
    join(tmp, "guest", "vmlinux.h"),
  ]);
  shell('dpkg-deb --fsys-tarfile "$1" | tar -xO "./usr/src/linux-config-$2/config.amd64_none_$3.xz" | xz -dc > "$4"', [
    debs.config,
    guest.series,
    guest.flavour,
    join(tmp, `config-${guest.release}`),
  ]);
  writeFileSync(join(tmp, ".extracted"), stamp);
  rmSync(root, { recursive: true, force: true });
  renameSync(tmp, root);
}

interface Debs {
  source: string;
  bpfDev: string;
  config: string;
}

/** The three .debs of `guest.version`, from the cache or downloaded into it. */
function ensureDebs(guest: GuestVersion): { debs: Debs; downloaded: boolean } {
  const pkgs = { source: `linux-source-${guest.series}`, bpfDev: "linux-bpf-dev", config: `linux-config-${guest.series}` };
  const dir = join(CACHE_DIR, "debs", guest.version);
  const cached = findDebs(dir, pkgs);
  if (cached) return { debs: cached, downloaded: false };

  const apt = new PrivateApt(VM_APT_DIR);
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const pkg of Object.values(pkgs)) {
    const found = apt.version(pkg);
    if (found !== guest.version) {
      throw new Error(
        `sid has ${pkg} ${found ?? "(none)"}, but the guest kernel is ${guest.version}: the corpus must match the guest; ` +
          `refresh the kernel (BPFKIT_VM_KERNEL_REFRESH=1 bun tests/vm/run.ts, or delete tests/vm/.cache/kernel)`,
      );
    }
    log(`downloading ${pkg} ${guest.version}`);
    try {
      apt.download(`${pkg}=${guest.version}`, tmp);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw new CorpusUnavailableError(`cannot download ${pkg} ${guest.version} and none is cached: ${lastLine(err)}`);
    }
  }
  const debs = findDebs(tmp, pkgs);
  if (!debs) throw new Error(`apt-get download left no complete set of .debs in ${tmp}`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { debs: findDebs(dir, pkgs)!, downloaded: true };
}

function findDebs(dir: string, pkgs: Record<keyof Debs, string>): Debs | null {
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir);
  const pick = (pkg: string) => files.find((f) => f.startsWith(`${pkg}_`) && f.endsWith(".deb"));
  const source = pick(pkgs.source);
  const bpfDev = pick(pkgs.bpfDev);
  const config = pick(pkgs.config);
  if (!source || !bpfDev || !config) return null;
  return { source: join(dir, source), bpfDev: join(dir, bpfDev), config: join(dir, config) };
}

/** Runs a bash pipeline (pipefail) with its arguments as $1..; throws with stderr's tail. */
function shell(script: string, args: string[]): void {
  const res = run(["bash", "-c", `set -euo pipefail; ${script}`, "bash", ...args]);
  if (res.status !== 0) {
    throw new Error(`${script.split(" ")[0]} pipeline failed (exit ${res.status}): ${res.stderr.trim().split("\n").slice(-5).join("\n")}`);
  }
}

/** The last non-empty line of an error: where apt and make say what actually went wrong. */
export function lastLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n").findLast((l) => l.trim())?.trim() ?? text;
}
