import { readFileSync, writeSync } from "node:fs";
import { basename, dirname } from "node:path";
import { Btf, dumpC, dumpJson, dumpRaw, dumpRawBytes, dumpTs } from "@bpfkit/btf";
import { ElfFile } from "@bpfkit/elf";
import { UsageError } from "../args.ts";
import { type Command, consoleIo, type Io } from "../command.ts";

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const KERNEL_BTF_DIR = "/sys/kernel/btf";

/**
 * BTF from a file: an object's .BTF section, raw BTF, or a kernel module's split BTF (a file
 * beside /sys/kernel/btf/vmlinux, or any raw BTF given `basePath`), parsed over its base.
 */
export function loadBtfFile(path: string, basePath?: string): Btf {
  const bytes = new Uint8Array(readFileSync(path));
  const base = basePath ?? (dirname(path) === KERNEL_BTF_DIR && basename(path) !== "vmlinux" ? `${KERNEL_BTF_DIR}/vmlinux` : undefined);
  const baseBtf = base ? loadBtfFile(base) : undefined;
  if (ELF_MAGIC.every((b, i) => bytes[i] === b)) {
    const sec = ElfFile.parse(bytes).section(".BTF");
    if (!sec) throw new UsageError(`${path} has no .BTF section (compile with clang -g)`);
    return Btf.parse(sec.data, baseBtf ? { base: baseBtf } : {});
  }
  return Btf.parse(bytes, baseBtf ? { base: baseBtf } : {});
}

const FORMATS = ["raw", "c", "ts", "json"] as const;
type Format = (typeof FORMATS)[number];

/** Type ids for `--type NAME` (struct, union, enum or typedef of that name). */
function roots(btf: Btf, names: readonly string[]): number[] {
  return names.map((name) => {
    for (const kind of ["STRUCT", "UNION", "ENUM", "ENUM64", "TYPEDEF"]) {
      const id = btf.find(name, kind);
      if (id !== undefined) return id;
    }
    throw new UsageError(`no struct, union, enum or typedef named "${name}" in this BTF`);
  });
}

/** Writes a whole dump. On the console: straight to fd 1 (dumps run to tens of megabytes). */
function emit(io: Io, text: string): void {
  if (io === consoleIo) writeStdout(new TextEncoder().encode(text));
  else io.out(text.endsWith("\n") ? text.slice(0, -1) : text);
}

/** Writes all of `bytes` to stdout; a reader that went away (`| head`) ends the output quietly. */
function writeStdout(bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.byteLength) {
    try {
      off += writeSync(1, bytes, off, bytes.byteLength - off);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "EPIPE") return;
      if (code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // a non-blocking pipe is full: wait 1 ms
    }
  }
}

const dump: Command = {
  name: "btf dump",
  usage: "btf dump FILE [--format raw|c|ts|json] [--base FILE] [--type NAME]...",
  summary: "print BTF types: raw and json as bpftool prints them; c as a vmlinux.h; ts as TypeScript declarations",
  options: { format: { type: "string" }, base: { type: "string" }, type: { type: "string", multiple: true } },
  run(args, io) {
    const [path] = args.positionals;
    if (!path) throw new UsageError("missing FILE");
    const format = ((args.values.format as string | undefined) ?? "raw") as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`unknown format "${format}"; use ${FORMATS.join(", ")}`);
    const types = (args.values.type as string[] | undefined) ?? [];
    if (types.length && (format === "raw" || format === "json")) throw new UsageError("--type selects types for the c and ts formats only");
    const btf = loadBtfFile(path, args.values.base as string | undefined);
    const only = types.length ? { roots: roots(btf, types) } : {};
    switch (format) {
      case "raw":
        if (io === consoleIo) writeStdout(dumpRawBytes(btf));
        else emit(io, dumpRaw(btf));
        break;
      case "json":
        emit(io, `${dumpJson(btf)}\n`);
        break;
      case "c":
        emit(io, dumpC(btf, only));
        break;
      case "ts":
        emit(io, dumpTs(btf, only));
        break;
    }
    return 0;
  },
};

export const btfCommands: readonly Command[] = [dump];
