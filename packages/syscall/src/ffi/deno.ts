import type { Arg, ArgType, Backend, CallResult, LibcName } from "./backend.ts";
import { LIBC } from "./backend.ts";
import type { DenoFfi, DenoNativeType } from "./deno-types.ts";
import { fromKernel, placeBpfEntry } from "./direct.ts";
import { libcCandidates } from "./libc-path.ts";

// Reached through globalThis so that tsc, which knows no Deno types, checks this file too.
const Deno = (globalThis as unknown as { Deno: DenoFfi }).Deno;

const TYPES: Record<ArgType, DenoNativeType> = {
  i32: "i32",
  u32: "u32",
  i64: "i64",
  u64: "u64",
  buf: "buffer",
};

// Deno's i64/u64 parameters are typed bigint; our callers pass numbers.
const is64 = (t: ArgType): boolean => t === "i64" || t === "u64";

/** Deno.build.arch spelled the way Node's process.arch does (call.ts keys syscall numbers on it). */
const ARCH: Readonly<Record<string, string>> = { x86_64: "x64", aarch64: "arm64" };

type Fn = (...args: unknown[]) => number | bigint;

interface Opened {
  readonly fns: Record<LibcName, Fn>;
  /** errno of this thread, as a live view of the libc variable. */
  readonly errno: Int32Array;
  /** Per function: which arguments must become bigint. */
  readonly wide: Record<LibcName, readonly boolean[]>;
}

function open(): Opened {
  // Calls are synchronous on purpose: `nonblocking: true` would run them on another thread,
  // whose errno is not the one we read.
  const symbols: Record<string, { parameters: DenoNativeType[]; result: DenoNativeType }> = {
    __errno_location: { parameters: [], result: "pointer" },
  };
  const wide = {} as Record<LibcName, readonly boolean[]>;
  for (const [name, sig] of Object.entries(LIBC) as [LibcName, (typeof LIBC)[LibcName]][]) {
    symbols[name] = { parameters: sig.args.map((a) => TYPES[a]), result: TYPES[sig.ret] };
    wide[name] = sig.args.map(is64);
  }
  let lastError: unknown;
  for (const path of libcCandidates()) {
    try {
      const lib = Deno.dlopen(path, symbols);
      const fns = lib.symbols as unknown as Record<LibcName | "__errno_location", () => unknown>;
      // errno sits at a fixed address for the life of this (the only JS) thread: resolve it once
      // and keep an Int32Array over it, so reading errno after a call is one load, no call.
      const at = fns.__errno_location();
      if (at === null) throw new Error("__errno_location() returned NULL");
      const errno = new Int32Array(Deno.UnsafePointerView.getArrayBuffer(at as object, 4));
      return { fns: fns as unknown as Record<LibcName, Fn>, errno, wide };
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`bpfkit: cannot open the C library (tried ${libcCandidates().join(", ")}): ${String(lastError)}`);
}

function makeBackend(): Backend {
  const { fns, errno, wide } = open();
  const arch = ARCH[Deno.build.arch] ?? Deno.build.arch;
  const call = (name: LibcName, args: readonly Arg[]): CallResult => {
    const w = wide[name];
    const native = args.map((a, i) => (w[i] && typeof a === "number" ? BigInt(a) : a));
    const ret = Number(fns[name](...native));
    if (ret !== -1) return { ret, errno: 0 };
    // Read before building the result: an object literal is allocated before its values are
    // evaluated, and an allocation may run the GC, which may touch errno.
    const e = errno[0] as number;
    return { ret, errno: e };
  };
  const view = (address: number, length: number): Uint8Array => {
    const p = Deno.UnsafePointer.create(BigInt(address));
    if (p === null) throw new RangeError("bpfkit: view() of a NULL address");
    return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(p, length));
  };
  const at = placeBpfEntry({ arch, call, view });
  const entry =
    at === undefined
      ? undefined
      : new Deno.UnsafeFnPointer(Deno.UnsafePointer.create(BigInt(at)), {
          parameters: ["i32", "buffer", "u32"],
          result: "i32",
        });
  return {
    runtime: "deno",
    arch,
    call,
    ...(entry ? { bpf: (cmd: number, attr: Uint8Array, size: number) => fromKernel(entry.call(cmd, attr, size) as number) } : {}),
    address(buf: Uint8Array): bigint {
      if (buf.byteLength === 0) return 0n;
      return Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf));
    },
    view,
  };
}

/**
 * Without the ffi permission there is no backend: the pure parts of @bpfkit/syscall still import,
 * and the first bpf() call throws UnsupportedRuntimeError (which says to pass --allow-ffi).
 * We ask rather than try, so importing never triggers a permission prompt.
 */
export const backend: Backend | undefined =
  Deno.permissions.querySync({ name: "ffi" }).state === "granted" ? makeBackend() : undefined;
