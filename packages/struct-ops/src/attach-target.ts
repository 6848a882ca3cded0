import type { Btf } from "@bpfkit/btf";
import type { ModuleBtf } from "@bpfkit/kernel";
import { type SectionDef, type SectionTarget, sectionTarget } from "@bpfkit/object";
import { AttachType } from "@bpfkit/syscall";
import { ObjectError } from "./errors.ts";

/** The BTF a target may live in. Passed in, so resolution stays pure and testable. */
export interface AttachBtfs {
  /** The running kernel's BTF (kernelBtf()). */
  readonly vmlinux: Btf;
  /** Loaded modules' BTF (moduleBtfs()), searched after vmlinux. */
  readonly modules?: readonly ModuleBtf[];
  /** freplace only: the BTF of the program being replaced. */
  readonly program?: Btf;
}

/** Who asks, for error messages; and an explicit target overriding the section's. */
export interface AttachTargetRequest {
  readonly object: string;
  readonly program: string;
  /** Like bpf_program__set_attach_target(): used instead of the text after "prefix/". */
  readonly target?: string;
}

export type TargetKind = "FUNC" | "TYPEDEF";

/** Where a program attaches, as PROG_LOAD wants it. */
export interface ResolvedAttachTarget {
  /** BTF type id (0 for multi-function tracing, which names only the module). */
  readonly attachBtfId: number;
  /** The module whose BTF holds the id; absent for vmlinux (or the freplace target program). */
  readonly module?: string;
  /** The BTF type that was looked up, e.g. { name: "bpf_lsm_file_open", kind: "FUNC" }. */
  readonly lookedUp?: { readonly name: string; readonly kind: TargetKind };
}

/** How each BTF target kind is spelled in the kernel's BTF (libbpf: btf_get_kernel_prefix_kind). */
const LOOKUP: Partial<Record<SectionTarget, { readonly prefix: string; readonly kind: TargetKind; readonly hint: string }>> = {
  "kernel-func": {
    prefix: "",
    kind: "FUNC",
    hint: "the function must exist in this kernel's BTF and not be inlined; for a module's function load the module, or write <module>:<function>",
  },
  tracepoint: {
    prefix: "btf_trace_",
    kind: "TYPEDEF",
    hint: "tp_btf takes a raw tracepoint name (tp_btf/sched_switch); the kernel declares btf_trace_<name> for each",
  },
  "lsm-hook": {
    prefix: "bpf_lsm_",
    kind: "FUNC",
    hint: "lsm takes an LSM hook name (lsm/file_open); the kernel needs CONFIG_BPF_LSM, which defines bpf_lsm_<hook>",
  },
  iterator: {
    prefix: "bpf_iter_",
    kind: "FUNC",
    hint: "iter takes an iterator name (iter/task, iter/bpf_map); the kernel defines bpf_iter_<name> for each",
  },
  program: {
    prefix: "",
    kind: "FUNC",
    hint: "freplace replaces a global function of a loaded program: give that program, and name one of its functions",
  },
};

const MULTI: ReadonlySet<number> = new Set([AttachType.TRACE_FENTRY_MULTI, AttachType.TRACE_FEXIT_MULTI, AttachType.TRACE_FSESSION_MULTI]);

/** An attach target named by a section (or set explicitly) that the kernel's BTF does not have. */
export class AttachTargetError extends ObjectError {
  override readonly name: string = "AttachTargetError";
  readonly program: string;
  /** The target as written ("file_open", "nf_conntrack:nf_confirm"); "" when none was given. */
  readonly target: string;
  /** The BTF type looked for, when it got that far. */
  readonly lookedUp: { readonly name: string; readonly kind: TargetKind } | undefined;
  /** The BTF objects searched, in order: "vmlinux", module names, "target program". */
  readonly searched: readonly string[];
  readonly hint: string;

  constructor(
    req: AttachTargetRequest,
    section: string,
    o: { target: string; message: string; hint: string; lookedUp?: { name: string; kind: TargetKind }; searched?: readonly string[] },
  ) {
    super(req.object, `${o.message}; ${o.hint}`, { section, subject: `program "${req.program}"`, code: "attach-target" });
    this.program = req.program;
    this.target = o.target;
    this.lookedUp = o.lookedUp;
    this.searched = o.searched ?? [];
    this.hint = o.hint;
  }
}

/** Ids of `name` of `kind` defined by this BTF itself (split BTF: not its base's). */
function ownId(btf: Btf, name: string, kind: TargetKind): number | undefined {
  return btf.findAll(name, kind).find((id) => id >= btf.firstId);
}

/**
 * The BTF type id PROG_LOAD needs as attach_btf_id for this program, found the way libbpf does:
 * "<prefix><target>" of the kind the section implies, in vmlinux first, then in each module's
 * BTF; "<module>:<target>" searches only that module ("vmlinux:<target>" only vmlinux).
 * Returns undefined for sections that attach without a BTF id. Throws AttachTargetError when
 * the target is missing, empty or not found.
 */
export function resolveAttachTarget(def: SectionDef, sectionName: string, btfs: AttachBtfs, req: AttachTargetRequest): ResolvedAttachTarget | undefined {
  const written = req.target ?? sectionTarget(def, sectionName);
  if (MULTI.has(def.expectedAttachType)) return multiModule(written, sectionName, btfs, req);
  const how = def.btfTarget ? LOOKUP[def.target] : undefined;
  if (!how) return undefined;
  if (!written) {
    throw new AttachTargetError(req, sectionName, {
      target: "",
      message: `${def.prefix} needs an attach target, and the section names none`,
      hint: `write SEC("${def.prefix}/<name>") or set the program's attach target before load`,
    });
  }

  if (def.target === "program") {
    const lookedUp = { name: written, kind: how.kind };
    const id = btfs.program ? btfs.program.find(written, how.kind) : undefined;
    if (id === undefined) {
      throw new AttachTargetError(req, sectionName, {
        target: written,
        lookedUp,
        searched: btfs.program ? ["target program"] : [],
        message: btfs.program
          ? `freplace target: no ${how.kind} "${written}" in the target program's BTF`
          : `freplace target "${written}" needs the program it replaces, and none was given`,
        hint: how.hint,
      });
    }
    return { attachBtfId: id, lookedUp };
  }

  // "module:name" — libbpf splits at the first ':'.
  const colon = written.indexOf(":");
  const module = colon >= 0 ? written.slice(0, colon) : undefined;
  const bare = colon >= 0 ? written.slice(colon + 1) : written;
  const lookedUp = { name: `${how.prefix}${bare}`, kind: how.kind };
  const modules = btfs.modules ?? [];
  const searched: string[] = [];

  if (module === undefined || module === "vmlinux") {
    searched.push("vmlinux");
    const id = btfs.vmlinux.find(lookedUp.name, how.kind);
    if (id !== undefined) return { attachBtfId: id, lookedUp };
  }
  if (module !== "vmlinux") {
    const candidates = module === undefined ? modules : modules.filter((m) => m.name === module);
    if (module !== undefined && candidates.length === 0) {
      throw new AttachTargetError(req, sectionName, {
        target: written,
        lookedUp,
        message: `attach target "${written}": module "${module}" has no BTF loaded (loaded: ${modules.map((m) => m.name).join(", ") || "none"})`,
        hint: `load the module first, or drop "${module}:" to search vmlinux and every module`,
      });
    }
    for (const m of candidates) {
      searched.push(m.name);
      // Only the module's own types: an id from its base would tell the kernel to look in the module.
      const id = ownId(m.btf, lookedUp.name, how.kind);
      if (id !== undefined) return { attachBtfId: id, module: m.name, lookedUp };
    }
  }
  const where = module === undefined && modules.length === 0 ? "vmlinux BTF (no module BTF loaded)" : `BTF of ${searched.join(", ")}`;
  throw new AttachTargetError(req, sectionName, {
    target: written,
    lookedUp,
    searched,
    message: `attach target "${written}" not found: no ${how.kind} "${lookedUp.name}" in ${where}`,
    hint: how.hint,
  });
}

/** fentry.multi and friends: the pattern is matched at attach; a "module:" part selects the BTF object at load. */
function multiModule(written: string | undefined, sectionName: string, btfs: AttachBtfs, req: AttachTargetRequest): ResolvedAttachTarget | undefined {
  const colon = written?.indexOf(":") ?? -1;
  if (!written || colon < 0) return undefined;
  const module = written.slice(0, colon);
  const found = (btfs.modules ?? []).find((m) => m.name === module);
  if (!found) {
    throw new AttachTargetError(req, sectionName, {
      target: written,
      message: `attach pattern "${written}": module "${module}" has no BTF loaded`,
      hint: `load the module first, or drop "${module}:" to match vmlinux functions`,
    });
  }
  return { attachBtfId: 0, module };
}
