/** Decoded BTF types: plain objects, made on demand by Btf.type(id). */

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** Offset from the start of the struct, in bits. */
  readonly bitOffset: number;
  /** Bitfield width in bits; 0 for a regular member. */
  readonly bitfieldSize: number;
}

export interface BtfEnumValue {
  readonly name: string;
  readonly value: number;
}

export interface BtfEnum64Value {
  readonly name: string;
  readonly value: bigint;
}

export interface BtfParam {
  readonly name: string;
  readonly type: number;
}

export interface BtfVarSecinfo {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

interface Base {
  readonly id: number;
  readonly name: string;
}

export interface BtfVoid extends Base { readonly kind: "VOID" }
export interface BtfInt extends Base {
  readonly kind: "INT";
  readonly size: number;
  /** IntEncoding bits: SIGNED, CHAR, BOOL. */
  readonly encoding: number;
  readonly bitOffset: number;
  readonly bits: number;
}
export interface BtfPtr extends Base { readonly kind: "PTR"; readonly type: number }
export interface BtfArray extends Base {
  readonly kind: "ARRAY";
  readonly elemType: number;
  readonly indexType: number;
  readonly nelems: number;
}
export interface BtfComposite extends Base {
  readonly kind: "STRUCT" | "UNION";
  readonly size: number;
  readonly members: readonly BtfMember[];
}
export interface BtfEnum extends Base {
  readonly kind: "ENUM";
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnumValue[];
}
export interface BtfEnum64 extends Base {
  readonly kind: "ENUM64";
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnum64Value[];
}
export interface BtfFwd extends Base { readonly kind: "FWD"; readonly union: boolean }
export interface BtfRef extends Base {
  readonly kind: "TYPEDEF" | "VOLATILE" | "CONST" | "RESTRICT" | "TYPE_TAG";
  readonly type: number;
}
export interface BtfFunc extends Base {
  readonly kind: "FUNC";
  /** The FUNC_PROTO. */
  readonly type: number;
  /** FuncLinkage. */
  readonly linkage: number;
}
export interface BtfFuncProto extends Base {
  readonly kind: "FUNC_PROTO";
  readonly returnType: number;
  readonly params: readonly BtfParam[];
}
export interface BtfVar extends Base {
  readonly kind: "VAR";
  readonly type: number;
  /** VarLinkage. */
  readonly linkage: number;
}
export interface BtfDatasec extends Base {
  readonly kind: "DATASEC";
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}
export interface BtfFloat extends Base { readonly kind: "FLOAT"; readonly size: number }
export interface BtfDeclTag extends Base {
  readonly kind: "DECL_TAG";
  readonly type: number;
  /** -1 for the type itself, else the member or parameter index. */
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfPtr
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfEnum64
  | BtfFwd
  | BtfRef
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;
