import { existsSync } from "node:fs";
import { arch } from "node:os";
import { type Feature, feature, ProgType, progLoad } from "@bpfkit/syscall";
import { kallsymsHas } from "./kallsyms.ts";

// call bpf_get_attach_cookie (helper 185); r0 = 0; exit
const COOKIE_PROBE = new Uint8Array([0x85, 0, 0, 0, 185, 0, 0, 0, 0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

/** LINUX_HAS_BPF_COOKIE, decided as libbpf does: can a tracepoint program call bpf_get_attach_cookie? */
export const hasBpfCookie: Feature = feature("bpf_cookie", "5.15", () => {
  try {
    progLoad({ type: ProgType.TRACEPOINT, insns: COOKIE_PROBE, license: "GPL" }).fd.close();
    return true;
  } catch {
    return false;
  }
});

const SYSCALL_PREFIX: Readonly<Record<string, string>> = { x64: "__x64_", arm64: "__arm64_", s390x: "__s390x_", ia32: "__ia32_", riscv64: "__riscv_" };

/**
 * LINUX_HAS_SYSCALL_WRAPPER: libbpf opens a kprobe on the arch's wrapped bpf syscall
 * (`__x64_sys_bpf`) and says yes if that works. Without a kprobe PMU that fails even where the
 * kernel wraps syscalls, so the answer follows the same two facts: kprobes, and the symbol.
 */
export const hasSyscallWrapper: Feature = feature("syscall_wrapper", "4.17", () => {
  const prefix = SYSCALL_PREFIX[arch()];
  const canKprobe = existsSync("/sys/bus/event_source/devices/kprobe") || existsSync("/sys/kernel/tracing/kprobe_events");
  return !!prefix && canKprobe && kallsymsHas(`${prefix}sys_bpf`);
});
