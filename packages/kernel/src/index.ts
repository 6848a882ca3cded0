export { BtfObjects, kernelBtf, moduleBtfs, openModuleBtf, setKernelBtf, setModuleBtfs, withModuleSnapshot } from "./btf.ts";
export type { ModuleBtf } from "./btf.ts";
export { btfFeatures } from "./btf-features.ts";
export { hasBpfCookie, hasSyscallWrapper } from "./kconfig-probes.ts";
export { kallsymsEntry, kallsymsHas } from "./kallsyms.ts";
export type { KallsymsEntry } from "./kallsyms.ts";
export { possibleCpus } from "./cpus.ts";
export { pageSize } from "./page-size.ts";
export { readWholeFile } from "./read-file.ts";
// The one feature mechanism (defined in @bpfkit/syscall, whose commands probe too).
export { feature, features, overrideFeature, resetProbes } from "@bpfkit/syscall";
export type { Feature } from "@bpfkit/syscall";
