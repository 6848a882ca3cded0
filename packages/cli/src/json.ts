import type { Io } from "./command.ts";

/** JSON for command output: bigints as decimal strings, byte arrays as hex. Stable key order. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) return Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("");
    return v;
  });
}

/** `--json` given: prints `value` as JSON and returns true, so the command stops before its table. */
export function printedJson(args: { readonly values: Readonly<Record<string, unknown>> }, io: Io, value: unknown): boolean {
  if (!args.values.json) return false;
  io.out(toJson(value));
  return true;
}
