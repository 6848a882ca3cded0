// SPDX-License-Identifier: GPL-2.0
/* bpfkit_reno: Reno, with counters user space can read. The kernel's own Reno pieces (kfuncs)
 * do the window arithmetic; this program counts what the stack asked of it. */
#include <bpfkit/tcp_cc.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

/* .bss: what the congestion control saw. */
__u64 init_calls;
__u64 acked_calls;
__u64 acked_segments;
__u64 cong_avoid_calls;
__u64 ssthresh_calls;
__u64 cwnd_events;

/* .data: bumped by each init, to show initialised globals reach the kernel. */
__u64 generation = 1000;

/* .rodata: set from user space before load. */
const volatile __u32 segment_weight = 1;

/* A real bpf-to-bpf call into .text. */
static __attribute__((noinline)) void bump(__u64 *counter, __u64 by)
{
	__sync_fetch_and_add(counter, by);
}

SEC("struct_ops")
void BPF_PROG(bk_init, struct sock *sk)
{
	bump(&init_calls, 1);
	bump(&generation, 1);
}

SEC("struct_ops")
__u32 BPF_PROG(bk_ssthresh, struct sock *sk)
{
	bump(&ssthresh_calls, 1);
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops")
void BPF_PROG(bk_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	bump(&cong_avoid_calls, 1);
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops")
void BPF_PROG(bk_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
	bump(&acked_calls, 1);
	bump(&acked_segments, segment_weight);
}

SEC("struct_ops")
void BPF_PROG(bk_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	bump(&cwnd_events, 1);
}

SEC("struct_ops")
__u32 BPF_PROG(bk_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops.link")
struct tcp_congestion_ops bpfkit_reno = {
	.init = (void *)bk_init,
	.ssthresh = (void *)bk_ssthresh,
	.cong_avoid = (void *)bk_cong_avoid,
	.pkts_acked = (void *)bk_pkts_acked,
	.cwnd_event = (void *)bk_cwnd_event,
	.undo_cwnd = (void *)bk_undo_cwnd,
	.name = "bpfkit_reno",
};
