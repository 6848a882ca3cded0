/** The text the kernel wrote into a log buffer, up to its NUL. */
export function decodeLog(buf: Uint8Array): string {
  let end = buf.indexOf(0);
  if (end < 0) end = buf.byteLength;
  return new TextDecoder().decode(buf.subarray(0, end)).trimEnd();
}

/** Where a verifier log says a program went wrong: the last source line it annotated, and its complaint. */
export interface VerifierFailure {
  /** The verifier's complaint, e.g. "R0 invalid mem access 'map_value_or_null'". */
  readonly reason: string;
  /** The source line the failing instruction came from (needs line_info), e.g. "return *count > 10;". */
  readonly source: string | undefined;
  /** "file.bpf.c:21". */
  readonly at: string | undefined;
}

// "; <source text> @ file.c:21": how the verifier echoes line_info before the instructions of a line.
const SOURCE_LINE = /^; (.*) @ (\S+:\d+)$/;
// Statistics and state dumps the kernel appends after the complaint.
const TRAILER = /^(processed \d+ insns|verification time|stack depth|max_states_per_insn|-- END|\d+: |; |\s*$|from \d+ to \d+:)/;

/** Reads the failure out of a verifier log, or undefined when the log does not show one. */
export function verifierFailure(log: string): VerifierFailure | undefined {
  const lines = log.split("\n");
  let end = lines.length - 1;
  while (end >= 0 && TRAILER.test(lines[end]!)) end--;
  if (end < 0) return undefined;
  const reason = lines[end]!.trim();
  for (let i = end; i >= 0; i--) {
    const m = SOURCE_LINE.exec(lines[i]!);
    if (m) return { reason, source: m[1]!.trim() || undefined, at: m[2] };
  }
  return { reason, source: undefined, at: undefined };
}
