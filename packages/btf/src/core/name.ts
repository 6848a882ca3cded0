/**
 * The essential name of a type, field or enumerator: the name without its last `___flavour`
 * suffix. CO-RE matches local and target names by it, so a BPF program can declare several
 * incompatible versions of one kernel type (`task_struct___old`, `task_struct___new`).
 * A separator is three underscores with a non-underscore on both sides, so `a____b` and
 * `___x` have no flavour.
 */
export function essentialName(name: string): string {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name.charCodeAt(i) !== UNDERSCORE && name.startsWith("___", i + 1) && name.charCodeAt(i + 4) !== UNDERSCORE) {
      return name.slice(0, i + 1);
    }
  }
  return name;
}

const UNDERSCORE = 0x5f;

/**
 * Length of the essential part of a NUL-terminated name stored in `bytes` at `start`, or -1 when
 * the name has no flavour. Reads bytes, so indexing a kernel's names decodes none of them.
 */
export function flavourCut(bytes: Uint8Array, start: number): number {
  let end = start;
  while (end < bytes.length && bytes[end] !== 0) end++;
  for (let i = end - 5; i >= start; i--) {
    if (bytes[i] !== UNDERSCORE && bytes[i + 1] === UNDERSCORE && bytes[i + 2] === UNDERSCORE && bytes[i + 3] === UNDERSCORE && bytes[i + 4] !== UNDERSCORE) {
      return i + 1 - start;
    }
  }
  return -1;
}
