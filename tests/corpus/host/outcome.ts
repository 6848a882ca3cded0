/**
 * One vocabulary for what happened to an object under either loader, so that libbpf's JSON and
 * bpfkit's exceptions compare as short strings ("refused at load: prog x (EINVAL): <kernel line>").
 */
import { BpfError, errnoName } from "@bpfkit/syscall";
import { kernelReason } from "./kernel-view.ts";
import type { LibbpfResult } from "./libbpf.ts";

export type LoadOutcome =
  | { readonly kind: "loaded" }
  /** The kernel refused something (a program: with the verifier's reason). */
  | { readonly kind: "kernel"; readonly stage: string; readonly errno: string; readonly program?: string; readonly reason?: string; readonly text: string }
  /** The loader refused before asking the kernel (a check of its own, or a type the kernel lacks). */
  | { readonly kind: "loader"; readonly stage: string; readonly text: string };

const BEGIN = "-- BEGIN PROG LOAD LOG --";
const END = "-- END PROG LOAD LOG --";

/** The verifier's log inside libbpf's captured output. */
function verifierLog(log: string): string | undefined {
  const a = log.indexOf(BEGIN);
  if (a < 0) return undefined;
  const b = log.indexOf(END, a);
  return log.slice(a + BEGIN.length, b < 0 ? undefined : b);
}

export function libbpfOutcome(r: LibbpfResult): LoadOutcome {
  if (r.ok) return { kind: "loaded" };
  const program = /prog '([^']+)': BPF program load failed/.exec(r.log)?.[1];
  if (program) {
    const reason = kernelReason(verifierLog(r.log));
    return { kind: "kernel", stage: r.stage, errno: errnoName(r.errno), program, ...(reason ? { reason } : {}), text: r.log };
  }
  // A kernel call libbpf reports without a verifier log (map, BTF creation).
  if (/failed to (create|load BTF)|Error loading/.test(r.log)) return { kind: "kernel", stage: r.stage, errno: errnoName(r.errno), text: r.log };
  return { kind: "loader", stage: r.stage, text: `${r.error}\n${r.log}` };
}

export function bpfkitOutcome(stage: string, e: unknown): LoadOutcome {
  if (e instanceof BpfError) {
    const program = /\(program "([^"]+)"\)/.exec(e.message)?.[1];
    const reason = e.commandName === "BPF_PROG_LOAD" ? kernelReason(e.log) : undefined;
    return { kind: "kernel", stage, errno: e.code, ...(program ? { program } : {}), ...(reason ? { reason } : {}), text: e.message };
  }
  return { kind: "loader", stage, text: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}

/**
 * The short form. A loader-side refusal is named by `subject` (the expectation's text) when the
 * loader's message contains it, so two loaders' different wordings of one refusal compare equal;
 * `note` (the expectation's few words of why) follows it.
 */
export function describe(o: LoadOutcome, subject?: string, note?: string): string {
  if (o.kind === "loaded") return "loaded";
  if (o.kind === "kernel") {
    if (o.reason) return `refused at ${o.stage}: prog ${o.program} (${o.errno}): ${o.reason}`;
    return `refused at ${o.stage}: ${o.errno}`;
  }
  if (subject && o.text.includes(subject)) return `refused at ${o.stage} by the loader: ${subject}${note ? ` (${note})` : ""}`;
  return `refused at ${o.stage} by the loader: ${o.text.split("\n")[0]}`;
}
