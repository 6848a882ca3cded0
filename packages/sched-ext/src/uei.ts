// The exit info a scheduler's BPF side records (UEI_DEFINE / UEI_RECORD in tools/sched_ext's
// user_exit_info*.h): a `struct user_exit_info <name>` in .data, its dump buffer alone in section
// `.data.<name>_dump`, and the buffer's length in `.rodata` `<name>_dump_len`.
import type { Btf } from "@bpfkit/btf";
import type { BpfObject, DataMap } from "@bpfkit/struct-ops";
import { SchedExtError, type SchedulerExit } from "./errors.ts";

/** UEI_DUMP_DFL_LEN: the dump size when the ops set no exit_dump_len. */
export const UEI_DUMP_DEFAULT_LEN = 32768;
const REASON_LEN = 128;
const MSG_LEN = 1024;
/** int kind; s32 exit_cpu; s64 exit_code; char reason[128]; char msg[1024]. */
const UEI_SIZE = 16 + REASON_LEN + MSG_LEN;
/** exit_code bits 48..63: the action the kernel asks for; SCX_ECODE_ACT_RESTART is 1 there. */
const ACTION_SHIFT = 48n;
const ACTION_RESTART = 1n;

/** Where an object's exit info lives. */
export interface UeiLayout {
  /** The variable's name (`uei` in every tools/sched_ext scheduler). */
  readonly name: string;
  readonly data: DataMap;
  readonly dump: DataMap;
  readonly dumpLenVariable: string;
}

/** Finds the object's UEI_DEFINE, or undefined when it has none. */
export function findUei(obj: BpfObject): UeiLayout | undefined {
  const rodata = obj.findData(".rodata");
  const data = obj.findData(".data");
  if (!rodata || !data) return undefined;
  for (const v of rodata.variables) {
    const m = /^(.+)_dump_len$/.exec(v.name);
    if (!m) continue;
    const name = m[1]!;
    const dump = obj.findData(`.data.${name}_dump`);
    const record = data.findVariable(name);
    if (dump && record && record.size >= UEI_SIZE) return { name, data, dump, dumpLenVariable: v.name };
  }
  return undefined;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** The kernel's name for an exit kind (`enum scx_exit_kind`), from its BTF. */
export function exitKindName(btf: Btf, kind: number): string | undefined {
  if (kind === 0) return undefined;
  for (const id of btf.findAll("scx_exit_kind")) {
    const t = btf.type(id);
    if (t.kind !== "ENUM" && t.kind !== "ENUM64") continue;
    const hit = t.values.find((v) => BigInt(v.value) === BigInt(kind));
    if (hit) return hit.name;
  }
  return undefined;
}

/** Decodes the exit info as the BPF side left it (host byte order: the kernel's). */
export function decodeUei(record: Uint8Array, dump: Uint8Array, kindName: (kind: number) => string | undefined): SchedulerExit {
  if (record.byteLength < UEI_SIZE) throw new SchedExtError("state", `user_exit_info needs ${UEI_SIZE} bytes, the variable has ${record.byteLength}: not a UEI_DEFINE record`);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const kind = view.getInt32(0, true);
  const exitCode = view.getBigInt64(8, true);
  return {
    kind,
    kindName: kindName(kind),
    exitCpu: view.getInt32(4, true),
    exitCode,
    restart: ((BigInt.asUintN(64, exitCode) >> ACTION_SHIFT) & 0xffffn) === ACTION_RESTART,
    reason: cString(record.subarray(16, 16 + REASON_LEN)),
    msg: cString(record.subarray(16 + REASON_LEN, 16 + REASON_LEN + MSG_LEN)),
    dump: cString(dump),
  };
}

/** Reads and decodes an object's exit info through its data maps. */
export function readUei(uei: UeiLayout, kindName: (kind: number) => string | undefined): SchedulerExit {
  const v = uei.data.variable(uei.name);
  const record = uei.data.read().subarray(v.offset, v.offset + v.size);
  return decodeUei(record, uei.dump.read(), kindName);
}
