// @bpfkit/object as a Node user gets it: built with tsc, imported by plain `node` from the built
// package, parsing every fixture and every corpus object with no FFI anywhere in its import graph.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BUILT = ["elf", "btf", "object"];

function build(): void {
  for (const pkg of BUILT) {
    const r = spawnSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json"], { cwd: join(ROOT, "packages", pkg), encoding: "utf8" });
    expect(r.status, `${pkg}: ${r.stdout}${r.stderr}`).toBe(0);
  }
}

/** The objects to parse: committed fixtures, then the corpus build's objects (when it exists). */
function objects(): string[] {
  const fixtures = readdirSync(join(ROOT, "fixtures"))
    .filter((f) => f.endsWith(".bpf.o"))
    .map((f) => join(ROOT, "fixtures", f));
  const manifest = join(ROOT, "tests/corpus/.cache/manifest.json");
  if (!existsSync(manifest)) {
    if (process.env.BPFKIT_REQUIRE_KERNEL === "1") throw new Error(`no corpus build at ${manifest}: run bun tests/corpus/run.ts --build`);
    return fixtures;
  }
  const corpus = (JSON.parse(readFileSync(manifest, "utf8")) as { objects: { path?: string }[] }).objects.flatMap((o) => (o.path ? [o.path] : []));
  return [...fixtures, ...corpus];
}

// Objects bpfkit refuses at parse, with the error code that says why (not a crash).
const SCRIPT = `
import { readFileSync } from "node:fs";
import { ObjectSpec } from "@bpfkit/object";
const out = [];
for (const path of JSON.parse(process.env.BPFKIT_OBJECTS)) {
  const name = path.split("/").pop().split(".")[0];
  try {
    const s = ObjectSpec.parse(new Uint8Array(readFileSync(path)), { name });
    out.push({ name, programs: s.programs.map((p) => [p.name, p.section]), maps: [...s.maps.map((m) => m.map.name), ...s.dataSections.map((d) => d.map.name), ...s.structOps.map((m) => m.name)] });
  } catch (e) {
    out.push({ name, error: e.name, code: e.code ?? null, message: e.message });
  }
}
console.log(JSON.stringify(out));
`;

describe("@bpfkit/object under plain Node", () => {
  it("the built package imports nothing that reaches a runtime's FFI or bpf()", () => {
    build();
    const bad: string[] = [];
    for (const pkg of BUILT) {
      const dist = join(ROOT, "packages", pkg, "dist");
      for (const f of readdirSync(dist, { recursive: true }) as string[]) {
        if (!f.endsWith(".js")) continue;
        const text = readFileSync(join(dist, f), "utf8");
        for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
          const spec = m[1]!;
          if (spec.startsWith(".")) continue;
          if (!/^@bpfkit\/(elf|btf)$/.test(spec)) bad.push(`${pkg}/dist/${f} imports ${spec}`);
        }
        if (/bun:ffi|Deno\.dlopen|dlopen/.test(text)) bad.push(`${pkg}/dist/${f} mentions an FFI`);
      }
    }
    expect(bad).toEqual([]);
  }, 120_000);

  it("parses every fixture and corpus object, listing programs (name, section) and maps", () => {
    const paths = objects();
    const r = spawnSync("node", ["--input-type=module", "-e", SCRIPT], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, BPFKIT_OBJECTS: JSON.stringify(paths) } });
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as { name: string; programs?: [string, string][]; maps?: string[]; error?: string; code?: string | null; message?: string }[];
    expect(results.length).toBe(paths.length);
    // Refusals are typed errors (arena maps are not supported yet; bad_* fixtures are broken on
    // purpose), never crashes; and everything else parses.
    const failed = results.filter((x) => x.error && (x.error !== "ObjectError" || (x.code !== "arena-unsupported" && !x.name.startsWith("bad_"))));
    expect(failed).toEqual([]);
    expect(results.filter((x) => !x.error).length).toBeGreaterThan(paths.length / 2);
    const cc = results.find((x) => x.name === "two_cc")!;
    expect(cc.programs!.length).toBeGreaterThan(0);
    for (const x of results.filter((y) => !y.error)) for (const [name, section] of x.programs!) expect(name && section).toBeTruthy();
  }, 120_000);
});
