import { bpfUnavailable } from "@bpfkit/syscall";
import { describe } from "vitest";

/** Why kernel tests cannot run here, or undefined when they can. */
export const kernelUnavailable: string | undefined = bpfUnavailable();

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
