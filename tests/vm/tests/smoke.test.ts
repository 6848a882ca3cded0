// Smoke test of the VM tier: are we on the kernel we meant to boot, with the
// BTF and struct_ops types bpfkit targets, and does a bpf() call from Bun work?
// Runs inside the VM (bun tests/vm/run.ts); skipped anywhere else.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { dlopen, FFIType, ptr, read } from "bun:ffi";

const inVm = process.env.BPFKIT_VM === "1";

describe.skipIf(!inVm)("vm smoke", () => {
  test("kernel is 7.0 or newer", () => {
    const release = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
    const [major = 0, minor = 0] = release.split(/[.-]/).map(Number);
    expect(major * 1000 + minor).toBeGreaterThanOrEqual(7000);
  });

  test("kernel BTF has the struct_ops value types bpfkit targets", () => {
    expect(existsSync("/sys/kernel/btf/vmlinux")).toBe(true);
    const btf = readFileSync("/sys/kernel/btf/vmlinux");
    for (const name of ["bpf_struct_ops_sched_ext_ops", "bpf_struct_ops_tcp_congestion_ops"]) {
      expect(btf.includes(name)).toBe(true);
    }
  });

  test("sched_ext is configured", () => {
    expect(existsSync("/sys/kernel/sched_ext")).toBe(true);
  });

  test("bpf(BPF_MAP_CREATE) from bun:ffi returns an fd", () => {
    const SYS_bpf = 321; // x86_64
    const BPF_MAP_CREATE = 0;
    const BPF_MAP_TYPE_ARRAY = 2;
    const libc = dlopen("libc.so.6", {
      syscall: { args: [FFIType.i64, FFIType.i64, FFIType.ptr, FFIType.u32], returns: FFIType.i64 },
      __errno_location: { args: [], returns: FFIType.ptr },
      close: { args: [FFIType.i32], returns: FFIType.i32 },
    });
    try {
      // An explicit ArrayBuffer kept referenced across the call (see DESIGN.md on stale ptr()).
      const attr = new ArrayBuffer(72);
      const view = new DataView(attr);
      view.setUint32(0, BPF_MAP_TYPE_ARRAY, true); // map_type
      view.setUint32(4, 4, true); // key_size
      view.setUint32(8, 4, true); // value_size
      view.setUint32(12, 1, true); // max_entries
      const bytes = new Uint8Array(attr);
      const fd = Number(libc.symbols.syscall(SYS_bpf, BPF_MAP_CREATE, ptr(bytes), attr.byteLength));
      const errno = fd < 0 ? read.i32(libc.symbols.__errno_location()!, 0) : 0;
      expect({ fd: fd >= 0, errno }).toEqual({ fd: true, errno: 0 });
      expect(libc.symbols.close(fd)).toBe(0);
    } finally {
      libc.close();
    }
  });
});
