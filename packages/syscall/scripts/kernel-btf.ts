// The BTF of the 7.x guest kernel, the source of src/gen/attr-layout.ts. The VM tier caches that
// kernel as a bzImage (tests/vm/.cache/kernel/<release>/vmlinuz); its vmlinux ELF, and in it
// the .BTF section, is the compressed payload the boot header points at. The extracted .BTF is
// cached under packages/syscall/.cache/btf/, keyed by the image's sha256 (git-ignored: it is
// the kernel's, not ours).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as zlib from "node:zlib";
import { ElfFile } from "@bpfkit/elf";

const HERE = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_DIR: string = resolve(HERE, "..");
export const REPO_ROOT: string = resolve(PACKAGE_DIR, "../..");
const CACHE = join(PACKAGE_DIR, ".cache", "btf");
/** Where the VM tier keeps its guest kernel (tests/vm/kernel.ts). */
const VM_KERNEL = join(REPO_ROOT, "tests", "vm", ".cache", "kernel");

export interface KernelBtf {
  /** The .BTF section bytes. */
  readonly bytes: Uint8Array;
  /** `uname -r` of the kernel, from the image's own version string. */
  readonly release: string;
  /** sha256 of `bytes`, hex. */
  readonly sha256: string;
  /** The image it came from, relative to the repository root when inside it. */
  readonly image: string;
}

/** A kernel image (bzImage) or vmlinux ELF, and what bpfkit can learn from it without booting it. */
export class ImageError extends Error {
  override readonly name = "ImageError";
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The guest kernel image the VM tier cached, or undefined when there is none yet. Read from
 * tests/vm's current.json (what ensureKernel() last chose) without asking the network.
 */
export function cachedVmKernel(dir: string = VM_KERNEL): string | undefined {
  try {
    const saved = JSON.parse(readFileSync(join(dir, "current.json"), "utf8")) as { vmlinuz?: string };
    if (!saved.vmlinuz) return undefined;
    const path = join(dir, saved.vmlinuz);
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The guest kernel image: the VM tier's cache, or else fetched the way the VM tier does
 * (tests/vm/kernel.ts ensureKernel(), which downloads from Debian sid). That runs in a Bun
 * child process, since the VM harness is Bun-only. Throws ImageError with one line saying why
 * when it cannot be had. (The parameters are for tests.)
 */
export function guestKernelImage(dir: string = VM_KERNEL, kernel: string = join(REPO_ROOT, "tests", "vm", "kernel.ts")): string {
  const cached = cachedVmKernel(dir);
  if (cached) return cached;
  const bun = process.versions.bun ? process.execPath : join(REPO_ROOT, "node_modules", ".bin", "bun");
  const code = `const { ensureKernel } = await import(${JSON.stringify(kernel)}); console.log(JSON.stringify(ensureKernel()));`;
  const r = spawnSync(bun, ["-e", code], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 24 });
  if (r.error) throw new ImageError(`no 7.x kernel cached in tests/vm/.cache/kernel and cannot run bun to fetch one (${r.error.message})`);
  if (r.status !== 0) {
    const lines = (r.stderr || r.stdout).trim().split("\n");
    const why = lines.filter((l) => /error/i.test(l)).at(-1) ?? lines.at(-1) ?? `exit ${r.status}`;
    throw new ImageError(`no 7.x kernel cached in tests/vm/.cache/kernel and ensureKernel() failed: ${why.trim()}`);
  }
  const last = r.stdout.trim().split("\n").at(-1) ?? "";
  const vmlinuz = (JSON.parse(last) as { vmlinuz?: string }).vmlinuz;
  if (!vmlinuz || !existsSync(vmlinuz)) throw new ImageError(`ensureKernel() named no existing vmlinuz (${last})`);
  return vmlinuz;
}

/** The kernel's release from a bzImage's boot header (kernel_version points at "7.2.13+deb14-cloud-amd64 (...) #1 ..."). */
function bzImageRelease(image: Uint8Array, view: DataView): string | undefined {
  if (image.byteLength < 0x210 || view.getUint16(0x206, true) < 0x200) return undefined;
  const at = view.getUint16(0x20e, true);
  if (at === 0) return undefined;
  const start = at + 0x200;
  const end = image.indexOf(0, start);
  const text = new TextDecoder().decode(image.subarray(start, end < 0 ? start + 256 : end));
  return text.split(" ")[0] || undefined;
}

/** The compression of a payload, by its magic (the formats a kernel build can use). */
function decompress(payload: Uint8Array, what: string): Uint8Array {
  const has = (...magic: number[]) => magic.every((b, i) => payload[i] === b);
  if (has(0x28, 0xb5, 0x2f, 0xfd)) {
    // zstd (Bun and Node 22.15+ decode it in process). The build appends the uncompressed size
    // after the frame: the in-process decoder stops at the frame's end, the zstd tool does not.
    const z = zlib as unknown as { zstdDecompressSync?: (b: Uint8Array) => Uint8Array };
    if (z.zstdDecompressSync) return new Uint8Array(z.zstdDecompressSync(payload));
    return tool(["zstd", "-dcq"], payload.subarray(0, payload.byteLength - 4), what);
  }
  if (has(0x1f, 0x8b)) return new Uint8Array(zlib.gunzipSync(payload));
  if (has(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return tool(["xz", "-dcq", "--single-stream"], payload, what);
  if (has(0x02, 0x21, 0x4c, 0x18)) return tool(["lz4", "-dcq"], payload, what);
  const magic = Array.from(payload.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new ImageError(`${what}: unknown compression (payload starts ${magic}); expected zstd, gzip, xz or lz4`);
}

/** Decompresses through a command-line tool; trailing bytes after the stream are ignored by each. */
function tool(cmd: string[], input: Uint8Array, what: string): Uint8Array {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { input, maxBuffer: 1 << 30 });
  if (r.error) throw new ImageError(`${what}: cannot run ${cmd[0]} (${r.error.message}): install it (apt-get install ${cmd[0]})`);
  // Exit status 2 is a warning (trailing garbage: the appended size); the output is still whole.
  if (r.status !== 0 && !(r.status === 2 && r.stdout.byteLength > 0)) {
    throw new ImageError(`${what}: ${cmd.join(" ")} failed (exit ${r.status}): ${r.stderr.toString().trim().split("\n").at(-1)}`);
  }
  return new Uint8Array(r.stdout);
}

/** vmlinux (ELF) from a bzImage, or the bytes themselves when they already are an ELF. */
export function vmlinuxOf(image: Uint8Array, what: string): { elf: Uint8Array; release: string | undefined } {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (image[0] === 0x7f && image[1] === 0x45 && image[2] === 0x4c && image[3] === 0x46) return { elf: image, release: undefined };
  if (image.byteLength < 0x250 || view.getUint32(0x202, true) !== 0x53726448 /* "HdrS" */) {
    throw new ImageError(`${what} is neither a bzImage (no "HdrS" boot header) nor an ELF vmlinux`);
  }
  // boot protocol: the protected-mode kernel follows (setup_sects + 1) sectors; payload_offset
  // and payload_length (2.08+) locate the compressed vmlinux inside it.
  if (view.getUint16(0x206, true) < 0x208) throw new ImageError(`${what}: boot protocol older than 2.08 has no payload fields`);
  const setup = (image[0x1f1] || 4) + 1;
  const start = setup * 512 + view.getUint32(0x248, true);
  const length = view.getUint32(0x24c, true);
  if (start + length > image.byteLength) throw new ImageError(`${what}: payload ${start}+${length} runs past the file (${image.byteLength} bytes)`);
  return { elf: decompress(image.subarray(start, start + length), what), release: bzImageRelease(image, view) };
}

/**
 * Zeroes every section's sh_addr, in place. A vmlinux's sections live at high-half addresses
 * (0xffffffff81000000) that @bpfkit/elf refuses as beyond a JavaScript number's exact range;
 * reading .BTF needs only offsets and sizes.
 */
function withoutAddresses(elf: Uint8Array, what: string): Uint8Array {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (elf[4] !== 2 || elf[5] !== 1) throw new ImageError(`${what}: its vmlinux is not a little-endian ELF64`);
  const shoff = Number(v.getBigUint64(0x28, true));
  const entsize = v.getUint16(0x3a, true);
  const count = v.getUint16(0x3c, true);
  if (entsize < 0x18 || shoff + count * entsize > elf.byteLength) throw new ImageError(`${what}: its vmlinux has a broken section header table`);
  for (let i = 0; i < count; i++) v.setBigUint64(shoff + i * entsize + 0x10, 0n, true);
  return elf;
}

/** Reads the .BTF section of a kernel image or vmlinux, through the cache. */
export function btfOfImage(path: string): KernelBtf {
  const image = new Uint8Array(readFileSync(path));
  const shown = path.startsWith(`${REPO_ROOT}/`) ? relative(REPO_ROOT, path) : path;
  const key = sha256(image).slice(0, 32);
  const cached = join(CACHE, `${key}.btf`);
  const meta = join(CACHE, `${key}.json`);
  if (existsSync(cached) && existsSync(meta)) {
    const bytes = new Uint8Array(readFileSync(cached));
    const { release } = JSON.parse(readFileSync(meta, "utf8")) as { release: string };
    return { bytes, release, sha256: sha256(bytes), image: shown };
  }
  const { elf, release } = vmlinuxOf(image, shown);
  const section = ElfFile.parse(withoutAddresses(elf, shown)).section(".BTF");
  if (!section) throw new ImageError(`${shown}: its vmlinux has no .BTF section (a kernel built without CONFIG_DEBUG_INFO_BTF)`);
  const bytes = section.data.slice();
  const rel = release ?? "(unknown release)";
  mkdirSync(CACHE, { recursive: true });
  // Written under temporary names and renamed, so a parallel run never reads half a file.
  writeFileSync(`${cached}.tmp${process.pid}`, bytes);
  renameSync(`${cached}.tmp${process.pid}`, cached);
  writeFileSync(`${meta}.tmp${process.pid}`, `${JSON.stringify({ release: rel, image: shown })}\n`);
  renameSync(`${meta}.tmp${process.pid}`, meta);
  return { bytes, release: rel, sha256: sha256(bytes), image: shown };
}
