/**
 * A direct entry into the kernel's bpf(), so that its error comes back in the return value.
 *
 * Through libc, a failing syscall returns -1 and leaves the error in errno, which JS can only read
 * with a second native access after the call returns. Between the two the runtime may run its GC
 * or an interrupt on the same thread, and anything they do that fails sets errno again (a full GC
 * under Deno did: one EAGAIN in place of EPERM in 150,000 calls). The kernel itself returns
 * -errno in a register; calling a few bytes of machine code that issue the syscall and return
 * that register leaves no window at all.
 *
 * The code sits in one page mapped read+write, filled, then switched to read+exec (never both).
 * Where that is refused (a W^X policy) or the architecture has no entry here, bpf() goes through
 * libc's syscall() and errno, as before.
 */
import type { Arg, CallResult, LibcName } from "./backend.ts";
import { Mman } from "./mman.ts";

const { PROT_READ, PROT_WRITE, PROT_EXEC, MAP_PRIVATE, MAP_ANONYMOUS } = Mman;
const PAGE = 4096;

/**
 * `int bpf(int cmd, void *attr, unsigned size)` per architecture (Node's process.arch names).
 * Only architectures whose entry a test here runs are listed.
 */
const ENTRY: Readonly<Record<string, readonly number[]>> = {
  // The C and syscall conventions both take the first three arguments in rdi, rsi, rdx, so only
  // the number is loaded: mov eax, 321 (__NR_bpf); syscall; ret.
  x64: [0xb8, 0x41, 0x01, 0x00, 0x00, 0x0f, 0x05, 0xc3],
};

export type BpfEntryKind = "direct" | "libc";

/** What a backend needs to place the entry: its libc calls and a view of native memory. */
export interface Placer {
  readonly arch: string;
  call(name: LibcName, args: readonly Arg[]): CallResult;
  view(address: number, length: number): Uint8Array;
}

function forcedLibc(): boolean {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    return env?.BPFKIT_BPF_ENTRY === "libc";
  } catch {
    // Deno without --allow-env: no override.
    return false;
  }
}

/** Address of the executable entry, or undefined to use libc. */
export function placeBpfEntry(p: Placer): number | undefined {
  const code = ENTRY[p.arch];
  if (!code || forcedLibc()) return undefined;
  const m = p.call("mmap", [0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0]);
  if (m.ret === -1) return undefined;
  p.view(m.ret, code.length).set(code);
  if (p.call("mprotect", [m.ret, PAGE, PROT_READ | PROT_EXEC]).ret === -1) {
    p.call("munmap", [m.ret, PAGE]);
    return undefined;
  }
  // The page is kept for the life of the process: every bpf() call goes through it.
  return m.ret;
}

/** The kernel's return value (-errno on failure) as our CallResult. */
export function fromKernel(ret: number): CallResult {
  return ret < 0 ? { ret: -1, errno: -ret } : { ret, errno: 0 };
}
