// Small helpers to run host commands with errors that say what failed.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

export function run(cmd: string[], opts: RunOptions = {}): Result {
  const proc = Bun.spawnSync(cmd, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  return {
    status: proc.exitCode ?? 128,
    stdout: proc.stdout.toString(),
    stderr: proc.stderr.toString(),
  };
}

/** Runs a command and returns its stdout, or throws with its stderr tail. */
export function runOk(cmd: string[], opts: RunOptions = {}): string {
  const res = run(cmd, opts);
  if (res.status !== 0) {
    const tail = (res.stderr || res.stdout).trim().split("\n").slice(-15).join("\n");
    throw new Error(`command failed (exit ${res.status}): ${cmd.join(" ")}\n${tail}`);
  }
  return res.stdout;
}

/** Finds an executable on PATH, also looking in the sbin folders a non-root PATH may lack. */
export function which(name: string): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

export function log(message: string): void {
  console.log(`vm: ${message}`);
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
