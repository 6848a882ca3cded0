/**
 * What the kernel's selftests expect of each object, read from tools/testing/selftests/bpf
 * (prog_tests/*.c and the progs' own annotations) and translated to this 6.18 host, which has only
 * tcp_congestion_ops and bpf_dummy_ops as struct_ops types and no bpf_testmod. These are checked
 * on top of bpfkit == libbpf: parity alone would pass if both loaders were wrong the same way.
 */

/** A struct_ops map the selftests register: the congestion control name it adds. */
export interface Registers {
  readonly cc: string;
  /** .bss/.data variables the selftests see move when this map's CC carries traffic. */
  readonly counters?: readonly string[];
}

/** A struct_ops map the kernel refuses to register. */
export interface RefusesRegistration {
  readonly refused: string; // errno name
  /** What the kernel logs about it (/dev/kmsg), when it says anything. */
  readonly kmsg?: string;
}

export interface Expectation {
  /** Where the expectation comes from. */
  readonly source: string;
  /**
   * Loaded, or refused at load with this text in the kernel's reason (or in both loaders' errors);
   * `note` says in a few words why, for the results table, when the loaders refuse on their own.
   */
  readonly load: "ok" | { readonly refused: string; readonly note?: string };
  readonly maps?: Readonly<Record<string, Registers | RefusesRegistration>>;
}

const NEEDS_7X = "built against the 7.2 vmlinux.h: it sets tcp_congestion_ops.cwnd_event_tx_start, which 6.18 lacks";

export const EXPECTED: Readonly<Record<string, Expectation>> = {
  bpf_dctcp: {
    source: "prog_tests/bpf_tcp_ca.c test_dctcp, test_dctcp_autoattach_map (dctcp_nouse is left out: it lacks required ops)",
    load: "ok",
    maps: {
      dctcp: { cc: "bpf_dctcp" },
      dctcp_nouse: { refused: "EINVAL", kmsg: "bpf_dctcp_nouse does not implement required ops" },
    },
  },
  bpf_dctcp_release: {
    source: "prog_tests/bpf_tcp_ca.c test_rel_setsockopt",
    load: { refused: "program of this type cannot use helper bpf_setsockopt" },
  },
  bpf_tcp_nogpl: {
    source: "prog_tests/bpf_tcp_ca.c test_invalid_license",
    load: { refused: "struct ops programs must have a GPL compatible license" },
  },
  tcp_ca_write_sk_pacing: {
    source: "prog_tests/bpf_tcp_ca.c test_write_sk_pacing",
    load: "ok",
    maps: { write_sk_pacing: { cc: "bpf_w_sk_pacing" } },
  },
  tcp_ca_incompl_cong_ops: {
    source: "prog_tests/bpf_tcp_ca.c test_incompl_cong_ops (missing cong_avoid/cong_control is only reported at attach)",
    load: "ok",
    maps: { incompl_cong_ops: { refused: "EINVAL", kmsg: "bpf_incompl_ops does not implement required ops" } },
  },
  tcp_ca_unsupp_cong_op: {
    source: "prog_tests/bpf_tcp_ca.c test_unsupp_cong_op",
    load: { refused: "attach to unsupported member get_info" },
  },
  tcp_ca_update: {
    source: "prog_tests/bpf_tcp_ca.c test_update_ca, test_mixed_links, test_multi_links",
    load: "ok",
    maps: {
      ca_update_1: { cc: "tcp_ca_update", counters: ["ca1_cnt"] },
      ca_update_2: { cc: "tcp_ca_update", counters: ["ca2_cnt"] },
      ca_wrong: { cc: "tcp_ca_wrong" },
      ca_no_link: { cc: "tcp_ca_no_link" },
    },
  },
  dummy_st_ops_success: {
    source: "prog_tests/dummy_st_ops.c test_dummy_st_ops_attach (bpf_dummy_ops only runs through BPF_PROG_TEST_RUN)",
    load: "ok",
    maps: { dummy_1: { refused: "EOPNOTSUPP" } },
  },
  dummy_st_ops_fail: {
    source: 'progs/dummy_st_ops_fail.c: __failure __msg("attach to unsupported member test_2 of struct bpf_dummy_ops")',
    load: { refused: "attach to unsupported member test_2 of struct bpf_dummy_ops" },
  },
  bad_struct_ops2: {
    source: "prog_tests/bad_struct_ops.c unused_program (a struct_ops program no map uses fails the load)",
    load: { refused: "foo", note: "a struct_ops program no map uses" },
  },
  struct_ops_autocreate: {
    source: "prog_tests/struct_ops_autocreate.c (needs bpf_testmod's struct bpf_testmod_ops)",
    load: { refused: "bpf_testmod_ops", note: "no such kernel type here" },
  },
  struct_ops_autocreate2: {
    source: "prog_tests/struct_ops_autocreate.c autoload_and_shadow_vars (needs bpf_testmod)",
    load: { refused: "bpf_testmod_ops", note: "no such kernel type here" },
  },
  bpf_cubic: { source: NEEDS_7X, load: { refused: "cwnd_event_tx_start", note: "a 7.x tcp_congestion_ops member" } },
  bpf_cc_cubic: { source: NEEDS_7X, load: { refused: "cwnd_event_tx_start", note: "a 7.x tcp_congestion_ops member" } },
  tcp_ca_kfunc: { source: NEEDS_7X, load: { refused: "cwnd_event_tx_start", note: "a 7.x tcp_congestion_ops member" } },
  // The selftests load one program at a time (test_loader.c); loading the object whole also loads
  // the non-optional syscall_tailcall_target, whose variable-offset ctx access 6.18 refuses.
  verifier_global_subprogs: {
    source: "progs/verifier_global_subprogs.c, loaded whole: syscall_tailcall_target's variable ctx access needs a newer verifier",
    load: { refused: "variable ctx access var_off=(0x0; 0x1fc) disallowed" },
  },
  bpf_smc: {
    source: "prog_tests/test_bpf_smc.c needs struct smc_hs_ctrl (SMC with CONFIG_SMC_HS_CTRL_BPF); this 6.18 kernel is built without SMC",
    load: { refused: "smc_hs_ctrl", note: "no such kernel type here" },
  },
  test_global_map_resize: {
    source: "prog_tests/global_map_resize.c loads st_ops_resize, a bpf_testmod_ops map (needs bpf_testmod)",
    load: { refused: "bpf_testmod_ops", note: "no such kernel type here" },
  },
};

const QDISC: Expectation = {
  source: "prog_tests/bpf_qdisc.c needs the Qdisc_ops struct_ops type (CONFIG_NET_SCH_BPF), which this 6.18 kernel is built without",
  load: { refused: "bpf_struct_ops_Qdisc_ops", note: "not a struct_ops type here" },
};

/** The expectation for a corpus object, when the selftests say what it should do here. */
export function expectationFor(name: string): Expectation | undefined {
  return EXPECTED[name] ?? (name.startsWith("bpf_qdisc_") ? QDISC : undefined);
}

export function registers(e: Registers | RefusesRegistration | undefined): e is Registers {
  return e !== undefined && "cc" in e;
}
