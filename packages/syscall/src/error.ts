import { CMD_SINCE, Cmd, cmdName } from "./cmd.ts";
import { errnoName } from "./errno.ts";
import { type VerifierFailure, verifierFailure } from "./log.ts";

/** A bpf() call the kernel refused. Fields, not strings to parse. */
export class BpfError extends Error {
  override readonly name: string = "BpfError";
  /** bpf_cmd number, e.g. 5 */
  readonly command: number;
  /** "BPF_PROG_LOAD" */
  readonly commandName: string;
  readonly errno: number;
  /** The errno's name, "EPERM" (an errno-named code, as Node's system errors have; see errno.ts). */
  readonly code: string;
  /** What to do about it. */
  readonly hint: string;
  /** Verifier or BTF log, when the kernel wrote one. */
  readonly log: string | undefined;
  /** For a program the verifier refused: its complaint and the source line (with line info). */
  readonly verifier: VerifierFailure | undefined;

  constructor(command: number, errno: number, opts: { context?: string; hint?: string; log?: string } = {}) {
    const code = errnoName(errno);
    const verifier = command === Cmd.PROG_LOAD && opts.log ? verifierFailure(opts.log) : undefined;
    // A program the verifier refused: its own words come first, whatever the errno (EACCES,
    // EINVAL, E2BIG...), since a generic errno hint would only mislead.
    const hint = verifier ? `the verifier rejected the program: ${verifier.reason}` : (opts.hint ?? defaultHint(command, errno));
    const what = opts.context ? `${cmdName(command)} (${opts.context})` : cmdName(command);
    let message = `${what} failed: ${code} (${errno}): ${hint}`;
    if (verifier?.at) message += `\n  at ${verifier.at}${verifier.source ? `: ${verifier.source}` : ""}`;
    if (verifier && opts.hint) message += `\n${opts.hint}`;
    if (opts.log) message += `\n--- kernel log ---\n${logTail(opts.log)}`;
    super(message);
    this.command = command;
    this.commandName = cmdName(command);
    this.errno = errno;
    this.code = code;
    this.hint = hint;
    this.log = opts.log;
    this.verifier = verifier;
  }
}

/** Lines of a kernel log kept in an error message; the whole log stays in BpfError.log. */
const LOG_TAIL_LINES = 30;

/**
 * The end of a verifier or BTF log, where the kernel says what it refused and, with line info,
 * which source line: a large program's full log runs to thousands of lines.
 */
export function logTail(log: string, lines: number = LOG_TAIL_LINES): string {
  const all = log.split("\n");
  if (all.length <= lines) return log;
  return [`... ${all.length - lines} earlier lines in BpfError.log ...`, ...all.slice(-lines)].join("\n");
}

export function defaultHint(command: number, errno: number): string {
  switch (errnoName(errno)) {
    case "EPERM":
      return "operation not permitted: run as root or grant CAP_BPF and CAP_SYS_ADMIN (CAP_NET_ADMIN for network programs); check kernel.unprivileged_bpf_disabled and the memlock rlimit";
    case "EACCES":
      return "the kernel refused access: for BPF_PROG_LOAD this is the verifier rejecting the program (see its log)";
    case "EINVAL": {
      const since = CMD_SINCE[command];
      return since
        ? `the kernel rejected the arguments; if it is older than ${since} it does not know ${cmdName(command)} at all`
        : "the kernel rejected the arguments (an unknown flag, type or size, or a field this kernel does not support)";
    }
    case "E2BIG":
      return "the kernel does not know some attribute field bpfkit set: the kernel is older than the feature used, or a value is too large";
    case "ENOTSUPP":
      return "the kernel's internal ENOTSUPP (524): this operation is not supported for this object type, program type or kernel configuration";
    case "EOPNOTSUPP":
      return "not supported by this kernel or for this object type";
    case "ENOENT":
      return "no such object (id, key, pin path or attach target)";
    case "EEXIST":
      return "it already exists (key present with BPF_NOEXIST, a name already registered, or a path already pinned)";
    case "EBUSY":
      return "the object is busy (already attached, associated or in use)";
    case "EBADF":
      return "a file descriptor passed in is not open or not a BPF object of the right kind";
    case "ENOSPC":
      return "out of space (map full, or a log buffer too small)";
    case "ENOMEM":
      return "the kernel could not allocate memory; raise RLIMIT_MEMLOCK on kernels before 5.11, or lower map sizes";
    case "EFAULT":
      return "the kernel could not read or write a buffer bpfkit passed: this is a bpfkit bug, please report it";
    case "ENOSYS":
      return "this kernel has no bpf() system call (CONFIG_BPF_SYSCALL is off)";
    default:
      return "see bpf(2)";
  }
}

/** bpf() needs an FFI: Bun or Deno. */
export class UnsupportedRuntimeError extends Error {
  override readonly name: string = "UnsupportedRuntimeError";
  /** The one thing it can mean: a discriminator like every bpfkit error's `code`. */
  readonly code = "unsupported-runtime" as const;
  constructor() {
    super(
      "bpfkit needs an FFI to make bpf() calls: run under Bun (bun:ffi), or under Deno with --allow-ffi (Deno.dlopen); this runtime offers neither, or Deno was started without the ffi permission",
    );
  }
}

/** A kernel feature this kernel lacks, found by a probe rather than by a failed call's guesswork. */
export class UnsupportedFeatureError extends Error {
  override readonly name: string = "UnsupportedFeatureError";
  readonly code = "unsupported-feature" as const;
  readonly feature: string;
  /** First kernel release with the feature, e.g. "7.0". */
  readonly minKernel: string;
  constructor(feature: string, minKernel: string, detail?: string) {
    super(`${feature} is not supported by this kernel (needs Linux ${minKernel} or newer)${detail ? `: ${detail}` : ""}`);
    this.feature = feature;
    this.minKernel = minKernel;
  }
}

/** A libc call (close, mmap, socket, ...) failed. */
export class SystemError extends Error {
  override readonly name: string = "SystemError";
  readonly call: string;
  readonly errno: number;
  readonly code: string;
  constructor(call: string, errno: number, detail?: string) {
    const code = errnoName(errno);
    super(`${call}${detail ? ` (${detail})` : ""} failed: ${code} (${errno})`);
    this.call = call;
    this.errno = errno;
    this.code = code;
  }
}

/**
 * A write or read of an attr field that does not fit it: a field whose size is not the width
 * written (a u32 into a u64 field), or one past the end of the attr's buffer. A bpfkit bug, or
 * a caller of the raw `Attr` API passing the wrong field.
 */
export class AttrError extends Error {
  override readonly name: string = "AttrError";
  /** "field-size": the field is not `width` bytes; "out-of-range": it ends past the buffer. */
  readonly code: "field-size" | "out-of-range";
  readonly offset: number;
  /** The field's size, or for a raw offset the width accessed. */
  readonly size: number;
  /** Bytes accessed: 4 for u32/i32, 8 for u64 and pointers. */
  readonly width: number;
  constructor(code: "field-size" | "out-of-range", offset: number, size: number, width: number, bufferSize: number) {
    super(
      code === "field-size"
        ? `attr field at offset ${offset} is ${size} bytes, written or read as ${width}: use the accessor of its size (src/gen/attr-layout.ts lists each field's size)`
        : `attr field at offset ${offset} (${size} bytes) ends past the ${bufferSize}-byte attr: allocate the Attr to at least ${offset + size} bytes`,
    );
    this.code = code;
    this.offset = offset;
    this.size = size;
    this.width = width;
  }
}
