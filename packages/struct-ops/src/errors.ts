/** A problem with the object itself (its ELF, sections, symbols or relocations), before the kernel sees it. */
export class ObjectError extends Error {
  override readonly name: string = "ObjectError";
  /** The object's name (file name without .o). */
  readonly object: string;
  /** ELF section the problem is in, when known. */
  readonly section: string | undefined;
  /** Program or map name, when known. */
  readonly subject: string | undefined;
  /** A short id for the problems code may want to tell apart, e.g. "arena-unsupported", "max-entries-zero". */
  readonly code: string | undefined;

  constructor(object: string, message: string, where: { section?: string; subject?: string; code?: string; cause?: unknown } = {}) {
    const at = [where.section && `section ${where.section}`, where.subject].filter(Boolean).join(", ");
    super(`${object}: ${at ? `${at}: ` : ""}${message}`, where.cause === undefined ? undefined : { cause: where.cause });
    this.object = object;
    this.section = where.section;
    this.subject = where.subject;
    this.code = where.code;
  }
}

/** A struct_ops variable that cannot be matched to, or loaded into, the kernel's struct_ops type. */
export class StructOpsError extends Error {
  override readonly name: string = "StructOpsError";
  /** The struct_ops map (variable) name; "" when the rule is about a program no map uses. */
  readonly map: string;
  /** The member involved, when the rule is about one. */
  readonly member: string | undefined;
  /** The kernel type, e.g. "tcp_congestion_ops". */
  readonly kernelType: string | undefined;
  /** Short id of the rule that refused it, e.g. "missing-member-nonzero". */
  readonly rule: string;

  constructor(map: string, rule: string, message: string, where: { member?: string; kernelType?: string } = {}) {
    const parts = [map ? `struct_ops map "${map}"` : "struct_ops"];
    if (where.kernelType) parts.push(`(kernel type ${where.kernelType})`);
    if (where.member) parts.push(`member "${where.member}"`);
    super(`${parts.join(" ")}: ${message}`);
    this.map = map;
    this.member = where.member;
    this.kernelType = where.kernelType;
    this.rule = rule;
  }
}

/** An operation that needs a state the object or map is not in (e.g. reading a program fd before load). */
export class StateError extends Error {
  override readonly name: string = "StateError";
}
