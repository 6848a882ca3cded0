import { AttachType, ProgFlags, ProgType } from "@bpfkit/syscall";

/** What a program's ELF section name says about how to load it. */
export interface SectionDef {
  readonly prefix: string;
  readonly type: number;
  readonly expectedAttachType: number;
  readonly flags: number;
  /** The part after "prefix/" names an attach target (resolved at load). */
  readonly hasTarget: boolean;
}

const def = (prefix: string, type: number, expectedAttachType = 0, flags = 0, hasTarget = false): SectionDef => ({
  prefix,
  type,
  expectedAttachType,
  flags,
  hasTarget,
});

// Longest prefixes first where one extends another ("struct_ops.s" before "struct_ops").
const DEFS: readonly SectionDef[] = [
  def("struct_ops.s", ProgType.STRUCT_OPS, 0, ProgFlags.SLEEPABLE),
  def("struct_ops", ProgType.STRUCT_OPS),
  def("syscall", ProgType.SYSCALL, 0, ProgFlags.SLEEPABLE),
  def("socket", ProgType.SOCKET_FILTER),
  def("xdp", ProgType.XDP, AttachType.XDP),
  def("tc", ProgType.SCHED_CLS),
  def("classifier", ProgType.SCHED_CLS),
  def("tracepoint", ProgType.TRACEPOINT, 0, 0, true),
  def("tp", ProgType.TRACEPOINT, 0, 0, true),
  def("raw_tracepoint", ProgType.RAW_TRACEPOINT, 0, 0, true),
  def("raw_tp", ProgType.RAW_TRACEPOINT, 0, 0, true),
  def("kprobe", ProgType.KPROBE, 0, 0, true),
  def("kretprobe", ProgType.KPROBE, 0, 0, true),
];

/** Section definition for a program section name, or undefined when the name is unknown. */
export function sectionDef(section: string): SectionDef | undefined {
  for (const d of DEFS) {
    if (section === d.prefix || section.startsWith(`${d.prefix}/`)) return d;
  }
  return undefined;
}

/** Section names bpfkit understands, for error messages. */
export function knownSectionPrefixes(): string[] {
  return DEFS.map((d) => d.prefix);
}
