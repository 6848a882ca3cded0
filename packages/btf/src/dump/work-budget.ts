import { BtfError } from "../error.ts";

/** Deepest nesting of declarators and embedded types followed before calling the BTF corrupt. */
export const MAX_DEPTH = 256;

/**
 * The limits a dump of possibly hostile BTF keeps to: how deep it follows types (a reference
 * cycle would go on forever) and how much work it does. Anonymous types are written inline at
 * every use, so corrupt BTF that shares them in a loop could make the output grow exponentially;
 * the work allowed is proportional to the number of types instead.
 */
export class WorkBudget {
  depth = 0;
  #left: number;

  constructor(types: number) {
    this.#left = 64 * types + 100_000;
  }

  /**
   * One level deeper, one unit of work. Callers `leave()` when done; a BtfError ends the whole
   * dump, so nothing needs restoring on the way out of one.
   */
  enter(id: number): void {
    if (++this.depth > MAX_DEPTH) throw new BtfError(`types nest more than ${MAX_DEPTH} deep (a reference cycle?)`, { typeId: id, code: "cycle" });
    if (--this.#left < 0) this.spend(id, 0);
  }

  leave(): void {
    this.depth--;
  }

  spend(id: number, work: number): void {
    this.#left -= work;
    if (this.#left < 0) throw new BtfError("the C rendering of these types grows out of all proportion to the BTF (anonymous types shared in a loop?)", { typeId: id, code: "too-large" });
  }
}
