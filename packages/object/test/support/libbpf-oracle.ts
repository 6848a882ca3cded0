import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SOURCE = fileURLToPath(new URL("../oracle/libbpf-sections.c", import.meta.url));

/** libbpf_prog_type_by_name() and libbpf_attach_type_by_name() for one name (errors are -errno). */
export interface LibbpfSection {
  readonly ret: number;
  readonly type: number;
  readonly expectedAttachType: number;
  readonly attachRet: number;
  readonly attachType: number;
}

/** The system's libbpf, asked through a small C program compiled on first use. */
export interface LibbpfOracle {
  sections(names: readonly string[]): LibbpfSection[];
  /** libbpf_find_vmlinux_btf_id(name, attachType) for each query. */
  vmlinuxBtfIds(queries: readonly { name: string; attachType: number }[]): number[];
}

let built: { oracle?: LibbpfOracle; reason?: string } | undefined;

/** The oracle, or why it cannot be built here (no cc, no libbpf-dev). Built once per process. */
export function libbpfOracle(): { oracle?: LibbpfOracle; reason?: string } {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), "bpfkit-oracle-"));
  const exe = join(dir, "libbpf-sections");
  const cc = spawnSync("cc", ["-O1", "-o", exe, SOURCE, "-lbpf"], { encoding: "utf8" });
  if (cc.error || cc.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    const why = cc.error ? cc.error.message : cc.stderr.trim().split("\n")[0];
    built = { reason: `cannot build the libbpf oracle (needs cc and libbpf-dev): ${why}` };
    return built;
  }
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const run = (mode: string, lines: readonly string[]): string[] => {
    const r = spawnSync(exe, [mode], { input: `${lines.join("\n")}\n`, encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`libbpf oracle ${mode} failed (${r.status}): ${r.stderr}`);
    const out = r.stdout.split("\n").slice(0, -1);
    if (out.length !== lines.length) throw new Error(`libbpf oracle ${mode}: ${lines.length} lines in, ${out.length} out`);
    return out;
  };
  built = {
    oracle: {
      sections: (names) => {
        if (names.some((n) => n.includes("\n"))) throw new Error("section names for the oracle must be single lines");
        return run("sections", names).map((l) => {
          const [ret, type, expectedAttachType, attachRet, attachType] = l.split("\t").map(Number) as [number, number, number, number, number];
          return { ret, type, expectedAttachType, attachRet, attachType };
        });
      },
      vmlinuxBtfIds: (queries) => run("btf-id", queries.map((q) => `${q.attachType} ${q.name}`)).map(Number),
    },
  };
  return built;
}
