// Entry point under Bun or Deno.
import { main } from "./main.ts";

const argv = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2);
process.exitCode = await main(argv);
