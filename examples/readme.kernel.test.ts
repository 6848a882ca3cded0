// The first TypeScript example of each package's README, run as its reader would run it (from
// the repository root, under Bun), so the documentation cannot drift from the API.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describeKernel } from "@bpfkit/testing";
import { afterAll, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
// Inside the repository, so `@bpfkit/*` imports resolve through its node_modules.
const DIR = join(ROOT, "examples/.readme");

function firstExample(pkg: string): string {
  const text = readFileSync(join(ROOT, "packages", pkg, "README.md"), "utf8");
  const m = /```ts\n([\s\S]*?)```/.exec(text);
  if (!m) throw new Error(`packages/${pkg}/README.md has no \`\`\`ts example`);
  return m[1]!;
}

/** What each example prints that shows it did its job. */
const EXPECT: Record<string, RegExp[]> = {
  // ELF_T_REL (1) and EM_BPF (247), then sections with their relocation counts.
  elf: [/^little-endian, e_type 1, e_machine 247$/m, /^\[\d+\] \.text {2}size \d+, \d+ relocations$/m],
  // Member name, byte offset, size (the layout varies across kernels; the sizes do not).
  btf: [/^ssthresh \d+ 8$/m, /^cong_avoid \d+ 8$/m, /^struct tcp_congestion_ops \{$/m, /#endif \/\* __VMLINUX_H__ \*\//],
  syscall: [/^example 42n$/m, /^0$/m, /^BPF_PROG_LOAD EACCES R0 !read_ok$/m],
  "struct-ops": [/^\d+n$/m, /^unregistered$/m],
  // Programs with their sections, data maps, and the struct_ops variable's slots, parsed without FFI.
  object: [/^program bk_ssthresh struct_ops STRUCT_OPS$/m, /^map cc\.bss ARRAY \d+$/m, /^struct_ops bpfkit_reno: tcp_congestion_ops .*ssthresh=bk_ssthresh/m],
  kernel: [/^vmlinux \d+ types$/m, /^possible CPUs \d+$/m, /^btf_float \(Linux 5\.13\+\): (true|false)$/m],
  // Hosts without sched_ext (this one: 6.18 without CONFIG_SCHED_CLASS_EXT) get the typed refusal; the VM tier runs schedulers.
  "sched-ext": [/^(no-sched-ext: this kernel has no sched_ext \(CONFIG_SCHED_CLASS_EXT\)|scheduler bpfkit_fifo enabled\nexit .*)/m],
};

describeKernel("README examples run as written", () => {
  mkdirSync(DIR, { recursive: true });
  afterAll(() => rmSync(DIR, { recursive: true, force: true }));

  for (const [pkg, patterns] of Object.entries(EXPECT)) {
    it(`packages/${pkg}/README.md`, () => {
      const file = join(DIR, `${pkg}.ts`);
      writeFileSync(file, firstExample(pkg));
      const r = spawnSync(join(ROOT, "node_modules/.bin/bun"), [file], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      for (const p of patterns) expect(r.stdout).toMatch(p);
    });
  }
});
