/** Sonames to try, glibc first. Runtime-free so both backends share it. */
export function libcCandidates(): string[] {
  return ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1", "libc.so"];
}
