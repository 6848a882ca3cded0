/**
 * libbpf 1.8's outcome for one object, through the oracle loader corpus-load (a child process):
 * `corpus-load OBJ PINDIR [--attach] [--only-map NAME]...` prints one JSON line, pins the
 * programs it loaded at PINDIR/<name> and, with --attach, holds its registrations until its stdin
 * closes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";

export type LibbpfResult =
  | {
      readonly ok: true;
      readonly programs: readonly { readonly name: string; readonly id: number }[];
      /** type: libbpf's name for the map type ("struct_ops", "array", ...). */
      readonly maps: readonly { readonly name: string; readonly id: number; readonly type: string }[];
      /** With --attach: one per attached struct_ops map (id 0 for a legacy map: no link object). */
      readonly links?: readonly { readonly map: string; readonly id: number }[];
    }
  | { readonly ok: false; readonly stage: "open" | "load" | "pin" | "attach"; readonly errno: number; readonly error: string; readonly log: string };

/** One corpus-load run. close() ends it (closing its stdin detaches what it attached) and removes its pins. */
export interface LibbpfRun {
  readonly result: LibbpfResult;
  readonly pinDir: string;
  /** The child's pid, while it runs (it holds its registrations until close). */
  readonly pid: number | undefined;
  close(): Promise<void>;
}

export interface LibbpfOptions {
  readonly attach?: boolean;
  /** Create (and with attach, register) only these struct_ops maps; libbpf then loads only their programs. */
  readonly onlyMaps?: readonly string[];
}

const EXIT_TIMEOUT_MS = 10_000;

/** Runs corpus-load on `object`, pinning under `pinDir` (created here, removed by close(); bpffs refuses names with a dot). */
export async function runLibbpf(loader: string, object: string, pinDir: string, o: LibbpfOptions = {}): Promise<LibbpfRun> {
  mkdirSync(pinDir, { recursive: true });
  const args = [object, pinDir, ...(o.attach ? ["--attach"] : []), ...(o.onlyMaps ?? []).flatMap((m) => ["--only-map", m])];
  const child = spawn(loader, args, { stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => {
    child.once("close", (code) => resolve(code));
    child.once("error", () => resolve(null));
  });
  let ended = false;
  const close = async () => {
    if (ended) return;
    ended = true;
    try {
      await end(child, exited);
    } finally {
      rmSync(pinDir, { recursive: true, force: true });
    }
  };
  try {
    const line = await firstLine(child, exited);
    const result = JSON.parse(line) as LibbpfResult;
    return { result, pinDir, pid: child.pid, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The child's first stdout line; if it exits without one, an error with its stderr. */
function firstLine(child: ChildProcess, exited: Promise<number | null>): Promise<string> {
  let out = "";
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    void exited.then((code) => reject(new Error(`corpus-load exited (${code}) without a result line: ${(err || out).trim().slice(0, 2000)}`)));
  });
}

/** Closes its stdin (it detaches and exits), waiting briefly; kills it by pid if it hangs. */
async function end(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  child.stdin?.end();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((r) => {
    timer = setTimeout(() => r("timeout"), EXIT_TIMEOUT_MS);
  });
  const first = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (first === "timeout") {
    child.kill("SIGKILL");
    await exited;
    throw new Error(`corpus-load (pid ${child.pid}) did not exit within ${EXIT_TIMEOUT_MS} ms of its stdin closing; killed`);
  }
}
