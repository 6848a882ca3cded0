// Writes src/gen/attr-layout.ts from the 7.x guest kernel's BTF (see layout.ts for what it holds).
//
//   bun packages/syscall/scripts/gen-attr.ts            regenerate the committed file
//   bun packages/syscall/scripts/gen-attr.ts --check    exit 1 if it differs from what the BTF gives
//   ... --image PATH                                     another kernel (bzImage or vmlinux)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Btf } from "@bpfkit/btf";
import { btfOfImage, guestKernelImage, type KernelBtf, PACKAGE_DIR, REPO_ROOT } from "./kernel-btf.ts";
import { layoutOf, renderLayout } from "./layout.ts";

/** The committed file. */
export const LAYOUT_FILE: string = join(PACKAGE_DIR, "src", "gen", "attr-layout.ts");

/** The file's text as the generator makes it from `btf`. */
export function generate(btf: KernelBtf): string {
  return renderLayout(layoutOf(Btf.parse(btf.bytes)), btf);
}

function main(): number {
  const { values } = parseArgs({ options: { check: { type: "boolean" }, image: { type: "string" } } });
  const image = values.image ? resolve(values.image) : guestKernelImage();
  const btf = btfOfImage(image);
  const text = generate(btf);
  const shown = relative(REPO_ROOT, LAYOUT_FILE);
  const current = existsSync(LAYOUT_FILE) ? readFileSync(LAYOUT_FILE, "utf8") : undefined;
  if (values.check) {
    if (current === text) {
      console.log(`${shown} matches the BTF of ${btf.release}`);
      return 0;
    }
    console.error(`${shown} differs from what the BTF of ${btf.release} (${btf.image}) gives: run bun packages/syscall/scripts/gen-attr.ts`);
    return 1;
  }
  if (current === text) {
    console.log(`${shown} is up to date (Linux ${btf.release})`);
    return 0;
  }
  writeFileSync(LAYOUT_FILE, text);
  console.log(`wrote ${shown} from the BTF of Linux ${btf.release} (${btf.image})`);
  return 0;
}

if (import.meta.main) {
  try {
    process.exitCode = main();
  } catch (e) {
    console.error(`gen-attr: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
