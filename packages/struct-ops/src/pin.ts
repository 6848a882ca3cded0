/**
 * Pinning a loaded object's programs in one directory, all or nothing, as `bpftool prog loadall`
 * does: what `bpfkit object load --pin DIR` needs, for any library user who wants the same.
 */
import { existsSync, mkdirSync, rmdirSync, statfsSync, unlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { BPF_FS_MAGIC, objPin } from "@bpfkit/syscall";
import type { BpfObject } from "./object.ts";

/** A pin directory that cannot hold BPF pins (it is not on a bpffs). */
export class PinDirError extends Error {
  override readonly name: string = "PinDirError";
  readonly code = "not-bpffs" as const;
  readonly dir: string;

  constructor(dir: string, message: string) {
    super(message);
    this.dir = dir;
  }
}

/** A directory made ready for pins: created where missing and checked to be on a bpffs. */
export interface PinDir {
  readonly path: string;
  /** The directories `preparePinDir` created, deepest first. */
  readonly created: readonly string[];
  /** Removes the directories it created (those still empty); for undoing a failed load. */
  removeCreated(): void;
}

/** One program pinned by `pinPrograms`. */
export interface PinnedProgram {
  readonly name: string;
  /** BPF_PROG_TYPE_* number. */
  readonly type: number;
  readonly id: number;
  readonly path: string;
}

/**
 * Creates `dir` (and its parents) and checks it is on a bpffs, before anything is loaded; a dir
 * elsewhere throws PinDirError, and what this call created is removed again.
 */
export function preparePinDir(dir: string): PinDir {
  const created: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) created.push(d);
  mkdirSync(dir, { recursive: true });
  const removeCreated = () => {
    for (const d of created) quietly(() => rmdirSync(d));
  };
  const type = statfsSync(dir).type;
  if (type !== BPF_FS_MAGIC) {
    removeCreated();
    throw new PinDirError(
      dir,
      `${dir} is not on a bpffs (filesystem magic 0x${type.toString(16)}): BPF objects can be pinned only there; mount one with "mount -t bpf bpf /sys/fs/bpf" and pin under it`,
    );
  }
  return { path: dir, created, removeCreated };
}

/**
 * Pins every loaded program of `obj` (autoload off: skipped) at `<dir>/<program name>`. All or
 * nothing: on a failed pin the pins made so far are removed, and so are the directories made for
 * them when `dir` was given as a path. The pins keep the programs after `obj.close()`.
 */
export function pinPrograms(obj: BpfObject, dir: string | PinDir): PinnedProgram[] {
  const target = typeof dir === "string" ? preparePinDir(dir) : dir;
  const pinned: PinnedProgram[] = [];
  try {
    for (const p of obj.programs) {
      if (!p.loaded) continue;
      const path = join(target.path, p.name);
      objPin(p.fd.value, path);
      pinned.push({ name: p.name, type: p.type, id: p.info().id, path });
    }
  } catch (e) {
    for (const p of pinned) quietly(() => unlinkSync(p.path));
    if (typeof dir === "string") target.removeCreated();
    throw e;
  }
  return pinned;
}

/** Cleanup after a failure must not hide the failure. */
function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // the original error is the one to report
  }
}
