// CO-RE: relocating a BPF object's field offsets, sizes, type ids and enum values to a kernel's BTF.
export { parseAccessString } from "./access.ts";
export { candidatesIn, findCandidates } from "./candidates.ts";
export type { CoreCandidate } from "./candidates.ts";
export { fieldsCompatible, kindsCompatible, typesCompatible } from "./compat.ts";
export { CoreError } from "./error.ts";
export type { CoreErrorCode, CoreReloRef } from "./error.ts";
export { coreKindClass, coreKindName } from "./kind.ts";
export type { CoreKindClass } from "./kind.ts";
export { matchSpec } from "./spec-match.ts";
export { typesMatch } from "./types-match.ts";
export { essentialName } from "./name.ts";
export { CoreResolver } from "./resolver.ts";
export type { CoreReloInput, CoreResult } from "./resolver.ts";
export { formatSpec, parseSpec } from "./spec.ts";
export type { CoreAccessor, CoreSpec } from "./spec.ts";
export { specValue } from "./value.ts";
export type { SpecValue } from "./value.ts";
