import { Attr, fieldEnd, toNative } from "./attr.ts";
import { bpfCall } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { PROG_TEST_RUN as T } from "./gen/attr-layout.ts";

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
  const a = new Attr(fieldEnd(T.cpu))
    .u32(T.prog_fd, progFd)
    .u32(T.data_size_in, dataIn?.byteLength ?? 0)
    .u32(T.data_size_out, dataOut?.byteLength ?? 0)
    .ptr(T.data_in, dataIn)
    .ptr(T.data_out, dataOut)
    .u32(T.repeat, o.repeat ?? 0)
    .u32(T.ctx_size_in, ctxIn?.byteLength ?? 0)
    .u32(T.ctx_size_out, ctxOut?.byteLength ?? 0)
    .ptr(T.ctx_in, ctxIn)
    .ptr(T.ctx_out, ctxOut)
    .u32(T.flags, o.flags ?? 0)
    .u32(T.cpu, o.cpu ?? 0);
  bpfCall(Cmd.PROG_TEST_RUN, a);
  if (dataOut && o.dataOut) o.dataOut.set(dataOut);
  if (ctxOut && o.ctxOut) o.ctxOut.set(ctxOut);
  // The kernel writes retval, duration and the output sizes back into the attr.
  return {
    retval: a.getU32(T.retval),
    duration: a.getU32(T.duration),
    dataSizeOut: a.getU32(T.data_size_out),
    ctxSizeOut: a.getU32(T.ctx_size_out),
  };
}
