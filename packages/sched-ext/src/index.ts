export type { EnumImport } from "./enums.ts";
export { importEnums, kernelEnumerators } from "./enums.ts";
export type { SchedExtErrorCode, SchedulerExit } from "./errors.ts";
export { SchedExtError } from "./errors.ts";
export type { AttachOptions, SchedulerOptions } from "./scheduler.ts";
export { Scheduler } from "./scheduler.ts";
export { SCHED_EXT_SYSFS, SchedExtSysfs } from "./sysfs.ts";
export type { UeiLayout } from "./uei.ts";
export { exitKindName, findUei, UEI_DUMP_DEFAULT_LEN } from "./uei.ts";
