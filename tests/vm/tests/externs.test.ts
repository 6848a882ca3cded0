// Externs the development kernel cannot resolve: a typed __ksym variable needs the kernel to
// find data symbols (CONFIG_KALLSYMS_ALL), which the VM's Debian kernel has. Runs inside the VM.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { BpfObject } from "@bpfkit/struct-ops";
import { progInfo } from "@bpfkit/syscall";

const inVm = process.env.BPFKIT_VM === "1";

describe.skipIf(!inVm)("typed __ksym variables (7.x guest)", () => {
  test("the kernel lists data symbols (the premise)", () => {
    expect(readFileSync("/proc/kallsyms", "utf8")).toMatch(/ bpf_prog_active$/m);
  });

  test("bpf_prog_active resolves to its BTF id, loads and is read per CPU", () => {
    using obj = BpfObject.open("/repo/fixtures/ksym_var.bpf.o");
    obj.load();
    const prog = obj.program("read_active");
    expect(progInfo(prog.fd.value).type).toBe(prog.type);
    expect(prog.testRun().retval).toBe(0);
    // A syscall program does not run under bpf_prog_active; what matters is that it was read.
    expect([0, 1]).toContain(obj.data(".data").get("active_seen") as number);
  });
});
