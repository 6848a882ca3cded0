import { readFileSync } from "node:fs";

/** A /proc/kallsyms name: its first address, and whether another entry gave it a different one. */
export interface KallsymsEntry {
  readonly addr: bigint;
  ambiguous: boolean;
}

let kallsyms: Map<string, KallsymsEntry> | undefined;

/**
 * A /proc/kallsyms symbol, the file read once per process. As libbpf does, a local data symbol
 * clang renamed with a `.llvm.<hash>` suffix (ThinLTO promotion) also answers to the name before
 * the suffix. Addresses read as 0 without CAP_SYSLOG.
 */
export function kallsymsEntry(name: string): KallsymsEntry | undefined {
  if (!kallsyms) {
    kallsyms = new Map();
    for (const line of readFileSync("/proc/kallsyms", "utf8").split("\n")) {
      const [addrText, type, sym] = line.split(/\s+/);
      if (!addrText || !sym) continue;
      const llvm = type === "d" ? sym.indexOf(".llvm.") : -1;
      const key = llvm >= 0 ? sym.slice(0, llvm) : sym;
      const addr = BigInt(`0x${addrText}`);
      const seen = kallsyms.get(key);
      if (!seen) kallsyms.set(key, { addr, ambiguous: false });
      else if (seen.addr !== addr) seen.ambiguous = true;
    }
  }
  return kallsyms.get(name);
}

/** Does /proc/kallsyms list `name`? */
export function kallsymsHas(name: string): boolean {
  return kallsymsEntry(name) !== undefined;
}
