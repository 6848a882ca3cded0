// The object spec: what a BPF object file says, parsed without FFI or files.

export type { BtfMapDef, MapSlotInit } from "./btf-maps.ts";
export { Pinning, parseBtfMaps, takesBtfKeyValue } from "./btf-maps.ts";
export type { Value } from "./codec.ts";
export { decodeValue, encodeValue } from "./codec.ts";
export type { CoreTargets } from "./core-relo.ts";
// What a runtime (@bpfkit/struct-ops) does with a spec before the kernel sees it: pure steps that
// take kernel facts (its BTF, its BTF features) as values.
export { applyCoreRelos, CoreRelocationError, POISON_HELPER } from "./core-relo.ts";
export type { DatasecResize } from "./datasec-resize.ts";
export { ObjectBtf, resizeDatasec } from "./datasec-resize.ts";
export { ObjectError } from "./error.ts";
export type { ObjectErrorCode } from "./error.ts";
export type { KernelConfigErrorCode } from "./kconfig.ts";
export type { Extern } from "./externs.ts";
export { collectExterns, kernelLookupName, libbpfExternIndex } from "./externs.ts";
export { INSN_SIZE, Insns } from "./insn.ts";
export type { KconfigExtern, KconfigExtras, KconfigLayout, KconfigShape, KconfigValue, KernelConfig, WeakExterns } from "./kconfig.ts";
export { KconfigError, KernelConfigError, kconfigData, kconfigLayout, kernelVersionCode, kernelVersionFrom, parseKernelConfig } from "./kconfig.ts";
export { prototypeMismatch } from "./kfunc.ts";
export type { LinkContext, LinkedProgram, MapFdHolder, ProgramCode, Subprog } from "./linker.ts";
export { linkProgram } from "./linker.ts";
export type { MapSpec } from "./map-spec.ts";
export { kernelReadyBtf, sanitizeBtf, withDummyKsym } from "./object-btf.ts";
export type { SectionDef, SectionTarget } from "./section-def.ts";
export { knownSectionPrefixes, optionalSection, SECTION_DEFS, sectionDef, sectionMatches, sectionTarget } from "./section-def.ts";
export type { BtfMapEntry, DataSectionSpec, ParseOptions, ProgramSpec, StructOpsMember, StructOpsSpec, Variable } from "./spec.ts";
export { dataMapName, ObjectSpec } from "./spec.ts";
export { AttachType, enumName, LinkType, LinkUpdateFlags, MapFlags, MapType, OBJ_NAME_LEN, ProgFlags, ProgType, UpdateFlags } from "./uapi.ts";
export { datasecIsMmapable, effectiveLinkage } from "./var-linkage.ts";
