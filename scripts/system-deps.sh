#!/usr/bin/env bash
# Debian packages the test tiers use: bpftool (an independent oracle for kernel state and BTF
# dumps), clang (compiles our C dump of kernel BTF; clang-16 for two fixtures), qemu + busybox (VM tier; its harness also
# installs them). Installed here when running as root and missing; otherwise listed.
set -euo pipefail
want=()
command -v bpftool >/dev/null 2>&1 || want+=(bpftool)
command -v clang >/dev/null 2>&1 || want+=(clang llvm)
# clang 16 builds the fixtures that need what clang 14 cannot emit (ENUM64, type-matches CO-RE).
command -v clang-16 >/dev/null 2>&1 || want+=(clang-16)
[ -e /usr/include/bpf/bpf_helpers.h ] || want+=(libbpf-dev)
command -v ip >/dev/null 2>&1 || want+=(iproute2)
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing ${want[*]}; install them (apt-get install ${want[*]}) for the kernel and oracle tests" >&2
  exit 0
fi
echo "system-deps: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
