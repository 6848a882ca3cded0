#!/bin/busybox sh
# PID 1 of the test VM (busybox sh). Mounts what bpfkit needs, runs /vm/run.sh
# (written per run by the host), reports its exit status on the second serial
# port (ttyS1, which QEMU writes to a host file), and powers off.
# If anything here dies, the kernel panics (panic=-1) and QEMU exits (-no-reboot):
# the host then sees no status and fails the run.

/bin/busybox --install -s /bin
export PATH=/usr/local/bin:/bin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
# bpffs and cgroup2 are what BPF programs pin to and attach under.
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
ln -s /proc/self/fd /dev/fd 2>/dev/null
ln -s /proc/self/fd/0 /dev/stdin 2>/dev/null
ln -s /proc/self/fd/1 /dev/stdout 2>/dev/null
ln -s /proc/self/fd/2 /dev/stderr 2>/dev/null

# Modules the host put in (tests/vm/modules.ts), dependencies first. A failure is printed
# and the tests that need the module fail on its absence, saying so.
if [ -f /lib/modules/bpfkit/load-order ]; then
  while read -r ko; do
    insmod "/lib/modules/bpfkit/$ko" || echo "init: insmod $ko failed"
  done < /lib/modules/bpfkit/load-order
fi

# Tests talk over loopback only (TCP congestion control tests, for one).
ip link set lo up
hostname bpfkit-vm

echo "VM kernel: $(uname -r)"
sh /vm/run.sh
status=$?

# The console is quiet (loglevel) unless asked, so show any kernel splat the
# tests provoked: a WARN or an oops is a bug worth seeing even when tests pass.
if dmesg | grep -qE 'WARNING:|BUG:|Oops|general protection fault'; then
  echo "--- kernel log (warnings found) ---"
  dmesg | tail -n 200
  echo "--- end of kernel log ---"
fi

# Closing the tty waits until the UART has sent everything, so the status
# reaches the host file before the power goes.
echo "BPFKIT_VM_STATUS=$status" > /dev/ttyS1
sync
poweroff -f
# poweroff should not return; if it does, exiting PID 1 panics and QEMU exits.
