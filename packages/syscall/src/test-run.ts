import { Attr, toNative } from "./attr.ts";
import { bpfCall } from "./call.ts";
import { Cmd } from "./cmd.ts";

export interface TestRunOptions {
  readonly dataIn?: Uint8Array;
  readonly dataOut?: Uint8Array;
  readonly ctxIn?: Uint8Array;
  readonly ctxOut?: Uint8Array;
  readonly repeat?: number;
  readonly flags?: number;
  readonly cpu?: number;
}

export interface TestRunResult {
  /** The program's return value (u32). */
  readonly retval: number;
  /** Average run time in ns over `repeat` runs. */
  readonly duration: number;
  readonly dataSizeOut: number;
  readonly ctxSizeOut: number;
}

/** BPF_PROG_TEST_RUN. Output buffers are filled in place. */
export function progTestRun(progFd: number, o: TestRunOptions = {}): TestRunResult {
  const dataIn = o.dataIn ? toNative(o.dataIn) : undefined;
  const ctxIn = o.ctxIn ? toNative(o.ctxIn) : undefined;
  const dataOut = o.dataOut ? toNative(o.dataOut) : undefined;
  const ctxOut = o.ctxOut ? toNative(o.ctxOut) : undefined;
  const a = new Attr(76)
    .u32(0, progFd)
    .u32(8, dataIn?.byteLength ?? 0)
    .u32(12, dataOut?.byteLength ?? 0)
    .ptr(16, dataIn)
    .ptr(24, dataOut)
    .u32(32, o.repeat ?? 0)
    .u32(40, ctxIn?.byteLength ?? 0)
    .u32(44, ctxOut?.byteLength ?? 0)
    .ptr(48, ctxIn)
    .ptr(56, ctxOut)
    .u32(64, o.flags ?? 0)
    .u32(68, o.cpu ?? 0);
  bpfCall(Cmd.PROG_TEST_RUN, a);
  if (dataOut && o.dataOut) o.dataOut.set(dataOut);
  if (ctxOut && o.ctxOut) o.ctxOut.set(ctxOut);
  return { retval: a.getU32(4), duration: a.getU32(36), dataSizeOut: a.getU32(12), ctxSizeOut: a.getU32(44) };
}
