/**
 * The host's kernel configuration and version (read here) fed into @bpfkit/object's `.kconfig`
 * encoder, checked against what the shell reads from the same files. The encoder's own rules are
 * in packages/object/test/kconfig.test.ts.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readKernelConfig, runningKernelVersion } from "@bpfkit/kernel";
import { KernelConfigError, kconfigData, kernelVersionCode, parseKernelConfig } from "@bpfkit/object";
import { afterAll, describe, expect, it } from "vitest";
import { btfOf, DEV_CONFIG, decode, extras, fixtureBtf, none, thrown, weak } from "../../object/test/support/kconfig.ts";

const tmp = mkdtempSync(join(tmpdir(), "bpfkit-kconfig-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("readKernelConfig", () => {
  const have = existsSync("/proc/config.gz");
  it.skipIf(!have)("reads /proc/config.gz as zcat and grep read it", () => {
    const config = readKernelConfig();
    expect(config.source).toBe("/proc/config.gz");
    const text = spawnSync("sh", ["-c", "zcat /proc/config.gz"], { encoding: "utf8", maxBuffer: 64 << 20 }).stdout;
    const set = spawnSync("grep", ["-E", "^CONFIG_[A-Za-z0-9_]+="], { input: text, encoding: "utf8" }).stdout.trim().split("\n");
    const notSet = spawnSync("sed", ["-nE", "s/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\\1/p"], { input: text, encoding: "utf8" }).stdout.trim().split("\n");
    expect(set.length).toBeGreaterThan(100);
    expect(config.values.size).toBe(set.length);
    for (const line of set) {
      const eq = line.indexOf("=");
      expect(config.values.get(line.slice(0, eq))?.text, line).toBe(line.slice(eq + 1));
    }
    expect([...config.notSet].sort()).toEqual(notSet.sort());
    expect(config.values.get("CONFIG_BPF_SYSCALL")).toEqual({ kind: "tristate", value: "y", text: "y" });
  });

  it("reads plain and gzipped files, the first that exists", () => {
    writeFileSync(join(tmp, "plain"), "CONFIG_A=y\n# CONFIG_B is not set\n");
    writeFileSync(join(tmp, "packed"), gzipSync("CONFIG_A=m\n"));
    const plain = readKernelConfig([join(tmp, "absent"), join(tmp, "plain"), join(tmp, "packed")]);
    expect(plain.source).toBe(join(tmp, "plain"));
    expect(plain.values.get("CONFIG_A")?.text).toBe("y");
    expect([...plain.notSet]).toEqual(["CONFIG_B"]);
    expect(readKernelConfig([join(tmp, "packed")]).values.get("CONFIG_A")?.text).toBe("m");
  });

  it("names every path it tried when none exists", () => {
    const paths = [join(tmp, "no-config.gz"), join(tmp, "no-config")];
    const e = thrown(() => readKernelConfig(paths));
    expect(e).toBeInstanceOf(KernelConfigError);
    expect((e as KernelConfigError).paths).toEqual(paths);
    expect(e.message).toContain(paths[0]);
    expect(e.message).toContain(paths[1]);
    expect(e.message).toContain("CONFIG_IKCONFIG_PROC");
  });

  it("by default looks in /proc/config.gz, then /boot/config-$(uname -r)", () => {
    const uname = spawnSync("uname", ["-r"], { encoding: "utf8" }).stdout.trim();
    expect(release()).toBe(uname);
    // The message for the default paths, forced by asking for them under a missing root.
    const e = thrown(() => readKernelConfig(["/proc/config.gz", `/boot/config-${uname}`].map((p) => join(tmp, p))));
    expect(e.message).toContain(`/boot/config-${uname}`);
    expect(e.message).toContain("/proc/config.gz");
  });
});

describe("the running kernel's version", () => {
  it("as uname -r spells it", () => {
    const [a, b, c] = spawnSync("uname", ["-r"], { encoding: "utf8" }).stdout.split(/[.-]/).map(Number) as [number, number, number];
    const debian = /Debian (\d+)\.(\d+)\.(\d+)/.exec(readFileSync("/proc/sys/kernel/version", "utf8"));
    if (existsSync("/proc/version_signature") || debian) return; // distribution kernels: covered above
    expect(runningKernelVersion()).toBe(kernelVersionCode(a, b, c));
  });
});

describe("kconfigData with the host's config and version", () => {
  it.skipIf(!existsSync("/proc/config.gz"))("encodes this machine's /proc/config.gz as grep reads it", () => {
    const grep = (name: string) => {
      const r = spawnSync("sh", ["-c", `zcat /proc/config.gz | grep -E '^${name}='`], { encoding: "utf8" });
      return r.stdout.trim().split("=").slice(1).join("=");
    };
    const v = decode(kconfigData(fixtureBtf, "kconfig", readKernelConfig, extras));
    expect(v.CONFIG_HZ).toBe(BigInt(grep("CONFIG_HZ")));
    expect(v.CONFIG_NR_CPUS).toBe(BigInt(grep("CONFIG_NR_CPUS")));
    expect(v.CONFIG_LOG_BUF_SHIFT).toBe(BigInt(grep("CONFIG_LOG_BUF_SHIFT")));
    expect(v.CONFIG_ILLEGAL_POINTER_VALUE).toBe(BigInt(grep("CONFIG_ILLEGAL_POINTER_VALUE")));
    expect(v.CONFIG_ARCH_MMAP_RND_BITS_MIN).toBe(BigInt(grep("CONFIG_ARCH_MMAP_RND_BITS_MIN")));
    expect(v.CONFIG_BPF_SYSCALL).toBe(grep("CONFIG_BPF_SYSCALL") === "y" ? 1n : 0n);
    expect(String.fromCharCode(Number(v.CONFIG_BPF_JIT))).toBe(grep("CONFIG_BPF_JIT"));
    expect(v.CONFIG_BPF_LSM).toBe(({ y: 1n, m: 2n, n: 0n } as Record<string, bigint>)[grep("CONFIG_BPF_LSM")]);
    const host = JSON.parse(grep("CONFIG_DEFAULT_HOSTNAME")) as string;
    expect((v.CONFIG_DEFAULT_HOSTNAME as string).replace(/\0+$/, "")).toBe(host.slice(0, 15));
    const cc = JSON.parse(grep("CONFIG_CC_VERSION_TEXT")) as string;
    expect((v.CONFIG_CC_VERSION_TEXT as string).replace(/\0+$/, "")).toBe(cc.slice(0, 7));
  });

  it("LINUX_KERNEL_VERSION defaults to the running kernel's; probes are asked only when used", () => {
    const v = decode(kconfigData(fixtureBtf, "kconfig", parseKernelConfig(DEV_CONFIG), { weak, hasBpfCookie: () => false, hasSyscallWrapper: () => true, kernelVersion: runningKernelVersion }));
    expect(v).toMatchObject({ LINUX_KERNEL_VERSION: BigInt(runningKernelVersion()), LINUX_HAS_BPF_COOKIE: 0n, LINUX_HAS_SYSCALL_WRAPPER: 1n });
    expect(runningKernelVersion()).toBeGreaterThan(0);
  });

  it("a missing config file surfaces only when a CONFIG_ extern needs it", () => {
    const read = () => readKernelConfig([join(tmp, "none")]);
    expect(thrown(() => kconfigData(btfOf({ CONFIG_X: "u32" }), "t", read, { ...none, weak: new Set(["CONFIG_X"]) }))).toBeInstanceOf(KernelConfigError);
    expect(kconfigData(btfOf({ LINUX_KERNEL_VERSION: "u32" }), "t", read, none)).toHaveLength(4);
  });
});
