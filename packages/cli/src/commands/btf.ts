import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { Btf, dumpJson, dumpRaw } from "@bpfkit/btf";
import { parseElf } from "@bpfkit/elf";
import { UsageError } from "../args.ts";
import type { Command } from "../command.ts";

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/**
 * BTF from a file: an object's .BTF section, raw BTF, or a kernel module's split BTF (a file
 * beside /sys/kernel/btf/vmlinux), parsed over its base.
 */
export function loadBtfFile(path: string, basePath?: string): Btf {
  const bytes = new Uint8Array(readFileSync(path));
  if (ELF_MAGIC.every((b, i) => bytes[i] === b)) {
    const sec = parseElf(bytes).section(".BTF");
    if (!sec) throw new UsageError(`${path} has no .BTF section (compile with clang -g)`);
    return Btf.parse(sec.data);
  }
  const inKernelDir = dirname(path) === "/sys/kernel/btf" && basename(path) !== "vmlinux";
  const base = basePath ?? (inKernelDir ? "/sys/kernel/btf/vmlinux" : undefined);
  return Btf.parse(bytes, base ? { base: loadBtfFile(base) } : {});
}

const dump: Command = {
  name: "btf dump",
  usage: "btf dump FILE [--format raw|json] [--base FILE]",
  summary: "print BTF types: raw and json are byte for byte what bpftool prints (`format raw`, `-j`)",
  options: { format: { type: "string" }, base: { type: "string" } },
  run(args, io) {
    const [path] = args.positionals;
    if (!path) throw new UsageError("missing FILE");
    const format = (args.values.format as string | undefined) ?? "raw";
    if (format !== "raw" && format !== "json") throw new UsageError(`format "${format}" is not available yet; use raw or json`);
    const btf = loadBtfFile(path, args.values.base as string | undefined);
    const text = format === "json" ? dumpJson(btf) : dumpRaw(btf);
    io.out(text.endsWith("\n") ? text.slice(0, -1) : text);
    return 0;
  },
};

export const btfCommands: readonly Command[] = [dump];
