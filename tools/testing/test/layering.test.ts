// The package layering, checked on the sources: a package imports only packages below it, the
// pure ones import no runtime (no FFI, no node: modules), and every package.json lists exactly
// the workspace packages its src imports.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** Lowest first: each may import only those before it. */
const ORDER = ["elf", "btf", "object", "syscall", "kernel", "struct-ops", "sched-ext", "cli"];
/** Pure packages: parse bytes, never touch a runtime, so they run on Node and in a browser. */
const PURE = new Set(["elf", "btf", "object"]);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Module specifiers of static imports, re-exports and dynamic imports with a literal. */
function imports(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*"([^"]+)"|import\(\s*"([^"]+)"\s*\)|(?:^|\n)\s*import\s*"([^"]+)"/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

const packages = readdirSync(join(ROOT, "packages")).filter((p) => existsSync(join(ROOT, "packages", p, "package.json")));

describe("package layering", () => {
  it("knows every package", () => {
    expect(packages.filter((p) => !ORDER.includes(p))).toEqual([]);
  });

  for (const pkg of packages) {
    it(`${pkg}: imports only lower layers, and package.json agrees`, () => {
      const rank = ORDER.indexOf(pkg);
      const used = new Set<string>();
      const wrong: string[] = [];
      for (const file of sources(join(ROOT, "packages", pkg, "src"))) {
        const rel = file.slice(ROOT.length);
        for (const spec of imports(readFileSync(file, "utf8"))) {
          const m = /^@bpfkit\/([^/]+)/.exec(spec);
          if (m) {
            const dep = m[1]!;
            used.add(`@bpfkit/${dep}`);
            if (!(ORDER.indexOf(dep) < rank)) wrong.push(`${rel} imports ${spec}, which is not below ${pkg}`);
          } else if (PURE.has(pkg) && /^(node:|bun:|npm:|jsr:)/.test(spec)) {
            wrong.push(`${rel} imports ${spec}: ${pkg} must run without a runtime's modules`);
          } else if (spec.startsWith("../") && !spec.startsWith("./")) {
            if (!file.includes(`/packages/${pkg}/src/`) || spec.includes("/packages/")) wrong.push(`${rel} reaches outside its package: ${spec}`);
          }
        }
        if (PURE.has(pkg) && /\bDeno\.|\bBun\./.test(readFileSync(file, "utf8"))) wrong.push(`${rel} uses a runtime global (Deno./Bun.)`);
      }
      expect(wrong).toEqual([]);
      const manifest = JSON.parse(readFileSync(join(ROOT, "packages", pkg, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
      const declared = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith("@bpfkit/"));
      // Every package src imports is declared; a declared one no src file imports is used by the tests.
      expect([...used].filter((d) => !declared.includes(d))).toEqual([]);
      const testDir = join(ROOT, "packages", pkg, "test");
      const tested = new Set(
        existsSync(testDir)
          ? sources(testDir)
              .flatMap((f) => imports(readFileSync(f, "utf8")))
              .map((s) => /^@bpfkit\/[^/]+/.exec(s)?.[0])
          : [],
      );
      expect(declared.filter((d) => !used.has(d) && !tested.has(d))).toEqual([]);
    });
  }
});
