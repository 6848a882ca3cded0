import { BtfError } from "../error.ts";
import { coreKindName } from "./kind.ts";

/**
 * Why a CO-RE relocation cannot be resolved:
 * - `record`: the record itself is corrupt (unknown kind, bad access string, type id out of
 *   range, an access string that does not fit the type);
 * - `anonymous`: the root type has no name, so no target can be searched for it;
 * - `ambiguous`: target candidates disagree on the result;
 * - `unsupported`: the relocation cannot be expressed (a bitfield no 64-bit load covers, a field
 *   relocation other than offset/size on an array element);
 * - `btf`: local or target BTF is malformed where the relocation looks (see `cause`).
 */
export type CoreErrorCode = "record" | "anonymous" | "ambiguous" | "unsupported" | "btf";

/** The relocation a CoreError is about. */
export interface CoreReloRef {
  readonly typeId: number;
  readonly accessStr: string;
  readonly kind: number;
}

/** A CO-RE relocation that cannot be resolved. Says which type, access string and kind. */
export class CoreError extends BtfError {
  override readonly name: string = "CoreError";
  override readonly code: CoreErrorCode;
  /** The problem alone, without the relocation it is about (for callers that describe that themselves). */
  readonly reason: string;
  readonly accessStr: string;
  readonly kind: number;

  constructor(code: CoreErrorCode, message: string, relo: CoreReloRef, options?: { cause?: unknown }) {
    super(`CO-RE ${coreKindName(relo.kind)} relocation of type [${relo.typeId}] "${relo.accessStr}": ${message}`, { typeId: relo.typeId, code });
    this.code = code;
    this.reason = message;
    this.accessStr = relo.accessStr;
    this.kind = relo.kind;
    if (options && "cause" in options) Object.defineProperty(this, "cause", { value: options.cause, enumerable: false });
  }
}
