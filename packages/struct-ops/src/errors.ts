export { ObjectError } from "@bpfkit/object";

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
