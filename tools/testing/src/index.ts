export { trackCreated, trackCreatedAsync } from "./created.ts";
export type { CreatedIds } from "./created.ts";
export { checkFdLeaks, useBpffs } from "./hooks.ts";
export { describeKernel, kernelUnavailable } from "./kernel.ts";
export { bpfFdCount, kernelHas, openFdCount, openFds, settledFds, waitGone, warmUpRuntimeFds } from "./leaks.ts";
export { thrown } from "./thrown.ts";
export { moduleSplitBtf } from "./split-btf.ts";
