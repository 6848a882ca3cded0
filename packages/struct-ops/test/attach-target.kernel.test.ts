import { kernelBtf, moduleBtfs } from "@bpfkit/kernel";
import { sectionDef } from "@bpfkit/object";
import { BpfError, type Fd, progInfo, progLoad } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel, thrown } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { libbpfOracle } from "../../object/test/support/libbpf-oracle.ts";
import { AttachTargetError, resolveAttachTarget } from "../src/attach-target.ts";

// Targets this 6.18 kernel has (bpf_fentry_test1 and bpf_modify_return_test exist for BPF_PROG_TEST_RUN).
const SECTIONS = [
  "fentry/tcp_sendmsg",
  "fexit/do_unlinkat",
  "fentry.s/tcp_v4_connect",
  "fentry/vmlinux:bpf_fentry_test1",
  "fmod_ret/bpf_modify_return_test",
  "tp_btf/sched_switch",
  "tp_btf/sys_enter",
  "lsm/file_open",
  "lsm.s/bpf",
  "lsm_cgroup/socket_bind",
  "iter/task",
  "iter/bpf_map",
  "iter.s/tcp",
];

const resolve = (section: string) => resolveAttachTarget(sectionDef(section)!, section, { vmlinux: kernelBtf(), modules: moduleBtfs() }, { object: "kernel_test", program: "prog" });

// r0 = 0; exit
const RETURN_0 = new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

/**
 * fentry/fexit/fmod_ret/lsm programs run through BPF trampolines. Some kernels refuse to load
 * them at all (this 6.18 VM answers EPERM to libbpf's loads too); tp_btf and iter need no
 * trampoline and must load everywhere.
 */
const needsTrampoline = (s: string) => !/^(tp_btf|iter)/.test(s);

const { oracle, reason } = libbpfOracle();
if (reason) console.log(`skipping the libbpf comparison: ${reason}`);

describeKernel("attach targets in the running kernel's BTF", () => {
  checkFdLeaks();

  it.skipIf(!oracle)("resolve to the ids libbpf_find_vmlinux_btf_id() finds", () => {
    const ours = SECTIONS.map((s) => resolve(s)!);
    const theirs = oracle!.vmlinuxBtfIds(
      SECTIONS.map((s) => ({ name: s.slice(s.indexOf("/") + 1).replace(/^vmlinux:/, ""), attachType: sectionDef(s)!.expectedAttachType })),
    );
    expect(ours.map((r) => r.attachBtfId)).toEqual(theirs);
    expect(theirs.every((id) => id > 0)).toBe(true);
    expect(ours.every((r) => r.module === undefined)).toBe(true);
  });

  it("give ids the kernel accepts at PROG_LOAD, and reports them back", () => {
    const refused: string[] = [];
    for (const s of SECTIONS) {
      const d = sectionDef(s)!;
      const id = resolve(s)!.attachBtfId;
      let fd: Fd;
      try {
        ({ fd } = progLoad({ type: d.type, expectedAttachType: d.expectedAttachType, flags: d.flags, insns: RETURN_0, license: "GPL", attachBtfId: id }));
      } catch (e) {
        // A wrong id is EINVAL/ESRCH from the verifier; EPERM is the kernel refusing trampolines wholesale.
        if (needsTrampoline(s) && e instanceof BpfError && e.code === "EPERM") {
          refused.push(s);
          continue;
        }
        throw e;
      }
      try {
        expect(progInfo(fd.value).attachBtfId, s).toBe(id);
      } finally {
        fd.close();
      }
    }
    if (refused.length) console.log(`this kernel refuses trampoline programs (EPERM), not loaded: ${refused.join(", ")}`);
    expect(SECTIONS.length - refused.length).toBeGreaterThanOrEqual(5);
  });

  it("name the missing target, its BTF name and kind, and where they looked", () => {
    const e = thrown(() => resolve("fentry/bpfkit_no_such_function")) as AttachTargetError;
    expect(e).toBeInstanceOf(AttachTargetError);
    expect(e.lookedUp).toEqual({ name: "bpfkit_no_such_function", kind: "FUNC" });
    expect(e.searched[0]).toBe("vmlinux");
    expect(e.message).toMatch(/^kernel_test: section fentry\/bpfkit_no_such_function, program "prog": attach target "bpfkit_no_such_function" not found: no FUNC "bpfkit_no_such_function" in /);
    const lsm = thrown(() => resolve("lsm/bpfkit_no_hook")) as AttachTargetError;
    expect(lsm.lookedUp).toEqual({ name: "bpf_lsm_bpfkit_no_hook", kind: "FUNC" });
    expect(lsm.hint).toContain("CONFIG_BPF_LSM");
    if (oracle) expect(oracle.vmlinuxBtfIds([{ name: "bpfkit_no_such_function", attachType: sectionDef("fentry")!.expectedAttachType }])).toEqual([-2]);
  });
});
