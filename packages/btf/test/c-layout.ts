import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Btf, type BtfComposite } from "@bpfkit/btf";
import { objectSections } from "./support.ts";

/** Runs clang; resolves with its stderr, rejects when it fails. */
export function clang(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn("clang", args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve(err) : reject(new Error(`clang ${args.join(" ")} failed:\n${err.slice(0, 4000)}`))));
  });
}

/** A record's layout as text: kind, size, and each member's name, bit offset and bitfield width. */
export function layout(btf: Btf, id: number): string {
  const t = btf.type(id) as BtfComposite;
  // The dumper's pads (a union's tail, a struct's huge gap) are not in the original.
  const members = t.members.filter((m) => !m.name.startsWith("__bpfkit_pad"));
  return `${t.kind} ${t.size} {${members.map((m) => `${m.name}@${m.bitOffset}${m.bitfieldSize ? `:${m.bitfieldSize}` : ""}`).join(", ")}}`;
}

/**
 * The strongest check a C header can get: clang compiles a struct holding one of every record
 * the header defines, and the BTF clang writes for them must match `reference` record by record
 * (size, member offsets, bitfields). Work is split across parallel clang runs. Returns the
 * mismatches (empty when all agree) and how many records were checked.
 */
export async function checkLayouts(reference: Btf, header: string, dir: string, chunks = 8): Promise<{ checked: number; mismatches: string[] }> {
  const headerPath = join(dir, "layout-check.h");
  writeFileSync(headerPath, header);
  const records = [...header.matchAll(/^(struct|union) (\w+) \{/gm)].map((m) => `${m[1]} ${m[2]}`);
  const per = Math.ceil(records.length / chunks);
  const jobs: (() => Promise<string>)[] = [];
  const objects: string[] = [];
  for (let c = 0; c * per < records.length; c++) {
    const fields = records.slice(c * per, (c + 1) * per).map((r, i) => `\t${r} m${i};\n`);
    const src = join(dir, `layout-${c}.c`);
    const obj = join(dir, `layout-${c}.o`);
    writeFileSync(src, `#include "layout-check.h"\nstruct bpfkit_layout_${c} {\n${fields.join("")}} bpfkit_layout_${c};\n`);
    objects.push(obj);
    jobs.push(() => clang(["-g", "-O0", "-target", "bpf", "-c", src, "-o", obj]));
  }
  await pool(jobs, availableParallelism());
  const checked = new Set<string>();
  const mismatches: string[] = [];
  for (const obj of objects) {
    const ours = Btf.parse(objectSections(obj).btf);
    for (const id of ours.ids()) {
      const k = ours.type(id).kind;
      const name = ours.nameOf(id);
      if ((k !== "STRUCT" && k !== "UNION") || !name || name.startsWith("bpfkit_layout_")) continue;
      const mine = layout(ours, id);
      // Renamed duplicates (`name___2`) must match one of the reference's records of that name.
      const theirs = reference.findAll(name.replace(/___\d+$/, ""), k).map((r) => layout(reference, r));
      if (checked.has(name)) continue; // each chunk's BTF repeats the records the others embed
      checked.add(name);
      if (!theirs.includes(mine)) mismatches.push(`${name}: clang ${mine}\n  BTF ${theirs.join("\n  BTF ")}`);
    }
  }
  return { checked: checked.size, mismatches };
}

async function pool(jobs: readonly (() => Promise<unknown>)[], width: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
}

export const readText = (p: string): string => readFileSync(p, "utf8");
