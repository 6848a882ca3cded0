export { describeKernel, kernelUnavailable } from "./kernel.ts";
export { kernelHas, openFdCount, waitGone } from "./leaks.ts";
