import { readdirSync, statSync } from "node:fs";
import { Btf, BtfError } from "@bpfkit/btf";
import { btfInfo, type Fd, fdById, objectIds } from "@bpfkit/syscall";
import { readWholeFile } from "./read-file.ts";

const DIR = "/sys/kernel/btf";
const VMLINUX = `${DIR}/vmlinux`;

let vmlinux: Btf | undefined;

/**
 * The running kernel's BTF, parsed once per process (it is ~5 MB and never changes while we run).
 * Throws a BtfError saying what to do when the kernel has none.
 */
export function kernelBtf(): Btf {
  if (!vmlinux) {
    let bytes: Uint8Array;
    try {
      bytes = readWholeFile(VMLINUX);
    } catch (e) {
      throw new BtfError(`cannot read ${VMLINUX} (${(e as Error).message}): this kernel was built without CONFIG_DEBUG_INFO_BTF, which struct_ops needs`, { code: "not-found" });
    }
    vmlinux = Btf.parse(bytes);
  }
  return vmlinux;
}


/** A loaded kernel module's BTF (split BTF over vmlinux). */
export interface ModuleBtf {
  readonly name: string;
  readonly btf: Btf;
}

/** Parsed module BTF by name, with the file's inode: a module unloaded and loaded again gets a new file. */
const parsed = new Map<string, { ino: number; btf: Btf }>();

/**
 * Every loaded module's BTF, split over vmlinux. The directory is listed again for each object
 * load (once per withModuleSnapshot), so a module loaded while the process runs is found; a
 * module's BTF is parsed again only when the module was loaded again (its file is new).
 */
export function moduleBtfs(): readonly ModuleBtf[] {
  if (!snapshot) return listModuleBtfs();
  if (!snapshot.list) snapshot.list = listModuleBtfs();
  return snapshot.list;
}

/** While set, moduleBtfs() answers from one listing (see withModuleSnapshot). */
let snapshot: { list: readonly ModuleBtf[] | undefined } | undefined;

/**
 * Runs `fn` with moduleBtfs() listing /sys/kernel/btf at most once: a load asks for module BTF
 * for every extern, attach target and CO-RE program, and should see one set of modules, not
 * re-list and re-stat every module file each time.
 */
export function withModuleSnapshot<T>(fn: () => T): T {
  if (snapshot) return fn();
  snapshot = { list: undefined };
  try {
    return fn();
  } finally {
    snapshot = undefined;
  }
}

function listModuleBtfs(): readonly ModuleBtf[] {
  let names: string[] = [];
  try {
    names = readdirSync(DIR).filter((n) => n !== "vmlinux");
  } catch {
    // no BTF directory: no modules to search
  }
  const out: ModuleBtf[] = [];
  for (const name of names) {
    let ino: number;
    try {
      ino = statSync(`${DIR}/${name}`).ino;
    } catch {
      continue; // unloaded since the listing
    }
    let entry = parsed.get(name);
    if (entry?.ino !== ino) {
      let bytes: Uint8Array;
      try {
        bytes = readWholeFile(`${DIR}/${name}`);
      } catch {
        continue;
      }
      entry = { ino, btf: Btf.parse(bytes, { base: kernelBtf() }) };
      parsed.set(name, entry);
    }
    out.push({ name, btf: entry.btf });
  }
  for (const name of parsed.keys()) if (!names.includes(name)) parsed.delete(name);
  return out;
}


/**
 * The kernel BTF a load resolves against (struct_ops types, kfuncs, ksyms, attach targets,
 * CO-RE): the running kernel's by default, or what the caller passes (LoadOptions.kernelBtf and
 * .modules), so nothing needs a process-wide override.
 */
export interface KernelBtfSource {
  vmlinux(): Btf;
  modules(): readonly ModuleBtf[];
}

/** The running kernel's BTF and its loaded modules'. */
export const runningKernel: KernelBtfSource = { vmlinux: kernelBtf, modules: moduleBtfs };

/** `runningKernel`, with either part replaced. */
export function kernelBtfSource(o: { readonly kernelBtf?: Btf; readonly modules?: readonly ModuleBtf[] } = {}): KernelBtfSource {
  if (!o.kernelBtf && !o.modules) return runningKernel;
  const vm = o.kernelBtf;
  const mods = o.modules;
  return { vmlinux: vm ? () => vm : kernelBtf, modules: mods ? () => mods : moduleBtfs };
}

/** An fd for a module's BTF object, found by name among the kernel's BTF objects. */
export function openModuleBtf(name: string): Fd {
  for (const id of objectIds("btf")) {
    const fd = fdById("btf", id);
    if (!fd) continue;
    if (btfInfo(fd.value).name === name) return fd;
    fd.close();
  }
  throw new BtfError(`no BTF object named "${name}" in the kernel: was module ${name} unloaded?`, { code: "not-found" });
}

/** Resolves the kernel's BTF objects by id (vmlinux is kernelBtf()), parsing each at most once per instance. */
export class BtfObjects {
  readonly #cache = new Map<number, { name: string; btf: Btf }>();

  get(id: number): { name: string; btf: Btf } | undefined {
    let hit = this.#cache.get(id);
    if (hit) return hit;
    const fd = fdById("btf", id);
    if (!fd) return undefined;
    try {
      const info = btfInfo(fd.value);
      if (info.name === "vmlinux") hit = { name: info.name, btf: kernelBtf() };
      else {
        const data = btfInfo(fd.value, true).data!;
        hit = { name: info.name || `btf#${id}`, btf: Btf.parse(data, info.kernelBtf ? { base: kernelBtf() } : {}) };
      }
    } finally {
      fd.close();
    }
    this.#cache.set(id, hit);
    return hit;
  }
}
