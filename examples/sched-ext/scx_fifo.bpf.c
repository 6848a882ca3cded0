// SPDX-License-Identifier: GPL-2.0
/* bpfkit_fifo: a global FIFO scheduler for sched_ext. A task that wakes onto an idle CPU goes
 * straight to that CPU; every other task waits in one shared queue, served in order. Counters
 * in .bss show the scheduler at work. */
#include <bpfkit/sched_ext.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

#define SHARED_DSQ 0

__u64 init_calls, selected, direct, enqueued, dispatched, exits;

/* init may sleep (creating a queue allocates): a sleepable struct_ops program. */
SEC("struct_ops.s")
s32 BPF_PROG(fifo_init)
{
	__sync_fetch_and_add(&init_calls, 1);
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

SEC("struct_ops")
s32 BPF_PROG(fifo_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);

	__sync_fetch_and_add(&selected, 1);
	if (idle) {
		__sync_fetch_and_add(&direct, 1);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	}
	return cpu;
}

SEC("struct_ops")
void BPF_PROG(fifo_enqueue, struct task_struct *p, u64 enq_flags)
{
	__sync_fetch_and_add(&enqueued, 1);
	scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
}

SEC("struct_ops")
void BPF_PROG(fifo_dispatch, s32 cpu, struct task_struct *prev)
{
	if (scx_bpf_dsq_move_to_local(SHARED_DSQ))
		__sync_fetch_and_add(&dispatched, 1);
}

SEC("struct_ops")
void BPF_PROG(fifo_exit, struct scx_exit_info *info)
{
	__sync_fetch_and_add(&exits, 1);
}

SEC(".struct_ops.link")
struct sched_ext_ops bpfkit_fifo = {
	.select_cpu = (void *)fifo_select_cpu,
	.enqueue = (void *)fifo_enqueue,
	.dispatch = (void *)fifo_dispatch,
	.init = (void *)fifo_init,
	.exit = (void *)fifo_exit,
	.name = "bpfkit_fifo",
};
