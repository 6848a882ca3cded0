import type { Attr } from "./attr.ts";
import { BpfError } from "./error.ts";
import { backend } from "./ffi/select.ts";

const BPF_SYSCALL: Readonly<Record<string, number>> = {
  x64: 321,
  ia32: 357,
  arm64: 280,
  arm: 386,
  riscv64: 280,
  loong64: 280,
  s390x: 351,
  ppc64: 361,
};

export interface RawResult {
  readonly ret: number;
  readonly errno: number;
}

/** Called instead of the kernel when set: fault injection and call tracing for tests. */
export type BpfInterceptor = (cmd: number, attr: Attr, next: () => RawResult) => RawResult;

let interceptor: BpfInterceptor | undefined;
let nr: number | undefined;

/**
 * Installs (or with `undefined`, removes) the interceptor every bpf() call passes through.
 * For tests: fail the N-th call, count calls, record arguments.
 */
export function setBpfInterceptor(fn: BpfInterceptor | undefined): void {
  interceptor = fn;
}

function syscallNumber(): number {
  if (nr !== undefined) return nr;
  const arch = backend().arch;
  const n = BPF_SYSCALL[arch];
  if (n === undefined) throw new Error(`bpfkit: unknown bpf() syscall number for architecture ${arch}`);
  nr = n;
  return n;
}

function kernel(cmd: number, attr: Attr): RawResult {
  const b = backend();
  if (b.bpf) return b.bpf(cmd, attr.bytes, attr.size);
  return b.call("syscall", [syscallNumber(), cmd, attr.bytes, attr.size]);
}

/**
 * How bpf() reaches the kernel in this process: "direct" (its error comes back in the return
 * value) or "libc" (syscall() and errno; set BPFKIT_BPF_ENTRY=libc to force it).
 */
export function bpfEntry(): "direct" | "libc" {
  return backend().bpf ? "direct" : "libc";
}

/** The one place bpfkit enters the kernel's bpf(). Never throws for a kernel refusal. */
export function bpfRaw(cmd: number, attr: Attr): RawResult {
  if (interceptor) return interceptor(cmd, attr, () => kernel(cmd, attr));
  return kernel(cmd, attr);
}

/** bpf() that returns the non-negative result or throws BpfError. EINTR is retried. */
export function bpfCall(cmd: number, attr: Attr, context?: string): number {
  for (;;) {
    const r = bpfRaw(cmd, attr);
    if (r.ret >= 0) return r.ret;
    if (r.errno === 4 /* EINTR */) continue;
    throw new BpfError(cmd, r.errno, context === undefined ? {} : { context });
  }
}
