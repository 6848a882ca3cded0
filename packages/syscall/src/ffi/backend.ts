/**
 * The contract between the runtime-free part of @bpfkit/syscall and a runtime's FFI.
 * A backend only translates the neutral signatures below into bun:ffi or Deno.dlopen;
 * every typed wrapper lives outside `ffi/`.
 */

/** Neutral argument types: `buf` is a Uint8Array (or null) passed as a pointer to its first byte. */
export type ArgType = "i32" | "u32" | "i64" | "u64" | "buf";
export type RetType = "i32" | "i64";
export type Arg = number | bigint | Uint8Array | null;

export interface Signature {
  readonly args: readonly ArgType[];
  readonly ret: RetType;
}

/** The libc functions bpfkit calls. Nothing else is ever looked up. */
export const LIBC: {
  readonly syscall: Signature;
  readonly close: Signature;
  readonly poll: Signature;
  readonly mmap: Signature;
  readonly munmap: Signature;
  readonly mprotect: Signature;
  readonly socket: Signature;
  readonly setsockopt: Signature;
  readonly getsockopt: Signature;
  readonly bind: Signature;
  readonly listen: Signature;
  readonly connect: Signature;
  readonly accept4: Signature;
  readonly send: Signature;
  readonly recv: Signature;
  readonly ioctl: Signature;
  readonly unshare: Signature;
  readonly getsockname: Signature;
} = {
  // syscall(nr, a1, a2, a3): bpf(cmd, attr, size) goes through here where there is no direct
  // entry (ffi/direct.ts). It returns a long, read as an int (the low half of the same register):
  // bpf() results fit, and a 32-bit result needs no BigInt, so nothing allocates before errno.
  syscall: { args: ["i64", "i64", "buf", "u32"], ret: "i32" },
  close: { args: ["i32"], ret: "i32" },
  poll: { args: ["buf", "u64", "i32"], ret: "i32" },
  mmap: { args: ["u64", "u64", "i32", "i32", "i32", "i64"], ret: "i64" },
  munmap: { args: ["u64", "u64"], ret: "i32" },
  mprotect: { args: ["u64", "u64", "i32"], ret: "i32" },
  socket: { args: ["i32", "i32", "i32"], ret: "i32" },
  setsockopt: { args: ["i32", "i32", "i32", "buf", "u32"], ret: "i32" },
  getsockopt: { args: ["i32", "i32", "i32", "buf", "buf"], ret: "i32" },
  bind: { args: ["i32", "buf", "u32"], ret: "i32" },
  listen: { args: ["i32", "i32"], ret: "i32" },
  connect: { args: ["i32", "buf", "u32"], ret: "i32" },
  accept4: { args: ["i32", "buf", "buf", "i32"], ret: "i32" },
  send: { args: ["i32", "buf", "u64", "i32"], ret: "i64" },
  recv: { args: ["i32", "buf", "u64", "i32"], ret: "i64" },
  ioctl: { args: ["i32", "u64", "buf"], ret: "i32" },
  unshare: { args: ["i32"], ret: "i32" },
  getsockname: { args: ["i32", "buf", "buf"], ret: "i32" },
};

export type LibcName = keyof typeof LIBC;

/** `ret` is the C return value as a number; `errno` is read only when `ret === -1`, otherwise 0. */
export interface CallResult {
  readonly ret: number;
  readonly errno: number;
}

export interface Backend {
  readonly runtime: "bun" | "deno";
  /** Node's process.arch spelling: "x64", "arm64", "riscv64", ... */
  readonly arch: string;
  /**
   * Calls a libc function. When it returns -1 the backend reads errno at once, with no JS
   * allocation in between, so that nothing else can overwrite it.
   */
  call(name: LibcName, args: readonly Arg[]): CallResult;
  /**
   * bpf(cmd, attr, size) straight into the kernel, its error taken from the return value (see
   * ffi/direct.ts). Absent where no direct entry could be placed: callers then use `call("syscall")`.
   */
  readonly bpf?: (cmd: number, attr: Uint8Array, size: number) => CallResult;
  /** Address of `buf[0]`, for embedding into attrs. The caller keeps `buf` referenced across the call. */
  address(buf: Uint8Array): bigint;
  /** A view of `length` bytes of native memory at `address` (an mmap'ed region). */
  view(address: number, length: number): Uint8Array;
}
