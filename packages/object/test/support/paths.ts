import { fileURLToPath } from "node:url";

/** A committed fixture object by name: fixtures/<name>.bpf.o at the repo root. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../../../fixtures/${name}.bpf.o`, import.meta.url));
}
