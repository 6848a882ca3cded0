import { spawnSync } from "node:child_process";
import { readdirSync, readlinkSync } from "node:fs";
import { type ObjectKind, objectIds } from "@bpfkit/syscall";

// The runtime's own event-loop descriptors come and go on its schedule (Bun opens an eventpoll
// and an eventfd for its first child process and closes them when idle); bpfkit opens none.
const RUNTIME_FDS = /^anon_inode:\[(eventpoll|eventfd|timerfd|signalfd|io_uring)\]$/;

/** Open descriptors of this process as "fd -> target", less the runtime's event-loop ones. */
export function openFds(): string[] {
  collect();
  const out: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed meanwhile (readdir's own descriptor, for one)
    }
    if (!RUNTIME_FDS.test(target)) out.push(`${fd} -> ${target}`);
  }
  return out;
}

/**
 * openFds() once it equals `expected`, or as it is after `timeoutMs`. The runtime closes a child
 * process's stdio descriptors lazily, some time after the child exits; a real leak never settles.
 */
export async function settledFds(expected: readonly string[], timeoutMs = 2000): Promise<string[]> {
  const want = JSON.stringify(expected);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = openFds();
    if (JSON.stringify(now) === want || Date.now() > deadline) return now;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** How many descriptors openFds() lists. */
export function openFdCount(): number {
  return openFds().length;
}

/**
 * Descriptors of this process that refer to BPF objects (maps, programs, links, BTF): the ones
 * bpfkit is responsible for, unaffected by the runtime's own bookkeeping fds.
 */
export function bpfFdCount(): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith("anon_inode:bpf") || target.startsWith("anon_inode:btf")) n++;
    } catch {
      // closed between readdir and readlink
    }
  }
  return n;
}

/**
 * The runtime opens a few descriptors of its own the first time a child process is spawned (Bun:
 * an eventpoll and an eventfd it keeps). Spawn once first, so /proc/self/fd counts compare fairly.
 */
export function warmUpRuntimeFds(): void {
  spawnSync(process.execPath, ["-e", "0"], { stdio: "ignore" });
}

/** Lets the runtime finalize what it closes on collection (a finished child's stdio, for one). */
function collect(): void {
  (globalThis as { Bun?: { gc(sync: boolean): void } }).Bun?.gc(true);
}

/**
 * Does the kernel still hold an object of that kind and id? Asked through the kernel's id list
 * (*_GET_NEXT_ID), without opening it: reopening a program array by id while its last user
 * reference is being dropped makes Linux 6.18 queue its deferred clear twice and leak a
 * reference (prog_array_map_clear: bpf_map_inc, then schedule_work on already-pending work),
 * so the map would never be freed.
 */
export function kernelHas(kind: ObjectKind, id: number): boolean {
  return objectIds(kind).includes(id);
}

/** Waits (briefly) for the kernel to free objects released asynchronously (RCU, workqueues). */
export async function waitGone(kind: ObjectKind, ids: readonly number[], timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const present = new Set(objectIds(kind));
    const left = ids.filter((id) => present.has(id));
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 20));
  }
}
