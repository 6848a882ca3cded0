import { Attr, fieldEnd, nativeBuffer, toNative } from "./attr.ts";
import { bpfRaw } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { BpfError } from "./error.ts";
import { Fd } from "./fd.ts";
import { BTF_LOAD as B } from "./gen/attr-layout.ts";
import { decodeLog } from "./log.ts";

export interface BtfLoadOptions {
  /** 0: no log unless the load fails (then it is retried with a log), 1: basic, 2: verbose. */
  readonly logLevel?: number;
  readonly logSize?: number;
}

/** BPF_BTF_LOAD. On failure the kernel's BTF log is in the BpfError. */
export function btfLoad(data: Uint8Array, o: BtfLoadOptions = {}): Fd {
  const btf = toNative(data);
  let level = o.logLevel ?? 0;
  let size = level > 0 ? (o.logSize ?? 1 << 16) : 0;
  for (let attempt = 0; ; attempt++) {
    const log = size > 0 ? nativeBuffer(size) : undefined;
    const a = new Attr(fieldEnd(B.btf_log_level)).ptr(B.btf, btf).u32(B.btf_size, btf.byteLength);
    if (log) a.ptr(B.btf_log_buf, log).u32(B.btf_log_size, size).u32(B.btf_log_level, level);
    const r = bpfRaw(Cmd.BTF_LOAD, a);
    if (r.ret >= 0) return new Fd(r.ret, "btf");
    if (r.errno === 4) continue;
    if (!log && attempt === 0) {
      level = 1;
      size = 1 << 16;
      continue;
    }
    if (log && r.errno === 28 /* ENOSPC */ && size < 1 << 24) {
      size *= 4;
      continue;
    }
    throw new BpfError(Cmd.BTF_LOAD, r.errno, log ? { log: decodeLog(log) } : {});
  }
}
