import { BpfError, hasBackend, MapType, mapCreate } from "@bpfkit/syscall";
import { describe } from "vitest";

function probe(): string | undefined {
  if (!hasBackend()) return "bpf() needs Bun or Deno (run under `bun --bun vitest`)";
  try {
    mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 }).close();
    return undefined;
  } catch (e) {
    if (e instanceof BpfError) return `bpf() refused (${e.code}): needs root or CAP_BPF+CAP_SYS_ADMIN`;
    throw e;
  }
}

/** Why kernel tests cannot run here, or undefined when they can. */
export const kernelUnavailable: string | undefined = probe();

/**
 * A describe() for tests that need the real kernel. Without privileges it skips with one line
 * saying why — unless BPFKIT_REQUIRE_KERNEL=1, where that is a failure (CI must never skip).
 */
export function describeKernel(name: string, fn: () => void): void {
  if (kernelUnavailable) {
    if (process.env.BPFKIT_REQUIRE_KERNEL === "1") {
      throw new Error(`kernel tests required (BPFKIT_REQUIRE_KERNEL=1) but unavailable: ${kernelUnavailable}`);
    }
    console.log(`skipping kernel tests "${name}": ${kernelUnavailable}`);
    describe.skip(name, fn);
    return;
  }
  describe(name, fn);
}
