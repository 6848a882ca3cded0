// Kernel modules for the guest. Debian builds nf_conntrack as a module, so its kfuncs live in
// the module's BTF (/sys/kernel/btf/nf_conntrack), not vmlinux's: the case where a program must
// pass the module's BTF fd in fd_array. The host kernel has it built in, so only the VM shows it.
// We take the wanted modules and everything they depend on (.modinfo) out of the kernel's
// modules package, decompress them here (busybox insmod then needs no xz/zstd support), and
// write the order /init loads them in.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ElfFile } from "@bpfkit/elf";

/** What the guest loads at boot, by module name. */
export const WANTED_MODULES: readonly string[] = ["nf_conntrack"];

/** File listing the modules to load, in order, one guest path per line (read by guest/init.sh). */
export const LOAD_ORDER = "load-order";

/** The usr/lib/modules/<release> (or lib/modules/<release>) folder of an extracted package tree. */
export function modulesRoot(tree: string, release: string): string | null {
  for (const base of ["usr/lib/modules", "lib/modules"]) {
    const dir = join(tree, base, release);
    if (existsSync(join(dir, "kernel"))) return dir;
  }
  return null;
}

const moduleName = (file: string) => basename(file).replace(/\.ko(\.\w+)?$/, "").replace(/-/g, "_");

/** Every module file under `dir`, by module name. */
function moduleFiles(dir: string, into = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) moduleFiles(path, into);
    else if (/\.ko(\.\w+)?$/.test(entry.name)) into.set(moduleName(entry.name), path);
  }
  return into;
}

/**
 * What a module needs loaded first: the `depends=` of its .modinfo section (read with our own
 * ELF reader). Packages ship no modules.dep: depmod writes it at install time.
 */
function dependsOf(ko: Uint8Array, name: string): string[] {
  const modinfo = ElfFile.parse(ko).sections.find((s) => s.name === ".modinfo");
  if (!modinfo) throw new Error(`module ${name} has no .modinfo section`);
  for (const field of new TextDecoder().decode(modinfo.data).split("\0")) {
    if (field.startsWith("depends=")) return field.slice("depends=".length).split(",").filter(Boolean).map((d) => d.replace(/-/g, "_"));
  }
  return [];
}

/**
 * Copies the wanted modules and what they depend on, decompressed, into `dest` (flat: name.ko),
 * and writes `dest/load-order`, dependencies first. Returns the load order (module names).
 */
export function extractModules(root: string, wanted: readonly string[], dest: string): string[] {
  const files = moduleFiles(join(root, "kernel"));
  const order: string[] = [];
  const bytes = new Map<string, Uint8Array>();
  const visit = (name: string, chain: string[]) => {
    if (order.includes(name)) return;
    if (chain.includes(name)) throw new Error(`module dependency cycle: ${[...chain, name].join(" -> ")}`);
    const file = files.get(name);
    if (!file) throw new Error(`module ${name} is not in ${root} (built in, or not built at all?)`);
    const ko = decompress(file);
    bytes.set(name, ko);
    for (const d of dependsOf(ko, name)) visit(d, [...chain, name]);
    order.push(name);
  };
  for (const name of wanted) visit(name, []);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const name of order) writeFileSync(join(dest, `${name}.ko`), bytes.get(name)!);
  writeFileSync(join(dest, LOAD_ORDER), `${order.map((n) => `${n}.ko`).join("\n")}\n`);
  return order;
}

function decompress(path: string): Uint8Array {
  const tool = path.endsWith(".xz") ? ["xz", "-dc"] : path.endsWith(".zst") ? ["zstd", "-dcq"] : path.endsWith(".gz") ? ["gzip", "-dc"] : null;
  if (!tool) return new Uint8Array(readFileSync(path));
  const r = Bun.spawnSync([...tool, path], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${tool[0]} could not decompress ${path}: ${r.stderr.toString()}`);
  return new Uint8Array(r.stdout);
}

/** The modules already extracted into `dest`, in load order, or null when there are none. */
export function extractedModules(dest: string): string[] | null {
  try {
    if (!readdirSync(dest).includes(LOAD_ORDER)) return null;
    return readFileSync(join(dest, LOAD_ORDER), "utf8").split("\n").filter(Boolean).map((f) => f.replace(/\.ko$/, ""));
  } catch {
    return null;
  }
}
