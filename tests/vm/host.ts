// Host prerequisites: the tools the harness needs, installed with apt-get when
// missing and we are root (a fresh machine has none of them), and the choice
// between hardware KVM and TCG emulation.
import { accessSync, constants, existsSync } from "node:fs";
import { isRoot, log, run, which } from "./exec.ts";

export interface HostTools {
  qemu: string;
  busybox: string;
}

export type HostCheck = { ok: true; tools: HostTools } | { ok: false; reason: string };

// Any busybox works: a dynamically linked one gets its libraries copied along.
const TOOLS = [
  { bin: "qemu-system-x86_64", pkg: "qemu-system-x86" },
  { bin: "busybox", pkg: "busybox-static" },
  // Debian compresses kernel modules with xz; modules.ts decompresses the guest's here.
  { bin: "xz", pkg: "xz-utils" },
] as const;

export function ensureHostTools(): HostCheck {
  let missing = TOOLS.filter((t) => !which(t.bin));
  if (missing.length > 0) {
    const pkgs = missing.map((t) => t.pkg);
    if (!isRoot()) {
      return { ok: false, reason: `${missing.map((t) => t.bin).join(", ")} not found and not root to apt-get install ${pkgs.join(" ")}` };
    }
    if (!which("apt-get")) {
      return { ok: false, reason: `${missing.map((t) => t.bin).join(", ")} not found and no apt-get to install ${pkgs.join(" ")}` };
    }
    const err = aptInstall(pkgs);
    missing = TOOLS.filter((t) => !which(t.bin));
    if (missing.length > 0) {
      return { ok: false, reason: `apt-get install ${pkgs.join(" ")} failed: ${err ?? "tools still missing"}` };
    }
  }
  const qemu = which("qemu-system-x86_64")!;
  const version = run([qemu, "--version"]);
  if (version.status !== 0) {
    return { ok: false, reason: `${qemu} does not run: ${(version.stderr || version.stdout).trim().split("\n")[0]}` };
  }
  return { ok: true, tools: { qemu, busybox: which("busybox")! } };
}

/** Returns an error message, or null when the install went through. */
function aptInstall(pkgs: string[]): string | null {
  log(`installing ${pkgs.join(" ")} with apt-get`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", ...pkgs];
  if (run(install, { env }).status === 0) return null;
  // A fresh machine's package lists may be stale or absent: refresh once and retry.
  const update = run(["apt-get", "update", "-q"], { env });
  if (update.status !== 0) return `apt-get update: ${lastLine(update.stderr)}`;
  const retry = run(install, { env });
  return retry.status === 0 ? null : lastLine(retry.stderr || retry.stdout);
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

export type Accel = "kvm" | "tcg";

/**
 * KVM only when the hardware kind is loaded: some hosts expose a paravirtual
 * /dev/kvm (kvm_pvm) that cannot run an unmodified kernel, so /dev/kvm alone
 * proves nothing. BPFKIT_VM_ACCEL=kvm|tcg overrides the guess.
 */
export function chooseAccel(): { accel: Accel; why: string } {
  const forced = process.env.BPFKIT_VM_ACCEL;
  if (forced === "kvm" || forced === "tcg") return { accel: forced, why: "BPFKIT_VM_ACCEL" };
  if (forced) throw new Error(`BPFKIT_VM_ACCEL must be kvm or tcg, not ${JSON.stringify(forced)}`);
  const hw = ["kvm_intel", "kvm_amd"].find((m) => existsSync(`/sys/module/${m}`));
  if (!hw) return { accel: "tcg", why: "no kvm_intel/kvm_amd module loaded" };
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    return { accel: "tcg", why: `${hw} loaded but /dev/kvm is not accessible` };
  }
  return { accel: "kvm", why: `${hw} loaded` };
}
