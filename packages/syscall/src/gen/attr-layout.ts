// Generated from the kernel's own BTF by packages/syscall/scripts/gen-attr.ts. Do not edit:
// regenerate with `bun run gen:attr` in packages/syscall (or `bun packages/syscall/scripts/gen-attr.ts`).
// Kernel: Linux 7.2.13+deb14-cloud-amd64; its .BTF section has sha256
// 66d40f12f4a29865ce1bceef5489d33209d7ba25f6022ecc7b564004e840b355.
//
// Each field is { offset, size } in bytes from the start of its struct; a bitfield adds `bit`
// (its first bit within that size-byte unit) and `bits` (its width). Members of anonymous
// unions and structs appear under their own names, as C lets you write them; members of a
// named inner struct appear under that struct's name.

/** BPF_MAP_CREATE: union bpf_attr, the anonymous struct with map_type, 96 bytes. */
export const MAP_CREATE = {
  map_type: { offset: 0, size: 4 }, // __u32
  key_size: { offset: 4, size: 4 }, // __u32
  value_size: { offset: 8, size: 4 }, // __u32
  max_entries: { offset: 12, size: 4 }, // __u32
  map_flags: { offset: 16, size: 4 }, // __u32
  inner_map_fd: { offset: 20, size: 4 }, // __u32
  numa_node: { offset: 24, size: 4 }, // __u32
  map_name: { offset: 28, size: 16 }, // char[16]
  map_ifindex: { offset: 44, size: 4 }, // __u32
  btf_fd: { offset: 48, size: 4 }, // __u32
  btf_key_type_id: { offset: 52, size: 4 }, // __u32
  btf_value_type_id: { offset: 56, size: 4 }, // __u32
  btf_vmlinux_value_type_id: { offset: 60, size: 4 }, // __u32
  map_extra: { offset: 64, size: 8 }, // __u64
  value_type_btf_obj_fd: { offset: 72, size: 4 }, // __s32
  map_token_fd: { offset: 76, size: 4 }, // __s32
  excl_prog_hash: { offset: 80, size: 8 }, // __u64
  excl_prog_hash_size: { offset: 88, size: 4 }, // __u32
} as const;

/** BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_ELEM, BPF_MAP_FREEZE: union bpf_attr, the anonymous struct with next_key, 32 bytes. */
export const MAP_ELEM = {
  map_fd: { offset: 0, size: 4 }, // __u32
  key: { offset: 8, size: 8 }, // __u64
  value: { offset: 16, size: 8 }, // __u64 (union with next_key)
  next_key: { offset: 16, size: 8 }, // __u64 (union with value)
  flags: { offset: 24, size: 8 }, // __u64
} as const;

/** BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH, BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH: union bpf_attr.batch, 56 bytes. */
export const MAP_BATCH = {
  in_batch: { offset: 0, size: 8 }, // __u64
  out_batch: { offset: 8, size: 8 }, // __u64
  keys: { offset: 16, size: 8 }, // __u64
  values: { offset: 24, size: 8 }, // __u64
  count: { offset: 32, size: 4 }, // __u32
  map_fd: { offset: 36, size: 4 }, // __u32
  elem_flags: { offset: 40, size: 8 }, // __u64
  flags: { offset: 48, size: 8 }, // __u64
} as const;

/** BPF_PROG_LOAD: union bpf_attr, the anonymous struct with prog_type, 168 bytes. */
export const PROG_LOAD = {
  prog_type: { offset: 0, size: 4 }, // __u32
  insn_cnt: { offset: 4, size: 4 }, // __u32
  insns: { offset: 8, size: 8 }, // __u64
  license: { offset: 16, size: 8 }, // __u64
  log_level: { offset: 24, size: 4 }, // __u32
  log_size: { offset: 28, size: 4 }, // __u32
  log_buf: { offset: 32, size: 8 }, // __u64
  kern_version: { offset: 40, size: 4 }, // __u32
  prog_flags: { offset: 44, size: 4 }, // __u32
  prog_name: { offset: 48, size: 16 }, // char[16]
  prog_ifindex: { offset: 64, size: 4 }, // __u32
  expected_attach_type: { offset: 68, size: 4 }, // __u32
  prog_btf_fd: { offset: 72, size: 4 }, // __u32
  func_info_rec_size: { offset: 76, size: 4 }, // __u32
  func_info: { offset: 80, size: 8 }, // __u64
  func_info_cnt: { offset: 88, size: 4 }, // __u32
  line_info_rec_size: { offset: 92, size: 4 }, // __u32
  line_info: { offset: 96, size: 8 }, // __u64
  line_info_cnt: { offset: 104, size: 4 }, // __u32
  attach_btf_id: { offset: 108, size: 4 }, // __u32
  attach_prog_fd: { offset: 112, size: 4 }, // __u32 (union with attach_btf_obj_fd)
  attach_btf_obj_fd: { offset: 112, size: 4 }, // __u32 (union with attach_prog_fd)
  core_relo_cnt: { offset: 116, size: 4 }, // __u32
  fd_array: { offset: 120, size: 8 }, // __u64
  core_relos: { offset: 128, size: 8 }, // __u64
  core_relo_rec_size: { offset: 136, size: 4 }, // __u32
  log_true_size: { offset: 140, size: 4 }, // __u32
  prog_token_fd: { offset: 144, size: 4 }, // __s32
  fd_array_cnt: { offset: 148, size: 4 }, // __u32
  signature: { offset: 152, size: 8 }, // __u64
  signature_size: { offset: 160, size: 4 }, // __u32
  keyring_id: { offset: 164, size: 4 }, // __s32
} as const;

/** BPF_OBJ_PIN, BPF_OBJ_GET: union bpf_attr, the anonymous struct with pathname, 24 bytes. */
export const OBJ = {
  pathname: { offset: 0, size: 8 }, // __u64
  bpf_fd: { offset: 8, size: 4 }, // __u32
  file_flags: { offset: 12, size: 4 }, // __u32
  path_fd: { offset: 16, size: 4 }, // __s32
} as const;

/** BPF_PROG_ATTACH, BPF_PROG_DETACH: union bpf_attr, the anonymous struct with attach_bpf_fd, 32 bytes. */
export const PROG_ATTACH = {
  target_fd: { offset: 0, size: 4 }, // __u32 (union with target_ifindex)
  target_ifindex: { offset: 0, size: 4 }, // __u32 (union with target_fd)
  attach_bpf_fd: { offset: 4, size: 4 }, // __u32
  attach_type: { offset: 8, size: 4 }, // __u32
  attach_flags: { offset: 12, size: 4 }, // __u32
  replace_bpf_fd: { offset: 16, size: 4 }, // __u32
  relative_fd: { offset: 20, size: 4 }, // __u32 (union with relative_id)
  relative_id: { offset: 20, size: 4 }, // __u32 (union with relative_fd)
  expected_revision: { offset: 24, size: 8 }, // __u64
} as const;

/** BPF_PROG_TEST_RUN: union bpf_attr.test, 80 bytes. */
export const PROG_TEST_RUN = {
  prog_fd: { offset: 0, size: 4 }, // __u32
  retval: { offset: 4, size: 4 }, // __u32
  data_size_in: { offset: 8, size: 4 }, // __u32
  data_size_out: { offset: 12, size: 4 }, // __u32
  data_in: { offset: 16, size: 8 }, // __u64
  data_out: { offset: 24, size: 8 }, // __u64
  repeat: { offset: 32, size: 4 }, // __u32
  duration: { offset: 36, size: 4 }, // __u32
  ctx_size_in: { offset: 40, size: 4 }, // __u32
  ctx_size_out: { offset: 44, size: 4 }, // __u32
  ctx_in: { offset: 48, size: 8 }, // __u64
  ctx_out: { offset: 56, size: 8 }, // __u64
  flags: { offset: 64, size: 4 }, // __u32
  cpu: { offset: 68, size: 4 }, // __u32
  batch_size: { offset: 72, size: 4 }, // __u32
} as const;

/** BPF_{PROG,MAP,BTF,LINK}_GET_NEXT_ID, BPF_{PROG,MAP,BTF,LINK}_GET_FD_BY_ID: union bpf_attr, the anonymous struct with start_id, 16 bytes. */
export const GET_ID = {
  start_id: { offset: 0, size: 4 }, // __u32 (union with prog_id, map_id, btf_id, link_id)
  prog_id: { offset: 0, size: 4 }, // __u32 (union with start_id, map_id, btf_id, link_id)
  map_id: { offset: 0, size: 4 }, // __u32 (union with start_id, prog_id, btf_id, link_id)
  btf_id: { offset: 0, size: 4 }, // __u32 (union with start_id, prog_id, map_id, link_id)
  link_id: { offset: 0, size: 4 }, // __u32 (union with start_id, prog_id, map_id, btf_id)
  next_id: { offset: 4, size: 4 }, // __u32
  open_flags: { offset: 8, size: 4 }, // __u32
  fd_by_id_token_fd: { offset: 12, size: 4 }, // __s32
} as const;

/** BPF_OBJ_GET_INFO_BY_FD: union bpf_attr.info, 16 bytes. */
export const OBJ_GET_INFO_BY_FD = {
  bpf_fd: { offset: 0, size: 4 }, // __u32
  info_len: { offset: 4, size: 4 }, // __u32
  info: { offset: 8, size: 8 }, // __u64
} as const;

/** BPF_PROG_QUERY: union bpf_attr.query, 64 bytes. */
export const PROG_QUERY = {
  target_fd: { offset: 0, size: 4 }, // __u32 (union with target_ifindex)
  target_ifindex: { offset: 0, size: 4 }, // __u32 (union with target_fd)
  attach_type: { offset: 4, size: 4 }, // __u32
  query_flags: { offset: 8, size: 4 }, // __u32
  attach_flags: { offset: 12, size: 4 }, // __u32
  prog_ids: { offset: 16, size: 8 }, // __u64
  prog_cnt: { offset: 24, size: 4 }, // __u32 (union with count)
  count: { offset: 24, size: 4 }, // __u32 (union with prog_cnt)
  prog_attach_flags: { offset: 32, size: 8 }, // __u64
  link_ids: { offset: 40, size: 8 }, // __u64
  link_attach_flags: { offset: 48, size: 8 }, // __u64
  revision: { offset: 56, size: 8 }, // __u64
} as const;

/** BPF_RAW_TRACEPOINT_OPEN: union bpf_attr.raw_tracepoint, 24 bytes. */
export const RAW_TRACEPOINT_OPEN = {
  name: { offset: 0, size: 8 }, // __u64
  prog_fd: { offset: 8, size: 4 }, // __u32
  cookie: { offset: 16, size: 8 }, // __u64
} as const;

/** BPF_BTF_LOAD: union bpf_attr, the anonymous struct with btf_log_buf, 40 bytes. */
export const BTF_LOAD = {
  btf: { offset: 0, size: 8 }, // __u64
  btf_log_buf: { offset: 8, size: 8 }, // __u64
  btf_size: { offset: 16, size: 4 }, // __u32
  btf_log_size: { offset: 20, size: 4 }, // __u32
  btf_log_level: { offset: 24, size: 4 }, // __u32
  btf_log_true_size: { offset: 28, size: 4 }, // __u32
  btf_flags: { offset: 32, size: 4 }, // __u32
  btf_token_fd: { offset: 36, size: 4 }, // __s32
} as const;

/** BPF_TASK_FD_QUERY: union bpf_attr.task_fd_query, 48 bytes. */
export const TASK_FD_QUERY = {
  pid: { offset: 0, size: 4 }, // __u32
  fd: { offset: 4, size: 4 }, // __u32
  flags: { offset: 8, size: 4 }, // __u32
  buf_len: { offset: 12, size: 4 }, // __u32
  buf: { offset: 16, size: 8 }, // __u64
  prog_id: { offset: 24, size: 4 }, // __u32
  fd_type: { offset: 28, size: 4 }, // __u32
  probe_offset: { offset: 32, size: 8 }, // __u64
  probe_addr: { offset: 40, size: 8 }, // __u64
} as const;

/** BPF_LINK_CREATE: union bpf_attr.link_create, 64 bytes. */
export const LINK_CREATE = {
  prog_fd: { offset: 0, size: 4 }, // __u32 (union with map_fd)
  map_fd: { offset: 0, size: 4 }, // __u32 (union with prog_fd)
  target_fd: { offset: 4, size: 4 }, // __u32 (union with target_ifindex)
  target_ifindex: { offset: 4, size: 4 }, // __u32 (union with target_fd)
  attach_type: { offset: 8, size: 4 }, // __u32
  flags: { offset: 12, size: 4 }, // __u32
  target_btf_id: { offset: 16, size: 4 }, // __u32 (union with perf_event, kprobe_multi, tracing, netfilter, tcx, uprobe_multi, netkit, cgroup, tracing_multi)
  iter_info: { offset: 16, size: 8 }, // __u64
  iter_info_len: { offset: 24, size: 4 }, // __u32
  /** struct {...}, 8 bytes at 16. */
  perf_event: {
    bpf_cookie: { offset: 16, size: 8 }, // __u64
  },
  /** struct {...}, 32 bytes at 16. */
  kprobe_multi: {
    flags: { offset: 16, size: 4 }, // __u32
    cnt: { offset: 20, size: 4 }, // __u32
    syms: { offset: 24, size: 8 }, // __u64
    addrs: { offset: 32, size: 8 }, // __u64
    cookies: { offset: 40, size: 8 }, // __u64
  },
  /** struct {...}, 16 bytes at 16. */
  tracing: {
    target_btf_id: { offset: 16, size: 4 }, // __u32
    cookie: { offset: 24, size: 8 }, // __u64
  },
  /** struct {...}, 16 bytes at 16. */
  netfilter: {
    pf: { offset: 16, size: 4 }, // __u32
    hooknum: { offset: 20, size: 4 }, // __u32
    priority: { offset: 24, size: 4 }, // __s32
    flags: { offset: 28, size: 4 }, // __u32
  },
  /** struct {...}, 16 bytes at 16. */
  tcx: {
    relative_fd: { offset: 16, size: 4 }, // __u32 (union with relative_id)
    relative_id: { offset: 16, size: 4 }, // __u32 (union with relative_fd)
    expected_revision: { offset: 24, size: 8 }, // __u64
  },
  /** struct {...}, 48 bytes at 16. */
  uprobe_multi: {
    path: { offset: 16, size: 8 }, // __u64
    offsets: { offset: 24, size: 8 }, // __u64
    ref_ctr_offsets: { offset: 32, size: 8 }, // __u64
    cookies: { offset: 40, size: 8 }, // __u64
    cnt: { offset: 48, size: 4 }, // __u32
    flags: { offset: 52, size: 4 }, // __u32
    pid: { offset: 56, size: 4 }, // __u32
    path_fd: { offset: 60, size: 4 }, // __u32
  },
  /** struct {...}, 16 bytes at 16. */
  netkit: {
    relative_fd: { offset: 16, size: 4 }, // __u32 (union with relative_id)
    relative_id: { offset: 16, size: 4 }, // __u32 (union with relative_fd)
    expected_revision: { offset: 24, size: 8 }, // __u64
  },
  /** struct {...}, 16 bytes at 16. */
  cgroup: {
    relative_fd: { offset: 16, size: 4 }, // __u32 (union with relative_id)
    relative_id: { offset: 16, size: 4 }, // __u32 (union with relative_fd)
    expected_revision: { offset: 24, size: 8 }, // __u64
  },
  /** struct {...}, 24 bytes at 16. */
  tracing_multi: {
    ids: { offset: 16, size: 8 }, // __u64
    cookies: { offset: 24, size: 8 }, // __u64
    cnt: { offset: 32, size: 4 }, // __u32
  },
} as const;

/** BPF_LINK_UPDATE: union bpf_attr.link_update, 16 bytes. */
export const LINK_UPDATE = {
  link_fd: { offset: 0, size: 4 }, // __u32
  new_prog_fd: { offset: 4, size: 4 }, // __u32 (union with new_map_fd)
  new_map_fd: { offset: 4, size: 4 }, // __u32 (union with new_prog_fd)
  flags: { offset: 8, size: 4 }, // __u32
  old_prog_fd: { offset: 12, size: 4 }, // __u32 (union with old_map_fd)
  old_map_fd: { offset: 12, size: 4 }, // __u32 (union with old_prog_fd)
} as const;

/** BPF_LINK_DETACH: union bpf_attr.link_detach, 4 bytes. */
export const LINK_DETACH = {
  link_fd: { offset: 0, size: 4 }, // __u32
} as const;

/** BPF_ENABLE_STATS: union bpf_attr.enable_stats, 4 bytes. */
export const ENABLE_STATS = {
  type: { offset: 0, size: 4 }, // __u32
} as const;

/** BPF_ITER_CREATE: union bpf_attr.iter_create, 8 bytes. */
export const ITER_CREATE = {
  link_fd: { offset: 0, size: 4 }, // __u32
  flags: { offset: 4, size: 4 }, // __u32
} as const;

/** BPF_PROG_BIND_MAP: union bpf_attr.prog_bind_map, 12 bytes. */
export const PROG_BIND_MAP = {
  prog_fd: { offset: 0, size: 4 }, // __u32
  map_fd: { offset: 4, size: 4 }, // __u32
  flags: { offset: 8, size: 4 }, // __u32
} as const;

/** BPF_TOKEN_CREATE: union bpf_attr.token_create, 8 bytes. */
export const TOKEN_CREATE = {
  flags: { offset: 0, size: 4 }, // __u32
  bpffs_fd: { offset: 4, size: 4 }, // __u32
} as const;

/** BPF_PROG_STREAM_READ_BY_FD: union bpf_attr.prog_stream_read, 24 bytes. */
export const PROG_STREAM_READ_BY_FD = {
  stream_buf: { offset: 0, size: 8 }, // __u64
  stream_buf_len: { offset: 8, size: 4 }, // __u32
  stream_id: { offset: 12, size: 4 }, // __u32
  prog_fd: { offset: 16, size: 4 }, // __u32
} as const;

/** BPF_PROG_ASSOC_STRUCT_OPS: union bpf_attr.prog_assoc_struct_ops, 12 bytes. */
export const PROG_ASSOC_STRUCT_OPS = {
  map_fd: { offset: 0, size: 4 }, // __u32
  prog_fd: { offset: 4, size: 4 }, // __u32
  flags: { offset: 8, size: 4 }, // __u32
} as const;

/** BPF_OBJ_GET_INFO_BY_FD: struct bpf_prog_info, 232 bytes. */
export const PROG_INFO = {
  type: { offset: 0, size: 4 }, // __u32
  id: { offset: 4, size: 4 }, // __u32
  tag: { offset: 8, size: 8 }, // __u8[8]
  jited_prog_len: { offset: 16, size: 4 }, // __u32
  xlated_prog_len: { offset: 20, size: 4 }, // __u32
  jited_prog_insns: { offset: 24, size: 8 }, // __u64
  xlated_prog_insns: { offset: 32, size: 8 }, // __u64
  load_time: { offset: 40, size: 8 }, // __u64
  created_by_uid: { offset: 48, size: 4 }, // __u32
  nr_map_ids: { offset: 52, size: 4 }, // __u32
  map_ids: { offset: 56, size: 8 }, // __u64
  name: { offset: 64, size: 16 }, // char[16]
  ifindex: { offset: 80, size: 4 }, // __u32
  gpl_compatible: { offset: 84, size: 4, bit: 0, bits: 1 }, // __u32:1
  netns_dev: { offset: 88, size: 8 }, // __u64
  netns_ino: { offset: 96, size: 8 }, // __u64
  nr_jited_ksyms: { offset: 104, size: 4 }, // __u32
  nr_jited_func_lens: { offset: 108, size: 4 }, // __u32
  jited_ksyms: { offset: 112, size: 8 }, // __u64
  jited_func_lens: { offset: 120, size: 8 }, // __u64
  btf_id: { offset: 128, size: 4 }, // __u32
  func_info_rec_size: { offset: 132, size: 4 }, // __u32
  func_info: { offset: 136, size: 8 }, // __u64
  nr_func_info: { offset: 144, size: 4 }, // __u32
  nr_line_info: { offset: 148, size: 4 }, // __u32
  line_info: { offset: 152, size: 8 }, // __u64
  jited_line_info: { offset: 160, size: 8 }, // __u64
  nr_jited_line_info: { offset: 168, size: 4 }, // __u32
  line_info_rec_size: { offset: 172, size: 4 }, // __u32
  jited_line_info_rec_size: { offset: 176, size: 4 }, // __u32
  nr_prog_tags: { offset: 180, size: 4 }, // __u32
  prog_tags: { offset: 184, size: 8 }, // __u64
  run_time_ns: { offset: 192, size: 8 }, // __u64
  run_cnt: { offset: 200, size: 8 }, // __u64
  recursion_misses: { offset: 208, size: 8 }, // __u64
  verified_insns: { offset: 216, size: 4 }, // __u32
  attach_btf_obj_id: { offset: 220, size: 4 }, // __u32
  attach_btf_id: { offset: 224, size: 4 }, // __u32
} as const;

/** BPF_OBJ_GET_INFO_BY_FD: struct bpf_map_info, 104 bytes. */
export const MAP_INFO = {
  type: { offset: 0, size: 4 }, // __u32
  id: { offset: 4, size: 4 }, // __u32
  key_size: { offset: 8, size: 4 }, // __u32
  value_size: { offset: 12, size: 4 }, // __u32
  max_entries: { offset: 16, size: 4 }, // __u32
  map_flags: { offset: 20, size: 4 }, // __u32
  name: { offset: 24, size: 16 }, // char[16]
  ifindex: { offset: 40, size: 4 }, // __u32
  btf_vmlinux_value_type_id: { offset: 44, size: 4 }, // __u32
  netns_dev: { offset: 48, size: 8 }, // __u64
  netns_ino: { offset: 56, size: 8 }, // __u64
  btf_id: { offset: 64, size: 4 }, // __u32
  btf_key_type_id: { offset: 68, size: 4 }, // __u32
  btf_value_type_id: { offset: 72, size: 4 }, // __u32
  btf_vmlinux_id: { offset: 76, size: 4 }, // __u32
  map_extra: { offset: 80, size: 8 }, // __u64
  hash: { offset: 88, size: 8 }, // __u64
  hash_size: { offset: 96, size: 4 }, // __u32
} as const;

/** BPF_OBJ_GET_INFO_BY_FD: struct bpf_btf_info, 32 bytes. */
export const BTF_INFO = {
  btf: { offset: 0, size: 8 }, // __u64
  btf_size: { offset: 8, size: 4 }, // __u32
  id: { offset: 12, size: 4 }, // __u32
  name: { offset: 16, size: 8 }, // __u64
  name_len: { offset: 24, size: 4 }, // __u32
  kernel_btf: { offset: 28, size: 4 }, // __u32
} as const;

/** BPF_OBJ_GET_INFO_BY_FD: struct bpf_link_info, 64 bytes. */
export const LINK_INFO = {
  type: { offset: 0, size: 4 }, // __u32
  id: { offset: 4, size: 4 }, // __u32
  prog_id: { offset: 8, size: 4 }, // __u32
  /** struct {...}, 24 bytes at 16. */
  raw_tracepoint: {
    tp_name: { offset: 16, size: 8 }, // __u64
    tp_name_len: { offset: 24, size: 4 }, // __u32
    cookie: { offset: 32, size: 8 }, // __u64
  },
  /** struct {...}, 24 bytes at 16. */
  tracing: {
    attach_type: { offset: 16, size: 4 }, // __u32
    target_obj_id: { offset: 20, size: 4 }, // __u32
    target_btf_id: { offset: 24, size: 4 }, // __u32
    cookie: { offset: 32, size: 8 }, // __u64
  },
  /** struct {...}, 16 bytes at 16. */
  cgroup: {
    cgroup_id: { offset: 16, size: 8 }, // __u64
    attach_type: { offset: 24, size: 4 }, // __u32
  },
  /** struct {...}, 32 bytes at 16. */
  iter: {
    target_name: { offset: 16, size: 8 }, // __u64
    target_name_len: { offset: 24, size: 4 }, // __u32
    /** struct {...}, 4 bytes at 28. */
    map: {
      map_id: { offset: 28, size: 4 }, // __u32
    },
    /** struct {...}, 16 bytes at 32. */
    cgroup: {
      cgroup_id: { offset: 32, size: 8 }, // __u64
      order: { offset: 40, size: 4 }, // __u32
    },
    /** struct {...}, 8 bytes at 32. */
    task: {
      tid: { offset: 32, size: 4 }, // __u32
      pid: { offset: 36, size: 4 }, // __u32
    },
  },
  /** struct {...}, 8 bytes at 16. */
  netns: {
    netns_ino: { offset: 16, size: 4 }, // __u32
    attach_type: { offset: 20, size: 4 }, // __u32
  },
  /** struct {...}, 4 bytes at 16. */
  xdp: {
    ifindex: { offset: 16, size: 4 }, // __u32
  },
  /** struct {...}, 4 bytes at 16. */
  struct_ops: {
    map_id: { offset: 16, size: 4 }, // __u32
  },
  /** struct {...}, 16 bytes at 16. */
  netfilter: {
    pf: { offset: 16, size: 4 }, // __u32
    hooknum: { offset: 20, size: 4 }, // __u32
    priority: { offset: 24, size: 4 }, // __s32
    flags: { offset: 28, size: 4 }, // __u32
  },
  /** struct {...}, 32 bytes at 16. */
  kprobe_multi: {
    addrs: { offset: 16, size: 8 }, // __u64
    count: { offset: 24, size: 4 }, // __u32
    flags: { offset: 28, size: 4 }, // __u32
    missed: { offset: 32, size: 8 }, // __u64
    cookies: { offset: 40, size: 8 }, // __u64
  },
  /** struct {...}, 48 bytes at 16. */
  uprobe_multi: {
    path: { offset: 16, size: 8 }, // __u64
    offsets: { offset: 24, size: 8 }, // __u64
    ref_ctr_offsets: { offset: 32, size: 8 }, // __u64
    cookies: { offset: 40, size: 8 }, // __u64
    path_size: { offset: 48, size: 4 }, // __u32
    count: { offset: 52, size: 4 }, // __u32
    flags: { offset: 56, size: 4 }, // __u32
    pid: { offset: 60, size: 4 }, // __u32
  },
  /** struct {...}, 48 bytes at 16. */
  perf_event: {
    type: { offset: 16, size: 4 }, // __u32
    /** struct {...}, 32 bytes at 24. */
    uprobe: {
      file_name: { offset: 24, size: 8 }, // __u64
      name_len: { offset: 32, size: 4 }, // __u32
      offset: { offset: 36, size: 4 }, // __u32
      cookie: { offset: 40, size: 8 }, // __u64
      ref_ctr_offset: { offset: 48, size: 8 }, // __u64
    },
    /** struct {...}, 40 bytes at 24. */
    kprobe: {
      func_name: { offset: 24, size: 8 }, // __u64
      name_len: { offset: 32, size: 4 }, // __u32
      offset: { offset: 36, size: 4 }, // __u32
      addr: { offset: 40, size: 8 }, // __u64
      missed: { offset: 48, size: 8 }, // __u64
      cookie: { offset: 56, size: 8 }, // __u64
    },
    /** struct {...}, 24 bytes at 24. */
    tracepoint: {
      tp_name: { offset: 24, size: 8 }, // __u64
      name_len: { offset: 32, size: 4 }, // __u32
      cookie: { offset: 40, size: 8 }, // __u64
    },
    /** struct {...}, 24 bytes at 24. */
    event: {
      config: { offset: 24, size: 8 }, // __u64
      type: { offset: 32, size: 4 }, // __u32
      cookie: { offset: 40, size: 8 }, // __u64
    },
  },
  /** struct {...}, 8 bytes at 16. */
  tcx: {
    ifindex: { offset: 16, size: 4 }, // __u32
    attach_type: { offset: 20, size: 4 }, // __u32
  },
  /** struct {...}, 8 bytes at 16. */
  netkit: {
    ifindex: { offset: 16, size: 4 }, // __u32
    attach_type: { offset: 20, size: 4 }, // __u32
  },
  /** struct {...}, 8 bytes at 16. */
  sockmap: {
    map_id: { offset: 16, size: 4 }, // __u32
    attach_type: { offset: 20, size: 4 }, // __u32
  },
} as const;

/** Sizes in bytes on this kernel: union bpf_attr, and each struct above. */
export const SIZE = {
  BPF_ATTR: 168,
  MAP_CREATE: 96,
  MAP_ELEM: 32,
  MAP_BATCH: 56,
  PROG_LOAD: 168,
  OBJ: 24,
  PROG_ATTACH: 32,
  PROG_TEST_RUN: 80,
  GET_ID: 16,
  OBJ_GET_INFO_BY_FD: 16,
  PROG_QUERY: 64,
  RAW_TRACEPOINT_OPEN: 24,
  BTF_LOAD: 40,
  TASK_FD_QUERY: 48,
  LINK_CREATE: 64,
  LINK_UPDATE: 16,
  LINK_DETACH: 4,
  ENABLE_STATS: 4,
  ITER_CREATE: 8,
  PROG_BIND_MAP: 12,
  TOKEN_CREATE: 8,
  PROG_STREAM_READ_BY_FD: 24,
  PROG_ASSOC_STRUCT_OPS: 12,
  PROG_INFO: 232,
  MAP_INFO: 104,
  BTF_INFO: 32,
  LINK_INFO: 64,
} as const;
