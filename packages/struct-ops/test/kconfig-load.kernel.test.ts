import { execSync } from "node:child_process";
import { release } from "node:os";
import { BpfObject } from "@bpfkit/struct-ops";
import { checkFdLeaks, describeKernel } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

/** A CONFIG_ value as the running kernel's config says, read with zcat (not bpfkit). */
function config(name: string): string | undefined {
  const line = execSync(`zcat /proc/config.gz | grep -E '^${name}=' || true`, { encoding: "utf8" }).trim();
  return line ? line.slice(name.length + 1) : undefined;
}

describeKernel(".kconfig externs, end to end", () => {
  checkFdLeaks();

  it("fills the .kconfig map from the kernel's config; the program reads those values", () => {
    using obj = BpfObject.open(fixture("kconfig"));
    obj.load();
    expect(obj.program("read_kconfig").testRun().retval).toBe(0);
    const bss = obj.data(".bss");
    const data = obj.data(".data");
    expect(bss.get("bpf_syscall")).toBe(config("CONFIG_BPF_SYSCALL") === "y");
    expect(bss.get("hz")).toBe(Number(config("CONFIG_HZ")));
    expect(bss.get("nr_cpus")).toBe(Number(config("CONFIG_NR_CPUS")));
    expect(bss.get("log_buf_shift")).toBe(Number(config("CONFIG_LOG_BUF_SHIFT")));
    expect(bss.get("illegal_pointer_value")).toBe(BigInt(config("CONFIG_ILLEGAL_POINTER_VALUE")!));
    expect(bss.get("default_hostname")).toBe(JSON.parse(config("CONFIG_DEFAULT_HOSTNAME")!));
    const [major, minor, patch] = release().split(/[.-]/).map(Number) as [number, number, number];
    expect(bss.get("kernel_version")).toBe((major << 16) + (minor << 8) + Math.min(patch, 255));
    // Weak externs the config lacks (or has "not set") read as zero, over the object's non-zero initial values.
    expect(data.get("werror")).toBe(false);
    expect(data.get("no_such_option")).toBe(0);
    expect(data.get("no_such_tristate")).toBe(0);
    // The map is frozen: read-only to user space and to programs.
    expect(obj.data(".kconfig").readonly).toBe(true);
    expect(() => obj.data(".kconfig").set("CONFIG_HZ", 1)).toThrow(/read-only/);
  });

  it("takes config lines given at load over the kernel's", () => {
    using obj = BpfObject.open(fixture("kconfig"));
    obj.load({ kconfig: "CONFIG_HZ=1000\nCONFIG_BPFKIT_NO_SUCH_OPTION=7\n" });
    obj.program("read_kconfig").testRun();
    expect(obj.data(".bss").get("hz")).toBe(1000);
    expect(obj.data(".data").get("no_such_option")).toBe(7);
  });
});
