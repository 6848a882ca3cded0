// Trampoline programs (fentry, fexit, fmod_ret, lsm), which the development kernel refuses to
// load at all (EPERM, libbpf's loads too). Here they load with the attach targets bpfkit
// resolved, are attached through BPF_LINK_CREATE, and run: BPF_PROG_TEST_RUN of a tracing
// program calls the kernel's test functions, which fire the attached programs. Runs inside the VM.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { Btf, Kind } from "@bpfkit/btf";
import { BpfObject } from "@bpfkit/struct-ops";
import { AttachType, linkCreate, progInfo } from "@bpfkit/syscall";

const inVm = process.env.BPFKIT_VM === "1";

describe.skipIf(!inVm)("fentry, fexit, fmod_ret and lsm programs (7.x guest)", () => {
  test("load with the kernel's BTF ids of their targets, as the kernel reports them", () => {
    const vmlinux = Btf.parse(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")));
    using obj = BpfObject.open("/repo/fixtures/tracing.bpf.o");
    obj.load();
    const targets: Record<string, string> = {
      on_entry: "bpf_fentry_test1",
      on_exit: "bpf_fentry_test1",
      skip_it: "bpf_modify_return_test",
      seen_ret: "bpf_modify_return_test",
      allow_open: "bpf_lsm_file_open",
    };
    for (const [prog, fn] of Object.entries(targets)) {
      const info = progInfo(obj.program(prog).fd.value);
      expect(info.attachBtfId, prog).toBe(vmlinux.find(fn, Kind.FUNC)!);
      expect(info.type, prog).toBe(obj.program(prog).type);
    }
  });

  test("attached, they run around the kernel's test functions, and fmod_ret replaces a result", () => {
    using obj = BpfObject.open("/repo/fixtures/tracing.bpf.o");
    obj.load();
    const attach = (name: string, type: number) => linkCreate({ fd: obj.program(name).fd.value, attachType: type });
    using _entry = attach("on_entry", AttachType.TRACE_FENTRY);
    using _exit = attach("on_exit", AttachType.TRACE_FEXIT);
    using _seen = attach("seen_ret", AttachType.TRACE_FEXIT);
    // Running a fentry program calls bpf_fentry_test1(1) (and its siblings); it returns a + 1.
    obj.program("on_entry").testRun();
    const bss = obj.data(".bss");
    expect(bss.get("entry_arg")).toBe(1n);
    expect(bss.get("exit_arg")).toBe(1n);
    expect(bss.get("exit_ret")).toBe(2n);
    // Running the fmod_ret program calls bpf_modify_return_test(1, &b) and others, and reports
    // (calls that changed b) << 16 | (sum of their results). First without it attached...
    const base = obj.program("skip_it").testRun().retval;
    const normal = Number(bss.get("modify_seen_ret"));
    expect(bss.get("fmod_calls")).toBe(0n);
    // ...then with it: the function is skipped (one side effect fewer) and returns our 1234.
    using _fmod = attach("skip_it", AttachType.MODIFY_RETURN);
    const r = obj.program("skip_it").testRun().retval;
    expect(bss.get("fmod_calls")).toBe(1n);
    expect(obj.data(".data").get("fmod_prev_ret")).toBe(0n); // was 99: the first fmod_ret program sees 0
    expect(bss.get("modify_seen_ret")).toBe(1234n);
    expect(r >>> 16).toBe((base >>> 16) - 1);
    expect((r & 0xffff) - (base & 0xffff)).toBe(1234 - normal);
  });
});
