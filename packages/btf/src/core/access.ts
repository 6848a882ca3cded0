/** Most accessors one access string may hold (libbpf's BPF_CORE_SPEC_MAX_LEN). */
export const MAX_ACCESS_LEN = 64;

/**
 * Parses an access string ("0:1:2") into its indices. Returns a reason string instead of
 * indices when it is malformed, so callers can attach the relocation to their error.
 */
export function parseAccessString(s: string): number[] | string {
  if (s === "") return "empty access string";
  const parts = s.split(":");
  if (parts.length > MAX_ACCESS_LEN) return `more than ${MAX_ACCESS_LEN} accessors`;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,10}$/.test(p)) return `"${p}" is not an index`;
    const n = Number(p);
    if (n > 0x7fffffff) return `index ${p} is out of range`;
    out.push(n);
  }
  return out;
}
