import { parse, UsageError } from "./args.ts";
import type { Command, Io } from "./command.ts";
import { consoleIo } from "./command.ts";
import { describeError } from "./errors.ts";

// Each group's module is imported only when used: `btf dump` should not pay for loading the
// FFI and the struct_ops loader (a cost bpftool's start does not have).
const GROUPS: Readonly<Record<string, () => Promise<readonly Command[]>>> = {
  "struct-ops": async () => (await import("./commands/struct-ops.ts")).structOpsCommands,
  object: async () => (await import("./commands/object.ts")).objectCommands,
  btf: async () => (await import("./commands/btf.ts")).btfCommands,
  "sched-ext": async () => (await import("./commands/sched-ext.ts")).schedExtCommands,
};

async function help(io: Io): Promise<void> {
  io.out("usage: bpfkit <group> <command> [options]\n");
  for (const load of Object.values(GROUPS)) for (const c of await load()) io.out(`  ${c.usage.padEnd(58)} ${c.summary}`);
}

/** Runs the bpfkit command line; returns the exit status. */
export async function main(argv: readonly string[], io: Io = consoleIo): Promise<number> {
  if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    await help(io);
    return argv.length === 0 ? 2 : 0;
  }
  const group = Object.hasOwn(GROUPS, argv[0]!) ? await GROUPS[argv[0]!]!() : [];
  const cmd = group.find((c) => {
    const words = c.name.split(" ");
    return words.every((w, i) => argv[i] === w);
  });
  if (!cmd) {
    io.err(`bpfkit: unknown command "${argv.slice(0, 2).join(" ")}"; see \`bpfkit help\``);
    return 2;
  }
  const rest = argv.slice(cmd.name.split(" ").length);
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(`usage: bpfkit ${cmd.usage}\n\n${cmd.summary}${cmd.help ? `\n\n${cmd.help}` : ""}`);
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
