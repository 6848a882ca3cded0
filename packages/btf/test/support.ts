import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Btf } from "@bpfkit/btf";
import { ElfFile } from "@bpfkit/elf";

/** A path from the repository root. */
export const root = (p: string): string => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

export const VMLINUX = "/sys/kernel/btf/vmlinux";
export const haveKernelBtf: boolean = existsSync(VMLINUX);
const has = (cmd: string, arg: string) => spawnSync(cmd, [arg]).status === 0;
export const haveBpftool: boolean = has("bpftool", "version");
export const haveClang: boolean = has("clang", "--version");

// The oracles are part of CI: there a missing one is an error, not a skip.
if (process.env.BPFKIT_REQUIRE_KERNEL === "1") {
  if (!haveBpftool) throw new Error("bpftool is required as the oracle for BTF dumps (apt-get install bpftool)");
  if (!haveClang) throw new Error("clang is required to compile the C dump (apt-get install clang)");
}

export const bpftool = (...args: string[]): string => execFileSync("bpftool", args, { encoding: "utf8", maxBuffer: 1 << 27 });

/** The .BTF (and .BTF.ext) section of an object file. */
export function objectSections(path: string): { btf: Uint8Array; ext?: Uint8Array } {
  const elf = ElfFile.parse(new Uint8Array(readFileSync(path)));
  const btf = elf.section(".BTF");
  if (!btf) throw new Error(`${path} has no .BTF`);
  const ext = elf.section(".BTF.ext");
  return ext ? { btf: btf.data, ext: ext.data } : { btf: btf.data };
}

export const objectBtf = (path: string): Btf => Btf.parse(objectSections(path).btf);

let kernel: Btf | undefined;
/** The running kernel's BTF, parsed once per test file. */
export function kernelBtf(): Btf {
  kernel ??= Btf.parse(new Uint8Array(readFileSync(VMLINUX)));
  return kernel;
}

/** Every committed BPF object that carries BTF: examples, fixtures, both byte orders. */
export function objects(): string[] {
  const list = [root("examples/tcp-cc/cc.bpf.o"), root("examples/sched-ext/scx_fifo.bpf.o")];
  for (const dir of ["fixtures", "packages/elf/test/fixtures", "packages/btf/test/fixtures"]) {
    for (const f of readdirSync(root(dir)).sort()) if (f.endsWith(".o")) list.push(root(`${dir}/${f}`));
  }
  return list.filter((p) => ElfFile.parse(new Uint8Array(readFileSync(p))).section(".BTF"));
}

/** A repository-relative name for test titles. */
export const rel = (path: string): string => path.slice(root("").length);
