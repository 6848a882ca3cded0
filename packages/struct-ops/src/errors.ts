export { ObjectError } from "@bpfkit/object";
export type { ObjectErrorCode } from "@bpfkit/object";

/**
 * Which rule refused a struct_ops variable:
 * - `unknown-kernel-type`: the kernel (and its modules) has no struct_ops type of that name;
 * - `not-struct-ops`: the kernel type exists but is not a struct_ops value type;
 * - `no-such-member`: a member named by the caller that the local type lacks;
 * - `no-data-member`: the kernel's `bpf_struct_ops_<type>` value has no member of the ops type;
 * - `missing-member-program` / `missing-member-nonzero`: a member the kernel's type lacks,
 *   set to a program or to a non-zero value (libbpf allows only zero);
 * - `kind-mismatch` / `size-mismatch`: a member whose kind or size differs from the kernel's;
 * - `bitfield`: a bitfield member (not settable through struct_ops);
 * - `not-struct-ops-program`: a program put in a slot that is not a SEC("struct_ops") program;
 * - `program-reuse`: one program serving members of different kernel types or slots;
 * - `unreferenced-program`: a struct_ops program no loaded struct_ops map uses;
 * - `expect-old-mismatch`: Link.update({ expectOld }) when the link holds another map.
 */
export type StructOpsErrorCode =
  | "unknown-kernel-type"
  | "not-struct-ops"
  | "no-such-member"
  | "no-data-member"
  | "missing-member-program"
  | "missing-member-nonzero"
  | "kind-mismatch"
  | "size-mismatch"
  | "bitfield"
  | "not-struct-ops-program"
  | "program-reuse"
  | "unreferenced-program"
  | "expect-old-mismatch";

/** A struct_ops variable that cannot be matched to, or loaded into, the kernel's struct_ops type. */
export class StructOpsError extends Error {
  override readonly name: string = "StructOpsError";
  /** The struct_ops map (variable) name; "" when the rule is about a program no map uses. */
  readonly map: string;
  /** The member involved, when the rule is about one. */
  readonly member: string | undefined;
  /** The kernel type, e.g. "tcp_congestion_ops". */
  readonly kernelType: string | undefined;
  /** Which rule refused it, e.g. "missing-member-nonzero" (see {@link StructOpsErrorCode}). */
  readonly code: StructOpsErrorCode;

  constructor(map: string, code: StructOpsErrorCode, message: string, where: { member?: string; kernelType?: string } = {}) {
    const parts = [map ? `struct_ops map "${map}"` : "struct_ops"];
    if (where.kernelType) parts.push(`(kernel type ${where.kernelType})`);
    if (where.member) parts.push(`member "${where.member}"`);
    super(`${parts.join(" ")}: ${message}`);
    this.map = map;
    this.member = where.member;
    this.kernelType = where.kernelType;
    this.code = code;
  }

  /** @deprecated Use {@link StructOpsError.code}; `rule` is the same string and goes in the next release. */
  get rule(): StructOpsErrorCode {
    return this.code;
  }
}

/**
 * What state an operation found wrong:
 * - `not-loaded`: it needs load() first (a program's or map's fd, a struct_ops value, attach);
 * - `already-loaded`: it must come before load() (shape edits, reusePinned, a second load);
 * - `read-only`: the value cannot change now (a frozen .rodata, a struct_ops map after load);
 * - `not-settable`: the field is never the caller's to set (the .kconfig map's size, a
 *   struct_ops map's sizes, which come from the kernel's type);
 * - `not-supported`: not for this kind of thing (a legacy struct_ops registration has no link
 *   fd, a struct_ops program is associated by its map);
 * - `not-pinned`: unpin() of something not pinned;
 * - `not-found`: a name the thing does not have (`DataMap.variable`), or an element that is absent;
 * - `closed`: the object was closed.
 */
export type StateErrorCode = "not-loaded" | "already-loaded" | "read-only" | "not-settable" | "not-supported" | "not-pinned" | "not-found" | "closed";

/** An operation that needs a state the object or map is not in (e.g. reading a program fd before load). */
export class StateError extends Error {
  override readonly name: string = "StateError";
  /** What was wrong; see {@link StateErrorCode}. */
  readonly code: StateErrorCode;

  constructor(message: string, code: StateErrorCode) {
    super(message);
    this.code = code;
  }
}
