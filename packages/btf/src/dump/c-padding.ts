import type { TextBuffer } from "./text-buffer.ts";
import type { WorkBudget } from "./work-budget.ts";

/** Padding types, widest first, and their bits. */
const PAD_TYPES: readonly string[] = ["long", "int", "short", "char"];
const PAD_BITS: readonly number[] = [64, 32, 16, 8];

/**
 * Padding in struct `id` from bit `cur` up to bit `next`, at indentation `lvl`. Gaps of up to
 * 8 KiB (the kernel's largest is 4 KiB) are unnamed bitfields, invisible to BTF; a larger one
 * becomes a named byte array, so the output stays proportional to the BTF's size whatever sizes
 * corrupt BTF claims.
 */
export function writePadding(out: TextBuffer, budget: WorkBudget, id: number, cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number): void {
  const gap = next - cur;
  if (gap <= 8 * 8192) {
    budget.spend(id, Math.max(0, gap >> 6));
    bitfields(out, cur, next, nextAlign, inBitfield, lvl);
    return;
  }
  const start = roundUp(cur, 8);
  const end = Math.floor(next / 8) * 8;
  bitfields(out, cur, start, 1, inBitfield, lvl);
  out.byte(10);
  out.tabs(lvl);
  out.text("char __bpfkit_pad");
  out.uint(cur);
  out.byte(91);
  out.uint((end - start) / 8);
  out.text("];");
  bitfields(out, end, next, 1, false, lvl);
}

/**
 * Padding from bit `cur` to bit `next` (where a member of alignment `nextAlign` starts) as
 * unnamed bitfields. Uses the widest of long/int/short/char whose boundary lies in the gap, so
 * the compiler's own alignment does part of the work; a `type: 0` first forces the boundary when
 * the compiler would not reach it by itself.
 */
function bitfields(out: TextBuffer, cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number): void {
  if (cur >= next) return;
  let type = "char";
  let bits = 8;
  let aligned = cur;
  for (let i = 0; i < PAD_TYPES.length; i++) {
    type = PAD_TYPES[i]!;
    bits = PAD_BITS[i]!;
    aligned = roundUp(cur, bits);
    if (aligned <= next) break;
  }
  if (aligned > cur && aligned <= next) {
    if (inBitfield || (aligned === next && roundUp(cur, nextAlign * 8) !== aligned) || (aligned !== next && next - aligned <= aligned - cur)) {
      bitfield(out, type, inBitfield ? aligned - cur : 0, lvl);
    }
    cur = aligned;
  }
  while (cur < next) {
    const n = Math.min(next - cur, bits);
    // The last piece may be narrower than the padding type: use the smallest type that holds it.
    bitfield(out, n === bits ? type : n <= 8 ? "char" : n <= 16 ? "short" : n <= 32 ? "int" : "long", n, lvl);
    cur += n;
  }
}

/** `type: bits;` on a line of its own. */
function bitfield(out: TextBuffer, type: string, bits: number, lvl: number): void {
  out.byte(10);
  out.tabs(lvl);
  out.text(type);
  out.text(": ");
  out.uint(bits);
  out.byte(59);
}

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;
