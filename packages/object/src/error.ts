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
