/**
 * The C reference the benchmarks run beside bpfkit: libbpf 1.8 / bpftool 7.8 from the corpus
 * build (tests/corpus: `bun tests/corpus/run.ts --build`), else Debian's libbpf 1.1 / bpftool
 * 7.1, labelled as such so a table never passes the old one off as the current reference.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Reference {
  /** e.g. "libbpf 1.8 / bpftool 7.8.0 (corpus build)". */
  readonly label: string;
  readonly bpftool: string;
  /** Flags that compile and link a C program against this libbpf. */
  readonly ccFlags: (source: string, out: string) => string[];
  /** libbpf 1.1 cannot open .struct_ops.link objects. */
  readonly knowsStructOpsLink: boolean;
}

const MANIFEST = fileURLToPath(new URL("../tests/corpus/.cache/manifest.json", import.meta.url));

export function reference(): Reference {
  if (existsSync(MANIFEST)) {
    const m = JSON.parse(readFileSync(MANIFEST, "utf8")) as { libbpfDir: string; bpftool: string; libbpfVersion: string; bpftoolVersion: string };
    if (existsSync(join(m.libbpfDir, "libbpf.a")) && existsSync(m.bpftool)) {
      return {
        label: `libbpf ${m.libbpfVersion} / bpftool ${m.bpftoolVersion} (corpus build)`,
        bpftool: m.bpftool,
        ccFlags: (src, out) => ["-O2", "-I", join(m.libbpfDir, "include"), "-o", out, src, join(m.libbpfDir, "libbpf.a"), "-lelf", "-lz"],
        knowsStructOpsLink: true,
      };
    }
  }
  console.warn("bench: no corpus build (bun tests/corpus/run.ts --build): falling back to Debian's libbpf 1.1 / bpftool 7.1");
  return {
    label: "libbpf 1.1 / bpftool 7.1 (Debian, old)",
    bpftool: "bpftool",
    ccFlags: (src, out) => ["-O2", "-o", out, src, "-lbpf"],
    knowsStructOpsLink: false,
  };
}
