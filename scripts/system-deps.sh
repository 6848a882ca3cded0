#!/usr/bin/env bash
# Debian packages the test tiers use: bpftool (an independent oracle for kernel state and BTF
# dumps), clang (compiles our C dump of kernel BTF; clang-16 for two fixtures and the corpus), qemu + busybox (VM tier; its harness also
# installs them), and what the corpus tier builds bpftool 7.8 / libbpf 1.8 from source with (make, a C
# compiler, python3 for bpf_doc.py, libelf/zlib/libcap headers, xz). Installed here when running as
# root and missing; otherwise listed.
set -euo pipefail
want=()
command -v bpftool >/dev/null 2>&1 || want+=(bpftool)
command -v clang >/dev/null 2>&1 || want+=(clang llvm)
# clang 16 builds the fixtures that need what clang 14 cannot emit (ENUM64, type-matches CO-RE).
command -v clang-16 >/dev/null 2>&1 || want+=(clang-16)
[ -e /usr/include/bpf/bpf_helpers.h ] || want+=(libbpf-dev)
command -v ip >/dev/null 2>&1 || want+=(iproute2)
command -v make >/dev/null 2>&1 || want+=(make)
command -v cc >/dev/null 2>&1 || want+=(gcc libc6-dev)
command -v python3 >/dev/null 2>&1 || want+=(python3)
command -v xz >/dev/null 2>&1 || want+=(xz-utils)
[ -e /usr/include/libelf.h ] || want+=(libelf-dev)
[ -e /usr/include/zlib.h ] || want+=(zlib1g-dev)
[ -e /usr/include/sys/capability.h ] || want+=(libcap-dev)
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing ${want[*]}; install them (apt-get install ${want[*]}) for the kernel and oracle tests" >&2
  exit 0
fi
echo "system-deps: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
