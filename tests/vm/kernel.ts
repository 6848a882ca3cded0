// The guest kernel: the newest >= 7.0 Debian "cloud" kernel from sid, found
// and downloaded with apt-get over a private apt state (its own sources list,
// lists and cache under .cache/apt), so the host's apt setup is never touched.
// sid drops old ABIs when new ones arrive, so the name is resolved, not pinned,
// and the .deb plus its vmlinuz are cached under .cache/kernel/.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { compare, MIRROR, PrivateApt, REFRESH_MS } from "./apt.ts";
import { log, runOk, which } from "./exec.ts";
import { extractedModules, extractModules, modulesRoot, WANTED_MODULES } from "./modules.ts";
import { CACHE_DIR } from "./paths.ts";

export interface Kernel {
  vmlinuz: string;
  /** `uname -r` of the kernel, e.g. 7.2.13+deb14-cloud-amd64. */
  release: string;
  /** Debian package and version it came from, or "BPFKIT_VM_KERNEL". */
  source: string;
  /** Folder of decompressed modules (modules.ts) for /lib/modules/bpfkit in the guest; none for a custom kernel. */
  modules?: string;
}

const MIN_VERSION: readonly number[] = [7, 0];
const KERNEL_DIR = join(CACHE_DIR, "kernel");
const CURRENT = join(KERNEL_DIR, "current.json");

export function ensureKernel(): Kernel {
  const custom = process.env.BPFKIT_VM_KERNEL;
  if (custom) {
    const path = resolve(custom);
    if (!existsSync(path)) throw new Error(`BPFKIT_VM_KERNEL: no such file ${path}`);
    return { vmlinuz: path, release: "(custom)", source: "BPFKIT_VM_KERNEL" };
  }
  for (const tool of ["apt-get", "apt-cache", "dpkg-deb"]) {
    if (!which(tool)) throw new Error(`${tool} not found: the VM kernel comes from Debian's archive (or set BPFKIT_VM_KERNEL)`);
  }
  const cached = readCurrent();
  const apt = new PrivateApt(join(CACHE_DIR, "apt"));
  const refresh = process.env.BPFKIT_VM_KERNEL_REFRESH === "1";
  if (cached && !refresh && apt.listsAgeMs() < REFRESH_MS) return cached;

  log(`resolving the newest cloud kernel >= ${MIN_VERSION.join(".")} in Debian sid (${MIRROR})`);
  try {
    apt.update();
  } catch (err) {
    if (!cached) throw err;
    log(`warning: using the cached kernel ${cached.release}: ${err instanceof Error ? err.message : String(err)}`);
    return cached;
  }
  const pick = newestCloudKernel(apt);
  if (cached && cached.source === `${pick.pkg} ${pick.version}`) {
    apt.touch();
    return cached;
  }
  const kernel = download(apt, pick);
  apt.touch();
  return kernel;
}

interface Candidate {
  pkg: string;
  abi: string;
  version: string;
}

function newestCloudKernel(apt: PrivateApt): Candidate {
  // linux-binary-<abi>-cloud-amd64 holds just the image in current sid; older
  // layouts put it in linux-image-<abi>-cloud-amd64. Prefer the first per ABI.
  const names = new Set([...apt.pkgnames("linux-binary-"), ...apt.pkgnames("linux-image-")]);
  const abis = new Map<string, number[]>();
  for (const name of names) {
    const m = /^linux-(?:binary|image)-((\d+)\.(\d+)(?:\.(\d+))?\S*-cloud-amd64)$/.exec(name);
    if (!m) continue;
    abis.set(m[1]!, [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)]);
  }
  const sorted = [...abis].filter(([, n]) => compare(n, MIN_VERSION) >= 0).sort((a, b) => compare(b[1], a[1]));
  for (const [abi] of sorted) {
    for (const pkg of [`linux-binary-${abi}`, `linux-image-${abi}`]) {
      if (!names.has(pkg)) continue;
      const version = apt.version(pkg);
      if (version) return { pkg, abi, version };
    }
  }
  const seen = [...abis.keys()].sort().join(", ") || "none";
  throw new Error(`no cloud-amd64 kernel >= ${MIN_VERSION.join(".")} in sid (cloud ABIs seen: ${seen})`);
}

function download(apt: PrivateApt, pick: Candidate): Kernel {
  log(`downloading ${pick.pkg} ${pick.version}`);
  const dl = join(KERNEL_DIR, "download");
  rmSync(dl, { recursive: true, force: true });
  mkdirSync(dl, { recursive: true });
  apt.download(pick.pkg, dl);
  const deb = readdirSync(dl).find((f) => f.endsWith(".deb"));
  if (!deb) throw new Error(`apt-get download ${pick.pkg} left no .deb in ${dl}`);

  const tree = join(dl, "tree");
  runOk(["dpkg-deb", "-x", join(dl, deb), tree]);
  const image = findVmlinuz(tree);
  if (!image) throw new Error(`${deb} has no vmlinuz (looked under usr/lib/modules/*/ and boot/)`);

  // Keep only this kernel: sid's old ABIs are gone from the archive anyway.
  const release = image.release ?? pick.abi;
  for (const old of readdirSync(KERNEL_DIR)) {
    if (old !== "download" && statSync(join(KERNEL_DIR, old)).isDirectory()) {
      rmSync(join(KERNEL_DIR, old), { recursive: true, force: true });
    }
  }
  const dest = join(KERNEL_DIR, release);
  mkdirSync(dest, { recursive: true });
  writeFileSync(join(dest, "vmlinuz"), readFileSync(image.path));
  writeFileSync(join(dest, deb), readFileSync(join(dl, deb)));
  const modules = join(dest, "modules");
  const loaded = extractModules(modulesTree(apt, pick, tree, release, dl), WANTED_MODULES, modules);
  log(`modules for the guest: ${loaded.join(", ")}`);
  rmSync(dl, { recursive: true, force: true });

  const kernel: Kernel = { vmlinuz: join(dest, "vmlinuz"), release, source: `${pick.pkg} ${pick.version}`, modules };
  const saved = { ...kernel, vmlinuz: relative(KERNEL_DIR, kernel.vmlinuz), modules: relative(KERNEL_DIR, modules) };
  writeFileSync(CURRENT, `${JSON.stringify(saved, null, 2)}\n`);
  return kernel;
}

/**
 * The modules folder for `release`: in the image package's own tree (older layouts), or else in
 * linux-modules-<abi> of the same version, downloaded and extracted beside it.
 */
function modulesTree(apt: PrivateApt, pick: Candidate, imageTree: string, release: string, dl: string): string {
  const own = modulesRoot(imageTree, release);
  if (own) return own;
  const pkg = `linux-modules-${pick.abi}`;
  const version = apt.version(pkg);
  if (version !== pick.version) {
    throw new Error(`${pkg} ${pick.version} is not in sid (found ${version ?? "none"}): the guest needs its modules`);
  }
  log(`downloading ${pkg} ${version}`);
  const mdl = join(dl, "modules");
  mkdirSync(mdl, { recursive: true });
  apt.download(pkg, mdl);
  const deb = readdirSync(mdl).find((f) => f.endsWith(".deb"));
  if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${mdl}`);
  const tree = join(mdl, "tree");
  runOk(["dpkg-deb", "-x", join(mdl, deb), tree]);
  const root = modulesRoot(tree, release);
  if (!root) throw new Error(`${deb} has no modules for ${release}`);
  return root;
}

function findVmlinuz(tree: string): { path: string; release?: string } | null {
  const modules = join(tree, "usr/lib/modules");
  if (existsSync(modules)) {
    for (const release of readdirSync(modules)) {
      const path = join(modules, release, "vmlinuz");
      if (existsSync(path)) return { path, release };
    }
  }
  const boot = join(tree, "boot");
  if (existsSync(boot)) {
    const file = readdirSync(boot).find((f) => f.startsWith("vmlinuz-"));
    if (file) return { path: join(boot, file), release: file.slice("vmlinuz-".length) };
  }
  return null;
}

function readCurrent(): Kernel | null {
  try {
    const saved = JSON.parse(readFileSync(CURRENT, "utf8")) as Kernel;
    const vmlinuz = join(KERNEL_DIR, saved.vmlinuz);
    // A cache from before the guest had modules is downloaded again.
    const modules = saved.modules ? join(KERNEL_DIR, saved.modules) : undefined;
    if (!modules || !extractedModules(modules)) return null;
    return existsSync(vmlinuz) ? { ...saved, vmlinuz, modules } : null;
  } catch {
    return null;
  }
}
