// Host facts moved to @bpfkit/kernel; re-exported so existing imports keep working.
export { BtfObjects, kernelBtf, readKernelConfig } from "@bpfkit/kernel";
export type { Extern, KconfigValue, KernelConfig, MapSpec, SectionDef, SectionTarget, StructOpsMember, Value } from "@bpfkit/object";
// The parsed object, pure: BpfObject.fromSpec / BpfObject.load take it.
export { CoreRelocationError, KconfigError, KernelConfigError, ObjectSpec, Pinning, parseKernelConfig, SECTION_DEFS, sectionDef } from "@bpfkit/object";
export type { ResolvedAttachTarget } from "./attach-target.ts";
export { AttachTargetError } from "./attach-target.ts";
export type { Variable } from "./data-map.ts";
export { DataMap } from "./data-map.ts";
export type { ObjectErrorCode, StateErrorCode, StructOpsErrorCode } from "./errors.ts";
export { ObjectError, StateError, StructOpsError } from "./errors.ts";
export type { StructOpsDump, StructOpsInfo, StructOpsMemberDump } from "./introspect.ts";
export { dumpStructOps, listStructOps, unregisterStructOps } from "./introspect.ts";
export type { KernelStructOps } from "./kernel-struct-ops.ts";
export { Link } from "./link.ts";
export type { MapKey } from "./map.ts";
export { BpfMap, openPinnedMap } from "./map.ts";
export type { LoadOptions, ObjectState, OpenOptions } from "./object.ts";
export { BpfObject } from "./object.ts";
export { type PinDir, PinDirError, type PinnedProgram, pinPrograms, preparePinDir } from "./pin.ts";
export { Program } from "./program.ts";
export { StructOpsMap } from "./struct-ops-map.ts";
