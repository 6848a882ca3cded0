// The guest's root filesystem, as an initramfs made of cpio archives that
// the kernel unpacks one after the other:
// - base: busybox as /init's shell, Bun and the glibc libraries both need.
//   ~110 MB, cached under .cache/initramfs/ and rebuilt when an input changes.
// - corpus (when the host has a corpus build): /corpus with the VM-tier objects,
//   bpftool 7.8, the libbpf 1.8 oracle loader and their libraries. Cached the same way.
// - repo: the repository's sources, fixtures and VM tests under /repo, plus
//   /vm/run.sh, the command for this run. Small, so rebuilt every run.
import { createHash } from "node:crypto";
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { CpioWriter } from "./cpio.ts";
import { run } from "./exec.ts";
import { type CorpusForGuest, GUEST_CORPUS_MANIFEST, GUEST_CORPUS_UNAVAILABLE, type GuestCorpus } from "./guest-corpus.ts";
import { CACHE_DIR, GUEST_REPO, REPO_ROOT, VM_DIR } from "./paths.ts";

const DIR = join(CACHE_DIR, "initramfs");
// Bump when the base layout changes in a way the input hash cannot see.
const BASE_FORMAT = 1;
// What of the repository the guest gets. Sources, not builds: Bun runs the .ts directly.
const REPO_PATHS = ["package.json", "tsconfig.base.json", "bunfig.toml", "packages", "tools", "examples", "fixtures", "tests/vm/tests"];
/** Where the guest finds the modules /init loads (guest/init.sh reads its load-order). */
const GUEST_MODULES = "lib/modules/bpfkit";
const SKIP_DIRS = new Set(["node_modules", "dist", ".cache", ".turbo", ".git", ".build"]);

const ETC: Record<string, string> = {
  "etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
  "etc/group": "root:x:0:\nnogroup:x:65534:\n",
  "etc/hosts": "127.0.0.1 localhost\n::1 localhost\n",
  "etc/nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
};

export interface InitramfsInput {
  bun: string;
  busybox: string;
  /** Contents of /vm/run.sh: what the guest runs after boot. */
  runScript: string;
  /** Folder of decompressed modules and their load-order (modules.ts), put at /lib/modules/bpfkit. */
  modules?: string;
  /** The corpus share for /corpus (guest-corpus.ts), or why there is none. */
  corpus?: CorpusForGuest;
}

export interface Initramfs {
  path: string;
  baseCached: boolean;
  /** Whether /corpus came from the cache; undefined when the guest gets no corpus. */
  corpusCached?: boolean;
  repoFiles: number;
  bytes: number;
}

export function buildInitramfs(input: InitramfsInput): Initramfs {
  mkdirSync(DIR, { recursive: true });
  const base = ensureBase(input);
  const corpus = input.corpus?.ok ? ensureCorpus(input.corpus.corpus, base.files) : undefined;
  const unavailable = input.corpus && !input.corpus.ok ? input.corpus.reason : undefined;
  // Per process: two VM runs side by side (a developer's and a helper's) must not share these.
  const repoPath = join(DIR, `repo-${process.pid}.cpio`);
  const repoFiles = writeRepo(repoPath, input.runScript, input.modules, unavailable);
  const bootPath = join(DIR, `boot-${process.pid}.cpio`);
  copyFileSync(base.path, bootPath);
  if (corpus) appendFileSync(bootPath, readFileSync(corpus.path));
  appendFileSync(bootPath, readFileSync(repoPath));
  rmSync(repoPath, { force: true });
  return {
    path: bootPath,
    baseCached: base.cached,
    ...(corpus ? { corpusCached: corpus.cached } : {}),
    repoFiles,
    bytes: statSync(bootPath).size,
  };
}

function ensureBase(input: InitramfsInput): { path: string; cached: boolean; files: ReadonlySet<string> } {
  const init = readFileSync(join(VM_DIR, "guest/init.sh"));
  // Guest path -> host path. Libraries keep the path ldd printed, which is
  // where the dynamic loader (and bun:ffi's dlopen("libc.so.6")) looks.
  const files = new Map<string, string>([
    ["bin/busybox", input.busybox],
    ["usr/local/bin/bun", input.bun],
  ]);
  addLibraries(files, [input.bun, input.busybox]);
  // glibc dlopens libgcc_s for thread cancellation and unwinding.
  const libc = [...files.values()].find((p) => p.endsWith("/libc.so.6"));
  const gcc = libc && join(dirname(libc), "libgcc_s.so.1");
  if (gcc && existsSync(gcc)) files.set(gcc.slice(1), gcc);
  const names = new Set(files.keys());

  const hash = createHash("sha256").update(JSON.stringify({ BASE_FORMAT, ETC }));
  hash.update(init);
  hashFiles(hash, files);
  const path = join(DIR, `base-${hash.digest("hex").slice(0, 16)}.cpio`);
  if (existsSync(path)) return { path, cached: true, files: names };

  for (const old of readdirSync(DIR).filter((f) => f.startsWith("base-"))) rmSync(join(DIR, old), { force: true });
  const tmp = `${path}.tmp`;
  const cpio = new CpioWriter(tmp, Math.floor(Date.now() / 1000));
  for (const d of ["proc", "sys", "dev", "tmp", "run", "root", "vm", GUEST_REPO]) cpio.dir(d);
  cpio.file("init", init, 0o755);
  // /init installs the other applet links; sh must exist before that.
  cpio.symlink("bin/sh", "busybox");
  for (const [name, text] of Object.entries(ETC)) cpio.file(name, new TextEncoder().encode(text));
  for (const [guest, host] of files) cpio.file(guest, readFileSync(host), 0o755);
  cpio.close();
  renameSync(tmp, path);
  return { path, cached: false, files: names };
}

/**
 * The /corpus archive: objects, the two binaries, manifest.json, and the libraries the binaries
 * need that the base does not already hold. Keyed on the manifest and each file's path, size and
 * mtime, so a rebuilt corpus makes a new one and an unchanged one costs nothing.
 */
function ensureCorpus(corpus: GuestCorpus, inBase: ReadonlySet<string>): { path: string; cached: boolean } {
  const libs = new Map<string, string>();
  addLibraries(libs, corpus.binaries);
  const files = new Map(corpus.files);
  for (const [guest, host] of libs) if (!inBase.has(guest)) files.set(guest, host);
  const manifest = new TextEncoder().encode(`${JSON.stringify(corpus.manifest, null, 1)}\n`);

  const hash = createHash("sha256").update(manifest);
  hashFiles(hash, files);
  const path = join(DIR, `corpus-${hash.digest("hex").slice(0, 16)}.cpio`);
  if (existsSync(path)) return { path, cached: true };

  for (const old of readdirSync(DIR).filter((f) => f.startsWith("corpus-"))) rmSync(join(DIR, old), { force: true });
  const tmp = `${path}.tmp`;
  const cpio = new CpioWriter(tmp, Math.floor(Date.now() / 1000));
  cpio.file(GUEST_CORPUS_MANIFEST.slice(1), manifest, 0o644);
  for (const [guest, host] of files) {
    const executable = statSync(host).mode & 0o111;
    cpio.file(guest, readFileSync(host), executable ? 0o755 : 0o644);
  }
  cpio.close();
  renameSync(tmp, path);
  return { path, cached: false };
}

/** Adds each binary's shared libraries at the path ldd prints (where the loader looks). */
function addLibraries(files: Map<string, string>, binaries: readonly string[]): void {
  for (const bin of binaries) {
    for (const lib of sharedLibraries(bin)) files.set(lib.slice(1), lib);
  }
}

function hashFiles(hash: ReturnType<typeof createHash>, files: ReadonlyMap<string, string>): void {
  for (const [guest, host] of [...files].sort()) {
    const st = statSync(host);
    hash.update(`${guest}\0${host}\0${st.size}\0${st.mtimeMs}\n`);
  }
}

/** Absolute paths of the shared libraries (loader included) a binary needs; none if static. */
function sharedLibraries(binary: string): string[] {
  const res = run(["ldd", binary]);
  // ldd exits 1 for static binaries ("not a dynamic executable").
  if (res.status !== 0) return [];
  const libs: string[] = [];
  for (const line of res.stdout.split("\n")) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

function writeRepo(path: string, runScript: string, modules: string | undefined, corpusUnavailable: string | undefined): number {
  const now = Math.floor(Date.now() / 1000);
  const cpio = new CpioWriter(path, now);
  const files = repoFiles();
  for (const rel of files) {
    const host = join(REPO_ROOT, rel);
    const guest = `${GUEST_REPO}/${rel}`;
    const st = lstatSync(host);
    if (st.isSymbolicLink()) cpio.symlink(guest, readlinkSync(host));
    else cpio.file(guest, readFileSync(host), st.mode & 0o111 ? 0o755 : 0o644);
  }
  // Workspace packages resolve as they do on the host: node_modules/<name> ->
  // the package folder, whose package.json "bun" condition points at src/.
  for (const group of ["packages", "tools"]) {
    const root = join(REPO_ROOT, group);
    if (!existsSync(root)) continue;
    for (const pkg of readdirSync(root)) {
      const manifest = join(root, pkg, "package.json");
      if (!existsSync(manifest)) continue;
      const name = (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name;
      if (!name) continue;
      const link = `${GUEST_REPO}/node_modules/${name}`;
      cpio.symlink(link, relative(dirname(link), `${GUEST_REPO}/${group}/${pkg}`));
    }
  }
  cpio.file("vm/run.sh", new TextEncoder().encode(runScript), 0o755);
  // Why /corpus is empty: the corpus test reports it instead of skipping.
  if (corpusUnavailable !== undefined) cpio.file(GUEST_CORPUS_UNAVAILABLE.slice(1), new TextEncoder().encode(`${corpusUnavailable}\n`), 0o644);
  // Small (a few MiB): rebuilt with the repo archive, so a new kernel's modules need no base rebuild.
  if (modules) {
    for (const name of readdirSync(modules)) cpio.file(`${GUEST_MODULES}/${name}`, readFileSync(join(modules, name)), 0o644);
  }
  cpio.close();
  return files.length;
}

/** Repository files for the guest: what git tracks or would track (so .gitignore applies). */
function repoFiles(): string[] {
  const present = REPO_PATHS.filter((p) => existsSync(join(REPO_ROOT, p)));
  const git = run(["git", "-C", REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ...present]);
  const listed =
    git.status === 0 ? git.stdout.split("\0").filter(Boolean) : present.flatMap((p) => walk(join(REPO_ROOT, p)));
  // --cached also lists files deleted from the work tree; skip those.
  return [...new Set(listed)].filter((rel) => {
    if (rel.split("/").some((part) => SKIP_DIRS.has(part))) return false;
    try {
      const st = lstatSync(join(REPO_ROOT, rel));
      return st.isFile() || st.isSymbolicLink();
    } catch {
      return false;
    }
  });
}

function walk(path: string): string[] {
  const st = lstatSync(path);
  if (!st.isDirectory()) return [relative(REPO_ROOT, path)];
  return readdirSync(path)
    .filter((name) => !SKIP_DIRS.has(name))
    .flatMap((name) => walk(join(path, name)));
}
