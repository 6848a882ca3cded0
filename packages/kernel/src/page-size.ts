import { readFileSync } from "node:fs";
import { hostLittleEndian } from "@bpfkit/btf";

const AT_PAGESZ = 6n;
let cached: number | undefined;

/** The kernel's page size (AT_PAGESZ from /proc/self/auxv; 4096 if that cannot be read). */
export function pageSize(): number {
  if (cached !== undefined) return cached;
  cached = 4096;
  try {
    const auxv = readFileSync("/proc/self/auxv");
    const view = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
    const le = hostLittleEndian; // auxv is in host order
    for (let at = 0; at + 16 <= auxv.byteLength; at += 16) {
      if (view.getBigUint64(at, le) === AT_PAGESZ) {
        cached = Number(view.getBigUint64(at + 8, le));
        break;
      }
    }
  } catch {
    // Not Linux /proc: keep the common size.
  }
  return cached;
}
