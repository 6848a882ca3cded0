// kfuncs that live in a module's BTF: Debian builds nf_conntrack as a module (the host has it
// built in), so the conntrack kfuncs are in /sys/kernel/btf/nf_conntrack and a program calling
// them must name that BTF in fd_array. /init loads the module (tests/vm/modules.ts). Runs inside the VM.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { Btf, Kind } from "@bpfkit/btf";
import { BpfObject } from "@bpfkit/struct-ops";
import { btfInfo, fdById, objectIds, progInfo } from "@bpfkit/syscall";

const inVm = process.env.BPFKIT_VM === "1";
const MODULE_BTF = "/sys/kernel/btf/nf_conntrack";

/** The kernel's id for nf_conntrack's BTF object, asked of the kernel. */
function moduleBtfId(): number | undefined {
  for (const id of objectIds("btf")) {
    using fd = fdById("btf", id);
    if (fd && btfInfo(fd.value).name === "nf_conntrack") return id;
  }
  return undefined;
}

describe.skipIf(!inVm)("kfuncs in module BTF (7.x guest)", () => {
  test("the conntrack kfuncs are in nf_conntrack's BTF, not vmlinux's (the premise)", () => {
    expect(existsSync(MODULE_BTF), "/init did not load nf_conntrack (see the boot log)").toBe(true);
    const vmlinux = Btf.parse(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")));
    const mod = Btf.parse(new Uint8Array(readFileSync(MODULE_BTF)), { base: vmlinux });
    expect(vmlinux.find("bpf_xdp_ct_lookup", Kind.FUNC)).toBeUndefined();
    expect(mod.find("bpf_xdp_ct_lookup", Kind.FUNC)).toBeGreaterThan(vmlinux.lastId);
  });

  test("a program calling them loads with the module's BTF in fd_array and the kernel runs them", () => {
    using obj = BpfObject.open("/repo/fixtures/ct_kfunc.bpf.o");
    obj.load();
    const prog = obj.program("ct_lookup");
    expect(progInfo(prog.fd.value).type).toBe(prog.type);
    const r = prog.testRun({ dataIn: new Uint8Array(64) });
    expect(r.retval).toBe(2); // XDP_PASS
    // The kernel's lookup found no connection and said so in opts.error.
    expect(obj.data(".data").get("lookup_error")).toBe(-2);
    expect(obj.data(".data").get("found")).toBe(0);
    // No fd_array slot would make the verifier look the id up in vmlinux, which has no type with
    // an id past its last (see the premise): the load itself shows the module's BTF was named.
  });

  test("the same process follows the module out and back in (unloaded: refused; reloaded: new BTF ids)", async () => {
    const before = moduleBtfId();
    expect(before).toBeDefined();
    // The previous test's program is closed; its module reference goes with an RCU grace period.
    let out = "";
    for (let i = 0; i < 50; i++) {
      const r = spawnSync("rmmod", ["nf_conntrack"], { encoding: "utf8" });
      if (r.status === 0) break;
      out = r.stderr;
      await Bun.sleep(100);
    }
    expect(existsSync(MODULE_BTF), `rmmod nf_conntrack: ${out}`).toBe(false);
    {
      using obj = BpfObject.open("/repo/fixtures/ct_kfunc.bpf.o");
      expect(() => obj.load()).toThrow(/kfunc "bpf_xdp_ct_lookup" is not in the kernel's BTF/);
    }
    const r = spawnSync("insmod", ["/lib/modules/bpfkit/nf_conntrack.ko"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    using obj = BpfObject.open("/repo/fixtures/ct_kfunc.bpf.o");
    obj.load();
    expect(obj.program("ct_lookup").testRun({ dataIn: new Uint8Array(64) }).retval).toBe(2);
    expect(obj.data(".data").get("lookup_error")).toBe(-2);
    // A new BTF object: what a cache of the old one would have pointed fd_array at is gone.
    expect(moduleBtfId()).toBeGreaterThan(before!);
  });
});
