import type { CoreErrorCode } from "./core/error.ts";

/**
 * What kind of problem a {@link BtfError} reports, so callers branch without parsing messages:
 * - `truncated`: a header, section or record runs past the end of the data;
 * - `bad-magic`: the bytes are not BTF (or .BTF.ext) at all, or of the other byte order;
 * - `malformed`: fields disagree (a header length out of range, a string offset outside the
 *   string table, a record size too small);
 * - `unsupported`: valid BTF this reader does not handle (an unknown kind or version, split BTF
 *   where only base BTF works);
 * - `bad-type-id`: a type id (given, or referenced by a type) that does not exist;
 * - `wrong-kind`: a type of another kind than the operation needs (a struct was expected);
 * - `cycle`: a reference chain or nesting too deep to be anything but a cycle;
 * - `too-large`: a rendering (C, TypeScript) that would grow out of proportion to the BTF;
 * - `no-layout`: a type with no size or alignment where one is needed;
 * - `out-of-range`: a value that does not fit its BTF field (the writer);
 * - `bad-argument`: a caller's argument the operation cannot take (an unknown kind name, a
 *   member index past the end);
 * - `not-found`: a kernel BTF object that is not there (vmlinux, a module);
 * - CO-RE codes, carried only by {@link CoreError}: see {@link CoreErrorCode}.
 */
export type BtfErrorCode =
  | "truncated"
  | "bad-magic"
  | "malformed"
  | "unsupported"
  | "bad-type-id"
  | "wrong-kind"
  | "cycle"
  | "too-large"
  | "no-layout"
  | "out-of-range"
  | "bad-argument"
  | "not-found"
  | CoreErrorCode;

/** Malformed or unexpected BTF. Says which type and where. */
export class BtfError extends Error {
  override readonly name: string = "BtfError";
  /** What kind of problem it is; see {@link BtfErrorCode}. */
  readonly code: BtfErrorCode;
  /** The type the problem is in, when known. */
  readonly typeId: number | undefined;
  /** Byte offset into the BTF blob (or .BTF.ext), when known. */
  readonly offset: number | undefined;

  constructor(message: string, where: { typeId?: number; offset?: number; code?: BtfErrorCode } = {}) {
    const at: string[] = [];
    if (where.typeId !== undefined) at.push(`type [${where.typeId}]`);
    if (where.offset !== undefined) at.push(`offset 0x${where.offset.toString(16)}`);
    super(at.length ? `${message} (at ${at.join(", ")})` : message);
    this.code = where.code ?? "malformed";
    this.typeId = where.typeId;
    this.offset = where.offset;
  }
}
