/**
 * The running kernel's configuration and version, read from the files a distribution provides.
 * Parsing and encoding are @bpfkit/object's (pure); this file only finds and reads the bytes.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { release } from "node:os";
import { type KernelConfig, KernelConfigError, kernelVersionFrom, parseKernelConfig } from "@bpfkit/object";

/** /proc/config.gz (the running kernel's own, CONFIG_IKCONFIG_PROC), then /boot/config-$(uname -r). */
export function kernelConfigPaths(): string[] {
  return ["/proc/config.gz", `/boot/config-${release()}`];
}

/**
 * node:zlib is loaded only for a gzipped config (/proc/config.gz): loading it costs ~15 ms under
 * Bun, which every process importing bpfkit paid when it was a static import.
 */
function gunzip(bytes: Uint8Array): Uint8Array {
  const zlib = createRequire(import.meta.url)("node:zlib") as typeof import("node:zlib");
  return new Uint8Array(zlib.gunzipSync(bytes));
}

/**
 * Reads the running kernel's configuration from the first of `paths` that exists, gunzipping it
 * when it starts with the gzip magic (libbpf's gzopen reads either form). libbpf tries /boot
 * first; /proc/config.gz comes first here because it is the running kernel's by construction.
 */
export function readKernelConfig(paths: readonly string[] = kernelConfigPaths()): KernelConfig {
  const path = paths.find((p) => existsSync(p));
  if (path === undefined) {
    throw new KernelConfigError(
      `no kernel config: none of ${paths.join(", ")} exists; build the kernel with CONFIG_IKCONFIG_PROC=y (for /proc/config.gz, or \`modprobe configs\`) or install its config as /boot/config-${release()}`,
      { paths, code: "not-found" },
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzip(bytes);
  } catch (e) {
    throw new KernelConfigError(`cannot read kernel config ${path}: ${(e as Error).message}`, { paths: [path], code: "unreadable" });
  }
  return parseKernelConfig(new TextDecoder().decode(bytes), path);
}

/** The running kernel's version code (see kernelVersionFrom); 0 when it cannot be told. */
export function runningKernelVersion(): number {
  const read = (p: string) => {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return undefined;
    }
  };
  return kernelVersionFrom({ release: release(), version: read("/proc/sys/kernel/version"), ubuntuSignature: read("/proc/version_signature") });
}

