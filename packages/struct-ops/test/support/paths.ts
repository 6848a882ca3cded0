import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** A committed fixture object by name: fixtures/<name>.bpf.o at the repo root. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../../../fixtures/${name}.bpf.o`, import.meta.url));
}

export const EXAMPLE_CC: string = fileURLToPath(new URL("../../../../examples/tcp-cc/cc.bpf.o", import.meta.url));

/** Congestion controls the kernel offers now (registered ones included). */
export function availableCCs(): string[] {
  return readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8").trim().split(/\s+/);
}

/** Congestion controls unprivileged sockets may choose: only non-restricted ones. */
export function allowedCCs(): string[] {
  return readFileSync("/proc/sys/net/ipv4/tcp_allowed_congestion_control", "utf8").trim().split(/\s+/);
}

/** Polls `check` until true or `ms` pass; returns the last result. */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}
