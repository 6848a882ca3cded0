/**
 * Argument parsing behind one small module, so the parser can be swapped (for @std/cli once JSR
 * is reachable) without touching commands. Today: node:util parseArgs, available in Bun and Deno.
 */
import { parseArgs } from "node:util";

export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  readonly positionals: string[];
}

export class UsageError extends Error {
  override readonly name: string = "UsageError";
}

export function parse(argv: readonly string[], options: OptionSpec): Parsed {
  try {
    const r = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: r.values as Parsed["values"], positionals: r.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
