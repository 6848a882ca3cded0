import type { OptionSpec, Parsed } from "./args.ts";

/** Where a command writes: swapped in tests to capture output. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export interface Command {
  /** "struct-ops register" */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** More for `--help`: details and an example. */
  readonly help?: string;
  readonly options: OptionSpec;
  /** Returns the exit status. */
  run(args: Parsed, io: Io): number | Promise<number>;
}

export const consoleIo: Io = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/** Prints rows as aligned columns. */
export function table(io: Io, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  io.out(line(header));
  for (const r of rows) io.out(line(r));
}
