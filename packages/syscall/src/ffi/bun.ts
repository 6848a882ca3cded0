import { CFunction, dlopen, FFIType, ptr, read, toArrayBuffer } from "bun:ffi";
import type { Arg, ArgType, Backend, CallResult, LibcName } from "./backend.ts";
import { LIBC } from "./backend.ts";
import { fromKernel, placeBpfEntry } from "./direct.ts";
import { libcCandidates } from "./libc-path.ts";

const TYPES: Record<ArgType, FFIType> = {
  i32: FFIType.i32,
  u32: FFIType.u32,
  i64: FFIType.i64,
  u64: FFIType.u64,
  buf: FFIType.ptr,
};

type Fn = (...args: unknown[]) => number | bigint;

function open(): { fns: Record<LibcName, Fn>; errnoAt: number } {
  const symbols: Record<string, { args: FFIType[]; returns: FFIType }> = {
    __errno_location: { args: [], returns: FFIType.ptr },
  };
  for (const [name, sig] of Object.entries(LIBC)) {
    symbols[name] = { args: sig.args.map((a) => TYPES[a]), returns: TYPES[sig.ret] };
  }
  let lastError: unknown;
  for (const path of libcCandidates()) {
    try {
      const lib = dlopen(path, symbols);
      const fns = lib.symbols as unknown as Record<LibcName | "__errno_location", Fn>;
      // errno lives at a fixed address for the life of this thread; resolve it once so that
      // reading it after a failed call is a single memory load.
      const errnoAt = Number(fns.__errno_location());
      return { fns, errnoAt };
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`bpfkit: cannot open the C library (tried ${libcCandidates().join(", ")}): ${String(lastError)}`);
}

const { fns, errnoAt } = open();

function convert(arg: Arg): unknown {
  // bun:ffi takes typed arrays for pointers directly; the caller keeps them alive.
  return arg;
}

function call(name: LibcName, args: readonly Arg[]): CallResult {
  const fn = fns[name];
  const raw = args.length === 0 ? fn() : fn(...args.map(convert));
  const ret = Number(raw);
  if (ret !== -1) return { ret, errno: 0 };
  // Read before building the result: the object literal is allocated before its values are
  // evaluated, and that allocation may run the GC, which may touch errno.
  const e = read.i32(errnoAt, 0);
  return { ret, errno: e };
}

function view(address: number, length: number): Uint8Array {
  return new Uint8Array(toArrayBuffer(address as unknown as Parameters<typeof toArrayBuffer>[0], 0, length));
}

function directBpf(): Backend["bpf"] {
  const at = placeBpfEntry({ arch: process.arch, call, view });
  if (at === undefined) return undefined;
  const entry = CFunction({
    ptr: at as unknown as Parameters<typeof CFunction>[0]["ptr"],
    args: [FFIType.i32, FFIType.ptr, FFIType.u32],
    returns: FFIType.i32,
  }) as unknown as (cmd: number, attr: Uint8Array, size: number) => number;
  return (cmd, attr, size) => fromKernel(entry(cmd, attr, size));
}

const bpf = directBpf();

export const backend: Backend = {
  runtime: "bun",
  arch: process.arch,
  call,
  ...(bpf ? { bpf } : {}),
  address(buf: Uint8Array): bigint {
    if (buf.byteLength === 0) return 0n;
    // A small `new Uint8Array(n)` keeps its bytes inline until something reads `.buffer`, which
    // moves them into a new ArrayBuffer: an address taken before that goes stale. Reading it
    // here first pins the bytes where they will stay.
    void buf.buffer;
    return BigInt(ptr(buf));
  },
  view,
};
