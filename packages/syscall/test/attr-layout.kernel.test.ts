// The committed attr layouts come from the 7.x guest kernel; bpfkit runs on older kernels too.
// On the running kernel's own BTF, every field bpfkit's sources use must sit at the same
// offset with the same size, or (a field newer than this kernel) be absent and lie past the
// end of its struct here, where the kernel sees zeroes it accepts.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Btf } from "@bpfkit/btf";
import { describeKernel } from "@bpfkit/testing";
import { describe, expect, it } from "vitest";
import { type Entry, type FieldLayout, layoutOf, type StructLayout } from "../scripts/layout.ts";
import * as generated from "../src/gen/attr-layout.ts";
import { hasProgAssocStructOps } from "../src/index.ts";

const VMLINUX = "/sys/kernel/btf/vmlinux";
const SRC = fileURLToPath(new URL("../src/", import.meta.url));

/** Each `STRUCT.field(.field)*` the sources use, as [struct name, path]; import aliases resolved. */
function usedFields(): [string, string[]][] {
  const names = new Set(Object.keys(generated).filter((n) => n !== "SIZE"));
  const used = new Map<string, [string, string[]]>();
  for (const file of readdirSync(SRC).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(SRC, file), "utf8");
    const local = new Map<string, string>();
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"\.\/gen\/attr-layout\.ts"/g)) {
      for (const spec of m[1]!.split(",")) {
        const [name, alias] = spec.trim().split(/\s+as\s+/);
        if (name && names.has(name)) local.set(alias ?? name, name);
      }
    }
    for (const [alias, name] of local) {
      for (const m of text.matchAll(new RegExp(`(?<![\\w.])${alias}((?:\\.[a-z_][a-z0-9_]*)+)`, "g"))) {
        const path = m[1]!.slice(1).split(".");
        used.set(`${name}.${path.join(".")}`, [name, path]);
      }
    }
  }
  return [...used.values()].sort((a, b) => `${a[0]}.${a[1].join(".")}`.localeCompare(`${b[0]}.${b[1].join(".")}`));
}

function find(entries: readonly Entry[], path: readonly string[]): Entry | undefined {
  const [head, ...rest] = path;
  const e = entries.find((x) => x.name === head);
  if (!e || rest.length === 0) return e;
  return e.kind === "group" ? find(e.entries, rest) : undefined;
}

/** The committed descriptor at `path`, as the sources read it. */
function committed(name: string, path: readonly string[]): { offset: number; size: number; bit?: number; bits?: number } {
  let at: unknown = (generated as Record<string, unknown>)[name];
  for (const p of path) at = (at as Record<string, unknown>)[p];
  return at as { offset: number; size: number; bit?: number; bits?: number };
}

const unavailable = existsSync(VMLINUX) ? undefined : `${VMLINUX} is missing: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF)`;
const NAME = "attr layouts bpfkit uses, on the running kernel's BTF";

if (unavailable) {
  if (process.env.BPFKIT_REQUIRE_KERNEL === "1") throw new Error(`kernel tests required (BPFKIT_REQUIRE_KERNEL=1) but unavailable: ${unavailable}`);
  console.log(`skipping "${NAME}": ${unavailable}`);
}

describe.skipIf(unavailable !== undefined)(NAME, () => {
  const running = () => {
    const layout = layoutOf(Btf.parse(new Uint8Array(readFileSync(VMLINUX))));
    return new Map<string, StructLayout>(layout.structs.map((s) => [s.name, s]));
  };

  it("finds the fields the sources use (the scan itself works)", () => {
    const used = usedFields().map(([n, p]) => `${n}.${p.join(".")}`);
    // A few that must be there, in the styles the sources use (aliased and plain imports).
    for (const f of ["MAP_CREATE.max_entries", "MAP_ELEM.key", "PROG_LOAD.log_true_size", "PROG_INFO.gpl_compatible", "LINK_INFO.struct_ops.map_id"]) {
      expect(used).toContain(f);
    }
    expect(used.length).toBeGreaterThan(80);
  });

  it("has every used field at the committed offset and size, or absent and past its struct's end here", () => {
    const here = running();
    const absent: string[] = [];
    const wrong: string[] = [];
    for (const [name, path] of usedFields()) {
      const want = committed(name, path);
      const what = `${name}.${path.join(".")}`;
      expect(want, `${what} is used in src but not in src/gen/attr-layout.ts`).toBeDefined();
      const struct = here.get(name);
      if (!struct) {
        absent.push(`${what} (the whole struct)`);
        continue;
      }
      const got = find(struct.entries, path);
      if (!got) {
        absent.push(what);
        if (want.offset < struct.size) wrong.push(`${what}: absent here, yet at ${want.offset}, inside this kernel's ${struct.size}-byte ${struct.source}`);
        continue;
      }
      if (got.kind !== "field") {
        wrong.push(`${what}: a struct here`);
        continue;
      }
      const f = got as FieldLayout;
      const have = { offset: f.offset, size: f.size, ...(f.bits !== undefined ? { bit: f.bit, bits: f.bits } : {}) };
      if (JSON.stringify(have) !== JSON.stringify(want)) wrong.push(`${what}: committed ${JSON.stringify(want)}, this kernel ${JSON.stringify(have)}`);
    }
    if (absent.length > 0) console.log(`absent on this kernel: ${absent.join(", ")}`);
    expect(wrong).toEqual([]);
  });

  describeKernel("and through bpf()", () => {
    it("lacks a command struct only when the kernel lacks the command", () => {
      // The one command bpfkit probes for: BPF_PROG_ASSOC_STRUCT_OPS (7.0).
      expect(running().has("PROG_ASSOC_STRUCT_OPS")).toBe(hasProgAssocStructOps());
    });
  });
});
