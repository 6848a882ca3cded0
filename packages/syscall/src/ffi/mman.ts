/** mmap(2)/mprotect(2) numbers, as asm-generic defines them (x86-64 and arm64 alike). */
export const Mman = {
  PROT_READ: 1,
  PROT_WRITE: 2,
  PROT_EXEC: 4,
  MAP_SHARED: 1,
  MAP_PRIVATE: 2,
  MAP_ANONYMOUS: 0x20,
} as const;
