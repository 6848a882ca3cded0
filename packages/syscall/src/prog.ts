import { Attr, cString, fieldEnd, nativeBuffer, toNative } from "./attr.ts";
import { bpfRaw } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { BpfError } from "./error.ts";
import { Fd } from "./fd.ts";
import { PROG_LOAD as P } from "./gen/attr-layout.ts";
import { decodeLog } from "./log.ts";

export interface ProgLoadOptions {
  readonly type: number;
  /** Instructions, 8 bytes each, host byte order. */
  readonly insns: Uint8Array;
  readonly license: string;
  readonly name?: string;
  readonly expectedAttachType?: number;
  readonly flags?: number;
  readonly kernVersion?: number;
  readonly btfFd?: number;
  readonly funcInfo?: { readonly recSize: number; readonly data: Uint8Array };
  readonly lineInfo?: { readonly recSize: number; readonly data: Uint8Array };
  readonly attachBtfId?: number;
  /** Module BTF fd holding `attachBtfId` (0 or absent: vmlinux). */
  readonly attachBtfObjFd?: number;
  readonly attachProgFd?: number;
  /** fds referenced by kfunc calls (insn.off) and map loads with fd_array semantics. */
  readonly fdArray?: readonly number[];
  /** 0: no log unless the load fails (then it is retried with a log); 1 or 2: always log. */
  readonly logLevel?: number;
  readonly logSize?: number;
}

export interface LoadedProg {
  readonly fd: Fd;
  /** The verifier log, when one was asked for. */
  readonly log: string | undefined;
}

const EAGAIN_RETRIES = 5;
const MAX_LOG = 1 << 26;

/**
 * The buffer holds PROG_LOAD through log_true_size, which the kernel fills in on return; the
 * size passed to bpf() is still only through the last field written (Attr.size).
 */
const LOAD_BUFFER = fieldEnd(P.log_true_size);

function progAttr(o: ProgLoadOptions, insns: Uint8Array, license: Uint8Array, fdArray: Uint8Array | undefined): Attr {
  const a = new Attr(LOAD_BUFFER)
    .u32(P.prog_type, o.type)
    .u32(P.insn_cnt, insns.byteLength / 8)
    .ptr(P.insns, insns)
    .ptr(P.license, license)
    .u32(P.kern_version, o.kernVersion ?? 0)
    .u32(P.prog_flags, o.flags ?? 0);
  if (o.name) a.name(P.prog_name, o.name);
  a.u32(P.expected_attach_type, o.expectedAttachType ?? 0);
  if (o.btfFd !== undefined) {
    a.u32(P.prog_btf_fd, o.btfFd);
    if (o.funcInfo && o.funcInfo.data.byteLength > 0) {
      a.u32(P.func_info_rec_size, o.funcInfo.recSize)
        .ptr(P.func_info, toNative(o.funcInfo.data))
        .u32(P.func_info_cnt, o.funcInfo.data.byteLength / o.funcInfo.recSize);
    }
    if (o.lineInfo && o.lineInfo.data.byteLength > 0) {
      a.u32(P.line_info_rec_size, o.lineInfo.recSize)
        .ptr(P.line_info, toNative(o.lineInfo.data))
        .u32(P.line_info_cnt, o.lineInfo.data.byteLength / o.lineInfo.recSize);
    }
  }
  if (o.attachBtfId) a.u32(P.attach_btf_id, o.attachBtfId);
  if (o.attachBtfObjFd) a.u32(P.attach_btf_obj_fd, o.attachBtfObjFd);
  else if (o.attachProgFd) a.u32(P.attach_prog_fd, o.attachProgFd);
  if (fdArray) a.ptr(P.fd_array, fdArray);
  return a;
}

/**
 * BPF_PROG_LOAD. Loads without a log first (fast), and on failure loads again with one so the
 * error carries the verifier's explanation; the log grows while the kernel says ENOSPC.
 * EAGAIN (verifier out of memory under pressure) is retried a few times.
 */
export function progLoad(o: ProgLoadOptions): LoadedProg {
  if (o.insns.byteLength === 0 || o.insns.byteLength % 8 !== 0) {
    throw new RangeError(`bpfkit: program "${o.name ?? ""}" has ${o.insns.byteLength} bytes of instructions; expected a non-zero multiple of 8`);
  }
  const insns = toNative(o.insns);
  const license = cString(o.license);
  let fdArray: Uint8Array | undefined;
  if (o.fdArray && o.fdArray.length > 0) {
    fdArray = nativeBuffer(o.fdArray.length * 4);
    const v = new DataView(fdArray.buffer);
    for (let i = 0; i < o.fdArray.length; i++) v.setInt32(i * 4, o.fdArray[i] as number, true);
  }
  let level = o.logLevel ?? 0;
  let size = level > 0 ? (o.logSize ?? 1 << 20) : 0;
  let eagain = 0;
  for (;;) {
    const a = progAttr(o, insns, license, fdArray);
    const log = size > 0 ? nativeBuffer(size) : undefined;
    if (log) a.u32(P.log_level, level).u32(P.log_size, size).ptr(P.log_buf, log);
    const r = bpfRaw(Cmd.PROG_LOAD, a);
    if (r.ret >= 0) return { fd: new Fd(r.ret, "prog"), log: log ? decodeLog(log) : undefined };
    if (r.errno === 4) continue;
    if (r.errno === 11 /* EAGAIN */ && eagain++ < EAGAIN_RETRIES) continue;
    if (!log) {
      level = 1;
      size = o.logSize ?? 1 << 20;
      continue;
    }
    if (r.errno === 28 /* ENOSPC */ && size < MAX_LOG) {
      const want = a.getU32(P.log_true_size); // on kernels that report it
      size = Math.min(MAX_LOG, Math.max(size * 4, want));
      continue;
    }
    throw new BpfError(Cmd.PROG_LOAD, r.errno, {
      context: o.name ? `program "${o.name}"` : undefined,
      log: decodeLog(log),
    });
  }
}
