/**
 * What kind of problem an {@link ObjectError} reports:
 * - `invalid`: the object breaks a rule of its format or of libbpf's conventions (the message
 *   says which; the default);
 * - `not-found`: a lookup by name (`obj.program(name)`, `obj.map(name)`, ...) of something the
 *   object does not have; the message lists what it has;
 * - `arena-unsupported`: a BPF_MAP_TYPE_ARENA map or arena globals, which bpfkit cannot load yet;
 * - `max-entries-zero`: a map whose max_entries is 0 where the kernel needs a size;
 * - `pin-mismatch`: a map pinned by name whose definition differs from the object's;
 * - `pin-failed`: pinning a map by name failed;
 * - `kconfig`: a `.kconfig` extern libbpf would refuse ({@link KconfigError}; its `rule` says which);
 * - `core-relocation`: a CO-RE relocation that cannot be applied ({@link CoreRelocationError});
 * - `attach-target`: an attach target the kernel's BTF does not have (`AttachTargetError`).
 */
export type ObjectErrorCode =
  | "invalid"
  | "not-found"
  | "arena-unsupported"
  | "max-entries-zero"
  | "pin-mismatch"
  | "pin-failed"
  | "kconfig"
  | "core-relocation"
  | "attach-target";

/** A problem with the object itself (its ELF, sections, symbols or relocations), before the kernel sees it. */
export class ObjectError extends Error {
  override readonly name: string = "ObjectError";
  /** The object's name (file name without .o). */
  readonly object: string;
  /** ELF section the problem is in, when known. */
  readonly section: string | undefined;
  /** Program or map name, when known. */
  readonly subject: string | undefined;
  /** What kind of problem it is, for code that tells them apart; see {@link ObjectErrorCode}. */
  readonly code: ObjectErrorCode;

  constructor(object: string, message: string, where: { section?: string; subject?: string; code?: ObjectErrorCode; cause?: unknown } = {}) {
    const at = [where.section && `section ${where.section}`, where.subject].filter(Boolean).join(", ");
    super(`${object}: ${at ? `${at}: ` : ""}${message}`, where.cause === undefined ? undefined : { cause: where.cause });
    this.object = object;
    this.section = where.section;
    this.subject = where.subject;
    this.code = where.code ?? "invalid";
  }
}
