// Provenance: this table was written for bpfkit from libbpf's documented SEC() names (the
// "Program types and ELF sections" page of the libbpf docs) and checked against libbpf 1.8's
// behaviour by the tests; it is not a copy of libbpf's section_defs[] source.
import { AttachType, ProgFlags, ProgType } from "./uapi.ts";

/**
 * What the text after "prefix/" in a section name names, and when it is used.
 * - "none": nothing (exact names), or a free label (struct_ops/<member>).
 * - "attach": read only when attaching: kprobe function, tracepoint category/name, uprobe
 *   binary:function, usdt spec, multi-attach pattern. Loading does not look at it.
 * - the rest name a BTF type the kernel must be told about at load (attach_btf_id):
 *   "kernel-func" a FUNC (fentry, fexit, fmod_ret, fsession), "tracepoint" the TYPEDEF
 *   btf_trace_<name> (tp_btf), "lsm-hook" the FUNC bpf_lsm_<name>, "iterator" the FUNC
 *   bpf_iter_<name>, "program" a FUNC in another loaded program's BTF (freplace).
 */
export type SectionTarget = "none" | "attach" | "kernel-func" | "tracepoint" | "lsm-hook" | "iterator" | "program";

/** What a program's ELF section name says about how to load it. */
export interface SectionDef {
  /** The section name, or its first part for "prefix" matches ("kprobe" in "kprobe/do_exit"). */
  readonly prefix: string;
  /**
   * libbpf's two rules: "exact" (`SEC("socket")` and nothing else) or "prefix" (libbpf's `type+`:
   * exactly the prefix, or the prefix followed by "/" and anything).
   */
  readonly match: "exact" | "prefix";
  readonly type: number;
  readonly expectedAttachType: number;
  /** prog_flags (ProgFlags): SLEEPABLE for ".s" sections, XDP_HAS_FRAGS for "xdp.frags". */
  readonly flags: number;
  /** Something after "prefix/" means something (target !== "none"). */
  readonly hasTarget: boolean;
  readonly target: SectionTarget;
  /** The target is a BTF type id passed at PROG_LOAD (libbpf's SEC_ATTACH_BTF). */
  readonly btfTarget: boolean;
  /** libbpf_attach_type_by_name() answers for it (libbpf's legacy SEC_ATTACHABLE). */
  readonly attachable: boolean;
  /** Kernels older than 4.17 reject expected_attach_type for it; libbpf then sends 0. */
  readonly attachTypeOptional: boolean;
  /** usdt: libbpf switches expected_attach_type to TRACE_UPROBE_MULTI when the kernel has uprobe_multi links. */
  readonly usdt: boolean;
}

// libbpf's per-section flags, kept by name so the table reads like libbpf's.
const ATTACHABLE = 1;
const ATTACH_OPT = 2; // attachable, and the attach type may be dropped on old kernels
const SLEEPABLE = 4;
const XDP_FRAGS = 8;
const USDT = 16;

const BTF_TARGETS: ReadonlySet<SectionTarget> = new Set(["kernel-func", "tracepoint", "lsm-hook", "iterator", "program"]);

/** `name` ending in "+" is libbpf's prefix form. */
function def(name: string, type: number, expectedAttachType: number, bits: number, target: SectionTarget = "none"): SectionDef {
  const prefix = name.endsWith("+") ? name.slice(0, -1) : name;
  return {
    prefix,
    match: name.endsWith("+") ? "prefix" : "exact",
    type,
    expectedAttachType,
    flags: (bits & SLEEPABLE ? ProgFlags.SLEEPABLE : 0) | (bits & XDP_FRAGS ? ProgFlags.XDP_HAS_FRAGS : 0),
    hasTarget: target !== "none",
    target,
    btfTarget: BTF_TARGETS.has(target),
    attachable: (bits & (ATTACHABLE | ATTACH_OPT)) !== 0,
    attachTypeOptional: (bits & ATTACH_OPT) !== 0,
    usdt: (bits & USDT) !== 0,
  };
}

const P = ProgType;
const A = AttachType;

/**
 * Every section convention of current libbpf (src/libbpf.c section_defs), in libbpf's order:
 * the first entry that matches wins, as in libbpf.
 */
export const SECTION_DEFS: readonly SectionDef[] = [
  def("socket", P.SOCKET_FILTER, 0, 0),
  def("sk_reuseport/migrate", P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT_OR_MIGRATE, ATTACHABLE),
  def("sk_reuseport", P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT, ATTACHABLE),
  def("kprobe+", P.KPROBE, 0, 0, "attach"),
  def("uprobe+", P.KPROBE, 0, 0, "attach"),
  def("uprobe.s+", P.KPROBE, 0, SLEEPABLE, "attach"),
  def("kretprobe+", P.KPROBE, 0, 0, "attach"),
  def("uretprobe+", P.KPROBE, 0, 0, "attach"),
  def("uretprobe.s+", P.KPROBE, 0, SLEEPABLE, "attach"),
  def("kprobe.multi+", P.KPROBE, A.TRACE_KPROBE_MULTI, 0, "attach"),
  def("kretprobe.multi+", P.KPROBE, A.TRACE_KPROBE_MULTI, 0, "attach"),
  def("kprobe.session+", P.KPROBE, A.TRACE_KPROBE_SESSION, 0, "attach"),
  def("uprobe.multi+", P.KPROBE, A.TRACE_UPROBE_MULTI, 0, "attach"),
  def("uretprobe.multi+", P.KPROBE, A.TRACE_UPROBE_MULTI, 0, "attach"),
  def("uprobe.session+", P.KPROBE, A.TRACE_UPROBE_SESSION, 0, "attach"),
  def("uprobe.multi.s+", P.KPROBE, A.TRACE_UPROBE_MULTI, SLEEPABLE, "attach"),
  def("uretprobe.multi.s+", P.KPROBE, A.TRACE_UPROBE_MULTI, SLEEPABLE, "attach"),
  def("uprobe.session.s+", P.KPROBE, A.TRACE_UPROBE_SESSION, SLEEPABLE, "attach"),
  def("ksyscall+", P.KPROBE, 0, 0, "attach"),
  def("kretsyscall+", P.KPROBE, 0, 0, "attach"),
  def("usdt+", P.KPROBE, 0, USDT, "attach"),
  def("usdt.s+", P.KPROBE, 0, USDT | SLEEPABLE, "attach"),
  // tc/ingress and tc/egress are aliases of tcx; bare "tc", "classifier" and "action" are legacy.
  def("tc/ingress", P.SCHED_CLS, A.TCX_INGRESS, 0),
  def("tc/egress", P.SCHED_CLS, A.TCX_EGRESS, 0),
  def("tcx/ingress", P.SCHED_CLS, A.TCX_INGRESS, 0),
  def("tcx/egress", P.SCHED_CLS, A.TCX_EGRESS, 0),
  def("tc", P.SCHED_CLS, 0, 0),
  def("classifier", P.SCHED_CLS, 0, 0),
  def("action", P.SCHED_ACT, 0, 0),
  def("netkit/primary", P.SCHED_CLS, A.NETKIT_PRIMARY, 0),
  def("netkit/peer", P.SCHED_CLS, A.NETKIT_PEER, 0),
  def("tracepoint+", P.TRACEPOINT, 0, 0, "attach"),
  def("tp+", P.TRACEPOINT, 0, 0, "attach"),
  def("tracepoint.s+", P.TRACEPOINT, 0, SLEEPABLE, "attach"),
  def("tp.s+", P.TRACEPOINT, 0, SLEEPABLE, "attach"),
  def("raw_tracepoint+", P.RAW_TRACEPOINT, 0, 0, "attach"),
  def("raw_tp+", P.RAW_TRACEPOINT, 0, 0, "attach"),
  def("raw_tracepoint.s+", P.RAW_TRACEPOINT, 0, SLEEPABLE, "attach"),
  def("raw_tp.s+", P.RAW_TRACEPOINT, 0, SLEEPABLE, "attach"),
  def("raw_tracepoint.w+", P.RAW_TRACEPOINT_WRITABLE, 0, 0, "attach"),
  def("raw_tp.w+", P.RAW_TRACEPOINT_WRITABLE, 0, 0, "attach"),
  def("tp_btf+", P.TRACING, A.TRACE_RAW_TP, 0, "tracepoint"),
  def("tp_btf.s+", P.TRACING, A.TRACE_RAW_TP, SLEEPABLE, "tracepoint"),
  def("fentry+", P.TRACING, A.TRACE_FENTRY, 0, "kernel-func"),
  def("fmod_ret+", P.TRACING, A.MODIFY_RETURN, 0, "kernel-func"),
  def("fexit+", P.TRACING, A.TRACE_FEXIT, 0, "kernel-func"),
  def("fentry.s+", P.TRACING, A.TRACE_FENTRY, SLEEPABLE, "kernel-func"),
  def("fmod_ret.s+", P.TRACING, A.MODIFY_RETURN, SLEEPABLE, "kernel-func"),
  def("fexit.s+", P.TRACING, A.TRACE_FEXIT, SLEEPABLE, "kernel-func"),
  def("fsession+", P.TRACING, A.TRACE_FSESSION, 0, "kernel-func"),
  def("fsession.s+", P.TRACING, A.TRACE_FSESSION, SLEEPABLE, "kernel-func"),
  // Multi-function tracing: "[module:]pattern" is matched at attach; only the module matters at load.
  def("fsession.multi+", P.TRACING, A.TRACE_FSESSION_MULTI, 0, "attach"),
  def("fsession.multi.s+", P.TRACING, A.TRACE_FSESSION_MULTI, SLEEPABLE, "attach"),
  def("fentry.multi+", P.TRACING, A.TRACE_FENTRY_MULTI, 0, "attach"),
  def("fexit.multi+", P.TRACING, A.TRACE_FEXIT_MULTI, 0, "attach"),
  def("fentry.multi.s+", P.TRACING, A.TRACE_FENTRY_MULTI, SLEEPABLE, "attach"),
  def("fexit.multi.s+", P.TRACING, A.TRACE_FEXIT_MULTI, SLEEPABLE, "attach"),
  def("freplace+", P.EXT, 0, 0, "program"),
  def("lsm+", P.LSM, A.LSM_MAC, 0, "lsm-hook"),
  def("lsm.s+", P.LSM, A.LSM_MAC, SLEEPABLE, "lsm-hook"),
  def("lsm_cgroup+", P.LSM, A.LSM_CGROUP, 0, "lsm-hook"),
  def("iter+", P.TRACING, A.TRACE_ITER, 0, "iterator"),
  def("iter.s+", P.TRACING, A.TRACE_ITER, SLEEPABLE, "iterator"),
  def("syscall", P.SYSCALL, 0, SLEEPABLE),
  def("xdp.frags/devmap", P.XDP, A.XDP_DEVMAP, XDP_FRAGS),
  def("xdp/devmap", P.XDP, A.XDP_DEVMAP, ATTACHABLE),
  def("xdp.frags/cpumap", P.XDP, A.XDP_CPUMAP, XDP_FRAGS),
  def("xdp/cpumap", P.XDP, A.XDP_CPUMAP, ATTACHABLE),
  def("xdp.frags", P.XDP, A.XDP, XDP_FRAGS),
  def("xdp", P.XDP, A.XDP, ATTACH_OPT),
  def("perf_event", P.PERF_EVENT, 0, 0),
  def("lwt_in", P.LWT_IN, 0, 0),
  def("lwt_out", P.LWT_OUT, 0, 0),
  def("lwt_xmit", P.LWT_XMIT, 0, 0),
  def("lwt_seg6local", P.LWT_SEG6LOCAL, 0, 0),
  def("sockops", P.SOCK_OPS, A.CGROUP_SOCK_OPS, ATTACH_OPT),
  def("sk_skb/stream_parser", P.SK_SKB, A.SK_SKB_STREAM_PARSER, ATTACH_OPT),
  def("sk_skb/stream_verdict", P.SK_SKB, A.SK_SKB_STREAM_VERDICT, ATTACH_OPT),
  def("sk_skb/verdict", P.SK_SKB, A.SK_SKB_VERDICT, ATTACH_OPT),
  def("sk_skb", P.SK_SKB, 0, 0),
  def("sk_msg", P.SK_MSG, A.SK_MSG_VERDICT, ATTACH_OPT),
  def("lirc_mode2", P.LIRC_MODE2, A.LIRC_MODE2, ATTACH_OPT),
  def("flow_dissector", P.FLOW_DISSECTOR, A.FLOW_DISSECTOR, ATTACH_OPT),
  def("cgroup_skb/ingress", P.CGROUP_SKB, A.CGROUP_INET_INGRESS, ATTACH_OPT),
  def("cgroup_skb/egress", P.CGROUP_SKB, A.CGROUP_INET_EGRESS, ATTACH_OPT),
  def("cgroup/skb", P.CGROUP_SKB, 0, 0),
  def("cgroup/sock_create", P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE, ATTACHABLE),
  def("cgroup/sock_release", P.CGROUP_SOCK, A.CGROUP_INET_SOCK_RELEASE, ATTACHABLE),
  def("cgroup/sock", P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE, ATTACH_OPT),
  def("cgroup/post_bind4", P.CGROUP_SOCK, A.CGROUP_INET4_POST_BIND, ATTACHABLE),
  def("cgroup/post_bind6", P.CGROUP_SOCK, A.CGROUP_INET6_POST_BIND, ATTACHABLE),
  def("cgroup/bind4", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_BIND, ATTACHABLE),
  def("cgroup/bind6", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_BIND, ATTACHABLE),
  def("cgroup/connect4", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_CONNECT, ATTACHABLE),
  def("cgroup/connect6", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_CONNECT, ATTACHABLE),
  def("cgroup/connect_unix", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_CONNECT, ATTACHABLE),
  def("cgroup/sendmsg4", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_SENDMSG, ATTACHABLE),
  def("cgroup/sendmsg6", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_SENDMSG, ATTACHABLE),
  def("cgroup/sendmsg_unix", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_SENDMSG, ATTACHABLE),
  def("cgroup/recvmsg4", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_RECVMSG, ATTACHABLE),
  def("cgroup/recvmsg6", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_RECVMSG, ATTACHABLE),
  def("cgroup/recvmsg_unix", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_RECVMSG, ATTACHABLE),
  def("cgroup/getpeername4", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETPEERNAME, ATTACHABLE),
  def("cgroup/getpeername6", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETPEERNAME, ATTACHABLE),
  def("cgroup/getpeername_unix", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETPEERNAME, ATTACHABLE),
  def("cgroup/getsockname4", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETSOCKNAME, ATTACHABLE),
  def("cgroup/getsockname6", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETSOCKNAME, ATTACHABLE),
  def("cgroup/getsockname_unix", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETSOCKNAME, ATTACHABLE),
  def("cgroup/sysctl", P.CGROUP_SYSCTL, A.CGROUP_SYSCTL, ATTACHABLE),
  def("cgroup/getsockopt", P.CGROUP_SOCKOPT, A.CGROUP_GETSOCKOPT, ATTACHABLE),
  def("cgroup/setsockopt", P.CGROUP_SOCKOPT, A.CGROUP_SETSOCKOPT, ATTACHABLE),
  def("cgroup/dev", P.CGROUP_DEVICE, A.CGROUP_DEVICE, ATTACH_OPT),
  // struct_ops: the attach type (member index) and BTF id come from the struct_ops map, not the name.
  def("struct_ops+", P.STRUCT_OPS, 0, 0),
  def("struct_ops.s+", P.STRUCT_OPS, 0, SLEEPABLE),
  def("sk_lookup", P.SK_LOOKUP, A.SK_LOOKUP, ATTACHABLE),
  def("netfilter", P.NETFILTER, A.NETFILTER, 0),
];

/** Does `section` name a program of this definition, by libbpf's rules? */
export function sectionMatches(d: SectionDef, section: string): boolean {
  if (d.match === "exact") return section === d.prefix;
  return section.startsWith(d.prefix) && (section.length === d.prefix.length || section[d.prefix.length] === "/");
}

/** Section definition for a program section name, or undefined when the name is unknown. */
export function sectionDef(section: string): SectionDef | undefined {
  for (const d of SECTION_DEFS) if (sectionMatches(d, section)) return d;
  return undefined;
}

/**
 * The text after "prefix/" (the attach target as written), "" for "prefix/", undefined when the
 * section is just the prefix or the definition takes no target.
 */
export function sectionTarget(d: SectionDef, section: string): string | undefined {
  if (d.match === "exact" || section.length === d.prefix.length) return undefined;
  return section.slice(d.prefix.length + 1);
}

/**
 * libbpf's SEC("?name"): the program is defined by "name" but not loaded unless asked for
 * (autoload off). Strip the "?" before sectionDef(), which, like libbpf's, does not know it.
 */
export function optionalSection(section: string): { readonly name: string; readonly autoload: boolean } {
  return section.startsWith("?") ? { name: section.slice(1), autoload: false } : { name: section, autoload: true };
}

/** Section names bpfkit understands, for error messages ("kprobe" also stands for "kprobe/..."). */
export function knownSectionPrefixes(): string[] {
  return SECTION_DEFS.map((d) => d.prefix);
}
