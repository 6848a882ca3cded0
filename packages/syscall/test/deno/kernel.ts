// Deno's counterpart of describeKernel (@bpfkit/testing is vitest-only): a Deno.test that is
// ignored, with the reason printed once, when bpf() is unavailable, and fails instead when
// BPFKIT_REQUIRE_KERNEL=1.
import v8 from "node:v8";
import vm from "node:vm";
import { bpfUnavailable } from "../../src/index.ts";

const unavailable = bpfUnavailable();
const required = Deno.env.get("BPFKIT_REQUIRE_KERNEL") === "1";
let told = false;

export function kernelTest(name: string, fn: () => void | Promise<void>): void {
  if (unavailable && !told && !required) {
    console.log(`skipping Deno kernel tests: ${unavailable}`);
    told = true;
  }
  Deno.test({
    name,
    ignore: unavailable !== undefined && !required,
    fn: unavailable
      ? () => {
          throw new Error(`kernel tests required (BPFKIT_REQUIRE_KERNEL=1) but unavailable: ${unavailable}`);
        }
      : fn,
  });
}

/** Open descriptors of this process. */
export function openFdCount(): number {
  let n = 0;
  for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
  return n;
}

export function assert(cond: unknown, message = "assertion failed"): asserts cond {
  if (!cond) throw new Error(message);
}

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  const a = JSON.stringify(actual, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
  const e = JSON.stringify(expected, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
  if (a !== e) throw new Error(`${message ?? "not equal"}: got ${a}, expected ${e}`);
}

/** The error fn throws, checked to be an instance of `cls`. */
export function assertThrows<E extends Error>(fn: () => unknown, cls: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (e) {
    if (e instanceof cls) return e;
    throw new Error(`expected ${cls.name}, got ${String(e)}`);
  }
  throw new Error(`expected ${cls.name}, nothing was thrown`);
}

/**
 * A real full GC: `gc` when deno runs with --v8-flags=--expose-gc, otherwise the same function
 * obtained by turning the flag on now and reading it from a fresh context.
 */
export function fullGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}
