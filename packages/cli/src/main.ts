import { parse, UsageError } from "./args.ts";
import type { Command, Io } from "./command.ts";
import { consoleIo } from "./command.ts";
import { btfCommands } from "./commands/btf.ts";
import { objectCommands } from "./commands/object.ts";
import { structOpsCommands } from "./commands/struct-ops.ts";
import { describeError } from "./errors.ts";

const COMMANDS: readonly Command[] = [...structOpsCommands, ...objectCommands, ...btfCommands];

function help(io: Io): void {
  io.out("usage: bpfkit <group> <command> [options]\n");
  for (const c of COMMANDS) io.out(`  ${c.usage.padEnd(58)} ${c.summary}`);
}

/** Runs the bpfkit command line; returns the exit status. */
export async function main(argv: readonly string[], io: Io = consoleIo): Promise<number> {
  if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    help(io);
    return argv.length === 0 ? 2 : 0;
  }
  const cmd = COMMANDS.find((c) => {
    const words = c.name.split(" ");
    return words.every((w, i) => argv[i] === w);
  });
  if (!cmd) {
    io.err(`bpfkit: unknown command "${argv.slice(0, 2).join(" ")}"; see \`bpfkit help\``);
    return 2;
  }
  const rest = argv.slice(cmd.name.split(" ").length);
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(`usage: bpfkit ${cmd.usage}\n\n${cmd.summary}`);
    return 0;
  }
  try {
    return await cmd.run(parse(rest, cmd.options), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`bpfkit ${cmd.name}: ${e.message}\nusage: bpfkit ${cmd.usage}`);
      return 2;
    }
    io.err(`bpfkit ${cmd.name}: ${describeError(e)}`);
    return 1;
  }
}
