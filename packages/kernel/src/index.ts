export type { Feature } from "@bpfkit/syscall";
// The one feature mechanism (defined in @bpfkit/syscall, whose commands probe too).
export { feature, features, overrideFeature, resetProbes } from "@bpfkit/syscall";
export type { KernelBtfSource, ModuleBtf } from "./btf.ts";
export { BtfObjects, kernelBtf, kernelBtfSource, moduleBtfs, openModuleBtf, runningKernel, withModuleSnapshot } from "./btf.ts";
export { btfFeatures } from "./btf-features.ts";
export { kernelConfigPaths, readKernelConfig, runningKernelVersion } from "./config.ts";
export { possibleCpus } from "./cpus.ts";
export type { KallsymsEntry } from "./kallsyms.ts";
export { kallsymsEntry, kallsymsHas } from "./kallsyms.ts";
export { hasBpfCookie, hasSyscallWrapper } from "./kconfig-probes.ts";
export { pageSize } from "./page-size.ts";
export { readWholeFile } from "./read-file.ts";
