import { describe, expect, it } from "vitest";
import type { Arg, CallResult, LibcName } from "../src/ffi/backend.ts";
import { fromKernel, type Placer, placeBpfEntry } from "../src/ffi/direct.ts";

/** A Placer over fake libc calls: records them, and fails the ones named in `fail`. */
function fake(arch: string, fail: LibcName[] = []) {
  const calls: [LibcName, readonly Arg[]][] = [];
  const page = new Uint8Array(4096);
  const p: Placer = {
    arch,
    call(name: LibcName, args: readonly Arg[]): CallResult {
      calls.push([name, args]);
      if (fail.includes(name)) return { ret: -1, errno: 13 };
      return { ret: name === "mmap" ? 0x7000_0000 : 0, errno: 0 };
    },
    view: (_address, length) => page.subarray(0, length),
  };
  return { p, calls, page };
}

describe("the direct bpf() entry", () => {
  it("is written to a read+write page, then made read+exec, never both", () => {
    const { p, calls, page } = fake("x64");
    expect(placeBpfEntry(p)).toBe(0x7000_0000);
    expect(calls.map(([n]) => n)).toEqual(["mmap", "mprotect"]);
    expect(calls[0]![1][2]).toBe(1 | 2); // PROT_READ | PROT_WRITE
    expect(calls[1]![1]).toEqual([0x7000_0000, 4096, 1 | 4]); // PROT_READ | PROT_EXEC
    // mov eax, 321 (the x86-64 bpf number, little-endian imm32); syscall; ret
    expect([...page.subarray(0, 8)]).toEqual([0xb8, 321 & 0xff, 321 >> 8, 0, 0, 0x0f, 0x05, 0xc3]);
  });

  it("falls back to libc when the page cannot be made executable, and unmaps it", () => {
    const { p, calls } = fake("x64", ["mprotect"]);
    expect(placeBpfEntry(p)).toBeUndefined();
    expect(calls.map(([n]) => n)).toEqual(["mmap", "mprotect", "munmap"]);
  });

  it("falls back to libc when no page can be mapped", () => {
    const { p, calls } = fake("x64", ["mmap"]);
    expect(placeBpfEntry(p)).toBeUndefined();
    expect(calls.map(([n]) => n)).toEqual(["mmap"]);
  });

  it("is not placed on an architecture without a tested entry", () => {
    const { p, calls } = fake("arm64");
    expect(placeBpfEntry(p)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it("turns the kernel's -errno into ret -1 and the errno", () => {
    expect(fromKernel(-1)).toEqual({ ret: -1, errno: 1 });
    expect(fromKernel(-4095)).toEqual({ ret: -1, errno: 4095 });
    expect(fromKernel(0)).toEqual({ ret: 0, errno: 0 });
    expect(fromKernel(7)).toEqual({ ret: 7, errno: 0 });
  });
});
