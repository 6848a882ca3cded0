import { existsSync, readFileSync } from "node:fs";
import { Btf } from "@bpfkit/btf";
import { knownSectionPrefixes, optionalSection, SECTION_DEFS, type SectionDef, sectionDef, sectionTarget } from "@bpfkit/object";
import { AttachType, enumName, ProgFlags, ProgType } from "@bpfkit/object/uapi";
import { describe, expect, it } from "vitest";
import { libbpfOracle } from "./support/libbpf-oracle.ts";

/**
 * Sections current libbpf knows (src/libbpf.c section_defs at libbpf commit f7081a6) that the
 * oracle, Debian's libbpf 1.1, predates. Written by hand from that source, in libbpf's spelling
 * ("+": the name alone or followed by "/..."), with the kernel's enum names so the numbers are
 * checked against the kernel's own uapi enums rather than against our constants.
 */
const NEWER_THAN_ORACLE: readonly [section: string, progType: string, attachType: string | 0, attachable?: true][] = [
  ["kprobe.session+", "BPF_PROG_TYPE_KPROBE", "BPF_TRACE_KPROBE_SESSION"],
  ["uprobe.multi+", "BPF_PROG_TYPE_KPROBE", "BPF_TRACE_UPROBE_MULTI"],
  ["uretprobe.multi+", "BPF_PROG_TYPE_KPROBE", "BPF_TRACE_UPROBE_MULTI"],
  ["uprobe.session+", "BPF_PROG_TYPE_KPROBE", "BPF_TRACE_UPROBE_SESSION"],
  ["uprobe.multi.s+", "BPF_PROG_TYPE_KPROBE", "BPF_TRACE_UPROBE_MULTI"],
  ["uretprobe.multi.s+", "BPF_PROG_TYPE_KPROBE", "BPF_TRACE_UPROBE_MULTI"],
  ["uprobe.session.s+", "BPF_PROG_TYPE_KPROBE", "BPF_TRACE_UPROBE_SESSION"],
  ["usdt.s+", "BPF_PROG_TYPE_KPROBE", 0],
  ["tc/ingress", "BPF_PROG_TYPE_SCHED_CLS", "BPF_TCX_INGRESS"],
  ["tc/egress", "BPF_PROG_TYPE_SCHED_CLS", "BPF_TCX_EGRESS"],
  ["tcx/ingress", "BPF_PROG_TYPE_SCHED_CLS", "BPF_TCX_INGRESS"],
  ["tcx/egress", "BPF_PROG_TYPE_SCHED_CLS", "BPF_TCX_EGRESS"],
  ["netkit/primary", "BPF_PROG_TYPE_SCHED_CLS", "BPF_NETKIT_PRIMARY"],
  ["netkit/peer", "BPF_PROG_TYPE_SCHED_CLS", "BPF_NETKIT_PEER"],
  ["tracepoint.s+", "BPF_PROG_TYPE_TRACEPOINT", 0],
  ["tp.s+", "BPF_PROG_TYPE_TRACEPOINT", 0],
  ["raw_tracepoint.s+", "BPF_PROG_TYPE_RAW_TRACEPOINT", 0],
  ["raw_tp.s+", "BPF_PROG_TYPE_RAW_TRACEPOINT", 0],
  ["tp_btf.s+", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_RAW_TP"],
  ["fsession+", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FSESSION"],
  ["fsession.s+", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FSESSION"],
  ["fsession.multi+", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FSESSION_MULTI"],
  ["fsession.multi.s+", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FSESSION_MULTI"],
  ["fentry.multi+", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FENTRY_MULTI"],
  ["fexit.multi+", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FEXIT_MULTI"],
  ["fentry.multi.s+", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FENTRY_MULTI"],
  ["fexit.multi.s+", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FEXIT_MULTI"],
  ["sk_skb/verdict", "BPF_PROG_TYPE_SK_SKB", "BPF_SK_SKB_VERDICT", true],
  ["cgroup/connect_unix", "BPF_PROG_TYPE_CGROUP_SOCK_ADDR", "BPF_CGROUP_UNIX_CONNECT", true],
  ["cgroup/sendmsg_unix", "BPF_PROG_TYPE_CGROUP_SOCK_ADDR", "BPF_CGROUP_UNIX_SENDMSG", true],
  ["cgroup/recvmsg_unix", "BPF_PROG_TYPE_CGROUP_SOCK_ADDR", "BPF_CGROUP_UNIX_RECVMSG", true],
  ["cgroup/getpeername_unix", "BPF_PROG_TYPE_CGROUP_SOCK_ADDR", "BPF_CGROUP_UNIX_GETPEERNAME", true],
  ["cgroup/getsockname_unix", "BPF_PROG_TYPE_CGROUP_SOCK_ADDR", "BPF_CGROUP_UNIX_GETSOCKNAME", true],
  ["struct_ops.s+", "BPF_PROG_TYPE_STRUCT_OPS", 0],
  ["netfilter", "BPF_PROG_TYPE_NETFILTER", "BPF_NETFILTER"],
];

/**
 * Attach types newer than the 6.18 kernel these tests run on, so its BTF cannot vouch for them:
 * values read from libbpf's include/uapi/linux/bpf.h (commit f7081a6). When the kernel gains
 * them, the kernel's values are used instead.
 */
const NEWER_THAN_KERNEL: Readonly<Record<string, number>> = {
  BPF_TRACE_FSESSION: 58,
  BPF_TRACE_FENTRY_MULTI: 59,
  BPF_TRACE_FEXIT_MULTI: 60,
  BPF_TRACE_FSESSION_MULTI: 61,
};

/** The test's own reading of libbpf's matching rule, independent of sectionMatches(). */
function libbpfMatches(spec: string, name: string): boolean {
  if (!spec.endsWith("+")) return name === spec;
  const p = spec.slice(0, -1);
  return name === p || name.startsWith(`${p}/`);
}

const SUFFIXES = ["", "/", "/x", "/a/b:c", "x", ".s", "_", "/tcp_sendmsg", ".multi"];
const UNKNOWN = [
  "", "/", "foo", ".text", "license", "maps", ".maps", ".struct_ops", ".struct_ops.link", "KPROBE", " kprobe", "kprobe ",
  "kprobe.", "kprobe.s", "kprobe.multi.s", "fentry.s.s", "lsm_cgroup.s", "iter.s.s", "tcx", "tcx/", "netkit", "netkit/",
  "cgroup", "cgroup/", "cgroup_skb", "xdp_frags", "xdp.frags/x", "xdp/devmap/x", "sk_reuseport/", "sk_skb/", "usdt.multi",
  "struct_ops.link", "struct_ops.ss", "?kprobe", "?struct_ops", "?xdp", "socket/1", "tp_btf.w", "raw_tp.w.s", "lwt", "sched_cls", "sched_act", "perf_event/x",
];

function names(): string[] {
  const all = new Set<string>(UNKNOWN);
  for (const d of SECTION_DEFS) for (const s of SUFFIXES) all.add(d.prefix + s);
  for (const [spec] of NEWER_THAN_ORACLE) all.add(spec.replace(/\+$/, ""));
  return [...all];
}

/** A kernel enum's values by name, from the running kernel's BTF (an independent source of the uapi numbers). */
function kernelEnum(btf: Btf, name: string): Map<string, number> {
  const id = btf.find(name, "ENUM");
  if (id === undefined) throw new Error(`no enum ${name} in the kernel's BTF`);
  const t = btf.type(id);
  if (t.kind !== "ENUM") throw new Error(`${name} is not an ENUM`);
  return new Map(t.values.map((v) => [v.name, v.value]));
}

const ours = (d: SectionDef | undefined) => d && { type: d.type, expectedAttachType: d.expectedAttachType, attachType: d.attachable ? d.expectedAttachType : undefined };

const { oracle, reason } = libbpfOracle();
if (reason) console.log(`skipping libbpf oracle comparison: ${reason}`);

describe.skipIf(!oracle)("section names, compared with libbpf 1.1 (libbpf_prog_type_by_name, libbpf_attach_type_by_name)", () => {
  const list = names();
  const theirs = oracle ? oracle.sections(list) : [];

  it(`classifies ${list.length} names as libbpf does, or as current libbpf's newer table says`, () => {
    expect(list.length).toBeGreaterThan(800);
    const mismatches: string[] = [];
    let newer = 0;
    list.forEach((name, i) => {
      const r = theirs[i]!;
      const got = ours(sectionDef(name));
      if (r.ret === 0) {
        const want = { type: r.type, expectedAttachType: r.expectedAttachType, attachType: r.attachRet === 0 ? r.attachType : undefined };
        if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${JSON.stringify(name)}: ours ${JSON.stringify(got)}, libbpf ${JSON.stringify(want)}`);
        return;
      }
      expect(r.ret, name).toBe(-3); // ESRCH: unknown to libbpf 1.1
      const spec = NEWER_THAN_ORACLE.find(([s]) => libbpfMatches(s, name));
      if (!spec) {
        if (got) mismatches.push(`${JSON.stringify(name)}: unknown to libbpf, ours ${JSON.stringify(got)}`);
        return;
      }
      newer++;
      if (!got) mismatches.push(`${JSON.stringify(name)}: newer libbpf knows it (${spec[0]}), ours does not`);
    });
    expect(mismatches).toEqual([]);
    expect(newer).toBeGreaterThan(100);
  });

  it("lists as newer only sections libbpf 1.1 really lacks", () => {
    const bare = NEWER_THAN_ORACLE.map(([s]) => s.replace(/\+$/, ""));
    expect(oracle!.sections(bare).map((r) => r.ret)).toEqual(bare.map(() => -3));
    expect(NEWER_THAN_ORACLE.map(([s]) => s).sort()).toEqual(
      SECTION_DEFS.filter((d) => oracle!.sections([d.prefix])[0]!.ret !== 0)
        .map((d) => d.prefix + (d.match === "prefix" ? "+" : ""))
        .sort(),
    );
  });
});

const VMLINUX = "/sys/kernel/btf/vmlinux";
const noBtf = existsSync(VMLINUX) ? undefined : `${VMLINUX} is absent`;
if (noBtf) console.log(`skipping kernel-enum checks: ${noBtf}`);

describe.skipIf(noBtf !== undefined)("section numbers, checked against the kernel's bpf_prog_type / bpf_attach_type", () => {
  const btf = noBtf ? undefined : Btf.parse(new Uint8Array(readFileSync(VMLINUX)));
  const progTypes = btf ? kernelEnum(btf, "bpf_prog_type") : new Map<string, number>();
  const attachTypes = btf ? kernelEnum(btf, "bpf_attach_type") : new Map<string, number>();

  it("gives the newer sections the numbers their kernel names have", () => {
    for (const [spec, progType, attachType, attachable] of NEWER_THAN_ORACLE) {
      const name = spec.replace(/\+$/, "");
      const d = sectionDef(name);
      expect(d, spec).toBeDefined();
      expect(d!.match, spec).toBe(spec.endsWith("+") ? "prefix" : "exact");
      expect(d!.type, spec).toBe(progTypes.get(progType));
      const want = attachType === 0 ? 0 : (attachTypes.get(attachType) ?? NEWER_THAN_KERNEL[attachType]);
      expect(want, `${attachType} is neither in the kernel nor listed as newer`).toBeDefined();
      expect(d!.expectedAttachType, spec).toBe(want);
      expect(d!.attachable, spec).toBe(attachable === true);
    }
    // Listed as newer than the kernel only while the kernel really lacks them.
    for (const [name, value] of Object.entries(NEWER_THAN_KERNEL)) {
      const k = attachTypes.get(name);
      if (k !== undefined) expect(k, name).toBe(value);
    }
  });

  it("uses only program and attach types whose names and numbers match the kernel's", () => {
    for (const d of SECTION_DEFS) {
      expect(progTypes.get(`BPF_PROG_TYPE_${enumName(ProgType, d.type)}`), d.prefix).toBe(d.type);
      if (d.expectedAttachType === 0) continue;
      const name = `BPF_${enumName(AttachType, d.expectedAttachType)}`;
      expect(attachTypes.get(name) ?? NEWER_THAN_KERNEL[name], d.prefix).toBe(d.expectedAttachType);
    }
  });
});

describe("section definitions: flags, targets and matching", () => {
  it("marks sleepable exactly the .s sections and syscall, and XDP frags exactly xdp.frags", () => {
    for (const d of SECTION_DEFS) {
      const base = d.prefix.split("/")[0]!;
      expect((d.flags & ProgFlags.SLEEPABLE) !== 0, d.prefix).toBe(base.endsWith(".s") || base === "syscall");
      expect((d.flags & ProgFlags.XDP_HAS_FRAGS) !== 0, d.prefix).toBe(base === "xdp.frags");
    }
  });

  it("takes a BTF target at load exactly where libbpf does, of the kind its attach type implies", () => {
    const multi = new Set<number>([AttachType.TRACE_FENTRY_MULTI, AttachType.TRACE_FEXIT_MULTI, AttachType.TRACE_FSESSION_MULTI]);
    for (const d of SECTION_DEFS) {
      const btfAttached = (d.type === ProgType.TRACING || d.type === ProgType.LSM || d.type === ProgType.EXT) && !multi.has(d.expectedAttachType);
      expect(d.btfTarget, d.prefix).toBe(btfAttached);
      if (!btfAttached) continue;
      const kind =
        d.type === ProgType.EXT
          ? "program"
          : d.expectedAttachType === AttachType.TRACE_RAW_TP
            ? "tracepoint"
            : d.expectedAttachType === AttachType.LSM_MAC || d.expectedAttachType === AttachType.LSM_CGROUP
              ? "lsm-hook"
              : d.expectedAttachType === AttachType.TRACE_ITER
                ? "iterator"
                : "kernel-func";
      expect(d.target, d.prefix).toBe(kind);
      expect(d.match, d.prefix).toBe("prefix");
    }
  });

  it("has a target after '/' for every prefix section but struct_ops, and none for exact names", () => {
    for (const d of SECTION_DEFS) {
      expect(d.hasTarget, d.prefix).toBe(d.match === "prefix" && d.type !== ProgType.STRUCT_OPS);
      expect(d.hasTarget, d.prefix).toBe(d.target !== "none");
    }
  });

  it("splits the target off the section name", () => {
    const at = (s: string) => sectionTarget(sectionDef(s)!, s);
    expect(at("fentry/tcp_sendmsg")).toBe("tcp_sendmsg");
    expect(at("fentry/nf_conntrack:nf_confirm")).toBe("nf_conntrack:nf_confirm");
    expect(at("tracepoint/syscalls/sys_enter_openat")).toBe("syscalls/sys_enter_openat");
    expect(at("fentry/")).toBe("");
    expect(at("fentry")).toBeUndefined();
    expect(at("tc/ingress")).toBeUndefined();
  });

  it("leaves '?' (autoload off) to optionalSection, as libbpf strips it before matching", () => {
    expect(sectionDef("?fentry/x")).toBeUndefined();
    expect(optionalSection("?fentry/x")).toEqual({ name: "fentry/x", autoload: false });
    expect(optionalSection("fentry/x")).toEqual({ name: "fentry/x", autoload: true });
  });

  it("knows each prefix once, the old short list included", () => {
    const known = knownSectionPrefixes();
    expect(new Set(known).size).toBe(known.length);
    expect(known).toEqual(expect.arrayContaining(["struct_ops", "struct_ops.s", "syscall", "socket", "xdp", "tc", "tracepoint", "kprobe"]));
    expect(sectionDef("struct_ops.s/dispatch")).toMatchObject({ type: ProgType.STRUCT_OPS, flags: ProgFlags.SLEEPABLE });
  });
});
