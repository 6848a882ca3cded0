/**
 * libbpf as the oracle for the .kconfig map: `bpftool -d prog loadall` (Debian's libbpf 1.1)
 * loads fixtures/kconfig.bpf.o, prints where it placed each extern, and `bpftool map dump` shows
 * the bytes it wrote. kconfigLayout and kconfigData must agree with both, on this machine's config.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Btf } from "@bpfkit/btf";
import { ElfFile, STB_WEAK } from "@bpfkit/elf";
import { readKernelConfig, runningKernelVersion } from "@bpfkit/kernel";
import { kconfigData, kconfigLayout } from "@bpfkit/object";
import { describeKernel, useBpffs } from "@bpfkit/testing";
import { afterEach, expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

const haveBpftool = spawnSync("bpftool", ["version"]).status === 0;

/**
 * How libbpf decides LINUX_HAS_SYSCALL_WRAPPER, from outside: it can open a kprobe (the kprobe
 * PMU, or tracefs kprobe_events) on __<arch>_sys_bpf. Without CONFIG_KPROBES it cannot: false.
 */
function syscallWrapperProbe(): boolean {
  const canKprobe = existsSync("/sys/bus/event_source/devices/kprobe") || existsSync("/sys/kernel/tracing/kprobe_events");
  return canKprobe && /\s__x64_sys_bpf$/m.test(readFileSync("/proc/kallsyms", "utf8"));
}

describeKernel("the .kconfig map libbpf fills", () => {
  const bpffs = useBpffs();
  const pinDir = () => join(bpffs(), "kconfig");
  afterEach(() => rmSync(pinDir(), { recursive: true, force: true }));

  it.skipIf(!haveBpftool || !existsSync("/proc/config.gz"))("has the layout and bytes kconfigLayout and kconfigData compute", () => {
    const path = fixture("kconfig");
    const load = spawnSync("bpftool", ["-d", "prog", "loadall", path, pinDir()], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(load.status, load.stderr.slice(-2000)).toBe(0);
    const libbpfOffsets = [...load.stderr.matchAll(/extern \(kcfg\) #\d+: symbol \d+, off (\d+), name (\w+)/g)].map((m) => [Number(m[1]), m[2]]);

    const prog = JSON.parse(spawnSync("bpftool", ["prog", "show", "pinned", join(pinDir(), "read_kconfig"), "-j"], { encoding: "utf8" }).stdout) as { map_ids: number[] };
    const maps = prog.map_ids.map((id) => JSON.parse(spawnSync("bpftool", ["map", "show", "id", String(id), "-j"], { encoding: "utf8" }).stdout) as { id: number; name: string });
    const kconfigMap = maps.find((m) => m.name.endsWith(".kconfig"));
    expect(kconfigMap, JSON.stringify(maps)).toBeDefined();
    const dump = JSON.parse(spawnSync("bpftool", ["map", "dump", "id", String(kconfigMap!.id), "-j"], { encoding: "utf8" }).stdout) as { value: string[] }[];
    const libbpfBytes = dump[0]!.value.map((b) => Number.parseInt(b, 16));

    const elf = ElfFile.parse(new Uint8Array(readFileSync(path)));
    const btf = Btf.parse(elf.section(".BTF")!.data);
    const weak = new Set(elf.symbols.filter((s) => s.bind === STB_WEAK).map((s) => s.name));
    const layout = kconfigLayout(btf, "kconfig", weak)!;
    expect(layout.externs.map((e) => [e.offset, e.name])).toEqual(libbpfOffsets);

    const ours = kconfigData(btf, "kconfig", readKernelConfig, {
      weak,
      hasBpfCookie: runningKernelVersion() >= 0x050f00, // bpf_get_attach_cookie: 5.15
      hasSyscallWrapper: syscallWrapperProbe(),
      kernelVersion: runningKernelVersion,
    });
    expect([...ours]).toEqual(libbpfBytes);
  });
});
