// A private apt state for Debian sid: its own sources list, lists and cache under one folder,
// so the host's apt setup is never touched. The VM tier fetches its kernel through it and the
// corpus tier (tests/corpus/) its kernel sources, sharing one state and one refresh stamp.
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./exec.ts";

export const MIRROR: string = process.env.BPFKIT_VM_DEBIAN_MIRROR ?? "http://deb.debian.org/debian";
const KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
/** Re-resolve against sid at most this often; a cached run needs no network. */
export const REFRESH_MS: number = 24 * 3600 * 1000;

/** apt-get/apt-cache pointed at private state, cache and sources under `root`. */
export class PrivateApt {
  readonly #root: string;
  readonly #stamp: string;

  constructor(root: string) {
    this.#root = root;
    this.#stamp = join(root, "updated");
    for (const d of ["state/lists/partial", "cache/archives/partial", "preferences.d"]) {
      mkdirSync(join(root, d), { recursive: true });
    }
    writeFileSync(join(root, "sources.list"), `deb [arch=amd64 signed-by=${KEYRING}] ${MIRROR} sid main\n`);
    if (!existsSync(join(root, "status"))) writeFileSync(join(root, "status"), "");
  }

  #options(): string[] {
    const r = this.#root;
    const opts = {
      "Dir::State": `${r}/state`,
      "Dir::State::status": `${r}/status`,
      "Dir::Cache": `${r}/cache`,
      "Dir::Etc::sourcelist": `${r}/sources.list`,
      "Dir::Etc::sourceparts": "-",
      "Dir::Etc::preferences": `${r}/preferences`,
      "Dir::Etc::preferencesparts": `${r}/preferences.d`,
      "Acquire::Languages": "none",
      // As root apt drops to _apt for downloads, which cannot write our folders.
      ...(process.getuid?.() === 0 ? { "APT::Sandbox::User": "root" } : {}),
    };
    return Object.entries(opts).flatMap(([k, v]) => ["-o", `${k}=${v}`]);
  }

  /** Runs apt-get/apt-cache with our options; errors name the verb, not the dozen -o flags. */
  #run([tool, ...args]: string[], cwd?: string): string {
    const res = run([tool!, ...this.#options(), ...args], { cwd });
    if (res.status === 0) return res.stdout;
    const tail = (res.stderr || res.stdout).trim().split("\n").slice(-6).join("\n");
    throw new Error(`${tool} ${args.join(" ")} (private apt state in ${this.#root}) failed with exit ${res.status}:\n${tail}`);
  }

  update(): void {
    // Without --error-on=any a mirror that cannot be reached is only a warning (exit 0).
    this.#run(["apt-get", "-q", "--error-on=any", "update"]);
  }

  touch(): void {
    writeFileSync(this.#stamp, `${new Date().toISOString()}\n`);
  }

  listsAgeMs(): number {
    try {
      return Date.now() - statSync(this.#stamp).mtimeMs;
    } catch {
      return Number.POSITIVE_INFINITY;
    }
  }

  pkgnames(prefix: string): string[] {
    return this.#run(["apt-cache", "pkgnames", prefix]).split("\n").filter(Boolean);
  }

  /** The version apt would download, or null for a purely virtual name. */
  version(pkg: string): string | null {
    const res = run(["apt-cache", ...this.#options(), "show", "--no-all-versions", pkg]);
    if (res.status !== 0) return null;
    return /^Version: (\S+)$/m.exec(res.stdout)?.[1] ?? null;
  }

  download(pkg: string, dir: string): void {
    this.#run(["apt-get", "-q", "download", pkg], dir);
  }
}

export function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
