import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const MANIFEST = join(ROOT, "tests/corpus/.cache/manifest.json");
const SOURCE = fileURLToPath(new URL("../oracle/libbpf-load.c", import.meta.url));

/**
 * Where libbpf 1.8 (its static library and headers) and bpftool 7.8 are: the corpus tier's build
 * (tests/corpus/.cache/manifest.json), or BPFKIT_LIBBPF_DIR / BPFKIT_BPFTOOL. Debian's libbpf
 * 1.1 is too old for the rules these tests compare (essential kfunc names).
 */
export function libbpf18(): { libbpfDir?: string; bpftool?: string; loader?: string; reason?: string } {
  let manifest: { libbpfDir?: string; bpftool?: string; loader?: string } = {};
  if (existsSync(MANIFEST)) manifest = JSON.parse(readFileSync(MANIFEST, "utf8"));
  const libbpfDir = process.env.BPFKIT_LIBBPF_DIR ?? manifest.libbpfDir;
  const bpftool = process.env.BPFKIT_BPFTOOL ?? manifest.bpftool;
  if (!libbpfDir || !existsSync(join(libbpfDir, "libbpf.a")) || !bpftool || !existsSync(bpftool)) {
    const reason = "libbpf 1.8 is not built: run `bun tests/corpus/run.ts --build` or set BPFKIT_LIBBPF_DIR and BPFKIT_BPFTOOL";
    // CI builds the corpus before these tests: there a missing oracle is a failure, not a skip.
    if (process.env.BPFKIT_REQUIRE_KERNEL === "1") throw new Error(`${reason} (BPFKIT_REQUIRE_KERNEL=1)`);
    return { reason };
  }
  // corpus-load (tests/corpus/oracle): loads an object with libbpf 1.8 and pins what it loaded.
  const loader = manifest.loader && existsSync(manifest.loader) ? manifest.loader : undefined;
  return { libbpfDir, bpftool, loader };
}

export interface LibbpfMap {
  readonly name: string;
  readonly id: number;
  readonly internal: boolean;
  /** libbpf's bpf_map__initial_value() after load: non-NULL only for a map it mmapped. */
  readonly mmaped: boolean;
  readonly type: number;
  readonly flags: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
}

export type LibbpfLoad =
  | { readonly ok: true; readonly maps: LibbpfMap[]; readonly programs: { name: string; id: number }[]; readonly log: string }
  | { readonly ok: false; readonly stage: string; readonly errno: number; readonly log: string };

/** A libbpf load held open: its objects live until release(). */
export interface HeldLoad {
  readonly result: LibbpfLoad;
  /** The process holding the objects (its /proc/PID/maps shows what libbpf mmapped). */
  readonly pid: number;
  release(): Promise<void>;
}

let exe: string | undefined;

function oracle(libbpfDir: string): string {
  if (exe) return exe;
  const dir = mkdtempSync(join(tmpdir(), "bpfkit-libbpf18-"));
  const out = join(dir, "libbpf-load");
  const cc = spawnSync("cc", ["-O1", "-I", join(libbpfDir, "include"), "-o", out, SOURCE, join(libbpfDir, "libbpf.a"), "-lelf", "-lz"], {
    encoding: "utf8",
  });
  if (cc.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot build the libbpf 1.8 oracle: ${cc.error?.message ?? cc.stderr}`);
  }
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  exe = out;
  return exe;
}

/** Loads `object` with libbpf 1.8 and holds it (args: --autoload PROG, --max-entries MAP=N, --value-size MAP=N). */
export function libbpfLoad(libbpfDir: string, object: string, args: readonly string[] = []): Promise<HeldLoad> {
  const child = spawn(oracle(libbpfDir), [object, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let log = "";
  child.stderr.on("data", (d: Buffer) => {
    log += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const MARK = "\n@@end-of-log\n";
  return new Promise((resolve, reject) => {
    const settle = () => {
      const nl = stdout.indexOf("\n");
      const end = log.indexOf(MARK);
      if (nl < 0 || end < 0) return;
      const result = { ...JSON.parse(stdout.slice(0, nl)), log: log.slice(0, end) } as LibbpfLoad;
      resolve({
        result,
        pid: child.pid!,
        release: async () => {
          child.stdin.end();
          await exited;
        },
      });
    };
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      settle();
    });
    child.stderr.on("data", () => settle());
    child.once("error", reject);
    child.once("close", (code) => {
      if (!stdout.includes("\n")) reject(new Error(`libbpf oracle exited (${code}) without a result: ${log.slice(-2000)}`));
    });
  });
}
