import { describe, expect, it } from "vitest";
import { BpfError } from "../src/error.ts";
import { CMD_SINCE, Cmd, cmdName } from "../src/cmd.ts";
import { ERRNO, errnoName } from "../src/errno.ts";

describe("errnoName", () => {
  it("names the errnos bpf() returns", () => {
    expect(errnoName(1)).toBe("EPERM");
    expect(errnoName(2)).toBe("ENOENT");
    expect(errnoName(7)).toBe("E2BIG");
    expect(errnoName(13)).toBe("EACCES");
    expect(errnoName(22)).toBe("EINVAL");
    expect(errnoName(95)).toBe("EOPNOTSUPP");
  });

  it("names the kernel-internal ENOTSUPP (524)", () => {
    expect(errnoName(524)).toBe("ENOTSUPP");
  });

  it("falls back to E#n for an unknown number", () => {
    expect(errnoName(9999)).toBe("E#9999");
  });

  it("is a bijection over ERRNO", () => {
    for (const [name, n] of Object.entries(ERRNO)) expect(errnoName(n)).toBe(name);
  });
});

describe("cmdName", () => {
  it("names commands BPF_*", () => {
    expect(cmdName(0)).toBe("BPF_MAP_CREATE");
    expect(cmdName(5)).toBe("BPF_PROG_LOAD");
    expect(cmdName(Cmd.PROG_ASSOC_STRUCT_OPS)).toBe("BPF_PROG_ASSOC_STRUCT_OPS");
  });

  it("falls back to BPF_CMD_n", () => {
    expect(cmdName(999)).toBe("BPF_CMD_999");
  });

  it("has a name for every command number from 0 to the last", () => {
    const max = Math.max(...Object.values(Cmd));
    for (let c = 0; c <= max; c++) expect(cmdName(c)).not.toMatch(/^BPF_CMD_/);
  });
});

describe("BpfError", () => {
  it("carries fields, not just a message", () => {
    const e = new BpfError(Cmd.MAP_CREATE, 22, { context: 'map "x"' });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: "BpfError", command: 0, commandName: "BPF_MAP_CREATE", errno: 22, code: "EINVAL", log: undefined });
    expect(e.message).toContain('BPF_MAP_CREATE (map "x") failed: EINVAL (22)');
  });

  it("EPERM mentions CAP_BPF", () => {
    const e = new BpfError(Cmd.PROG_LOAD, 1);
    expect(e.code).toBe("EPERM");
    expect(e.hint).toContain("CAP_BPF");
  });

  it("524 is named ENOTSUPP and explained", () => {
    const e = new BpfError(Cmd.PROG_LOAD, 524);
    expect(e.code).toBe("ENOTSUPP");
    expect(e.hint).toMatch(/not supported/);
    expect(e.message).toContain("ENOTSUPP (524)");
  });

  it("EINVAL for a command newer than some kernels names the version that introduced it", () => {
    for (const [cmd, since] of [
      [Cmd.LINK_CREATE, "5.7"],
      [Cmd.PROG_ASSOC_STRUCT_OPS, "7.0"],
    ] as const) {
      const e = new BpfError(cmd, 22);
      expect(CMD_SINCE[cmd]).toBe(since);
      expect(e.hint).toContain(since);
      expect(e.hint).toContain(cmdName(cmd));
    }
  });

  it("EINVAL for an old command says nothing about versions", () => {
    expect(new BpfError(Cmd.MAP_CREATE, 22).hint).not.toMatch(/older than/);
  });

  it("a kernel log goes into the message and the field", () => {
    const e = new BpfError(Cmd.PROG_LOAD, 13, { log: "0: (95) exit\nR0 !read_ok" });
    expect(e.log).toBe("0: (95) exit\nR0 !read_ok");
    expect(e.message).toContain("--- kernel log ---\n0: (95) exit");
  });

  it("an explicit hint replaces the default", () => {
    expect(new BpfError(Cmd.PROG_LOAD, 1, { hint: "try sudo" }).hint).toBe("try sudo");
  });
});

describe("verifier logs in messages", () => {
  it("keeps the tail of a long log in the message and all of it in .log", () => {
    const log = Array.from({ length: 100 }, (_, i) => `${i}: insn ${i}`).join("\n");
    const e = new BpfError(Cmd.PROG_LOAD, 13, { log });
    expect(e.log).toBe(log);
    expect(e.message).toContain("99: insn 99");
    expect(e.message).toContain("70 earlier lines in BpfError.log");
    expect(e.message).not.toContain("\n0: insn 0\n");
  });

  it("keeps a short log whole", () => {
    const e = new BpfError(Cmd.PROG_LOAD, 13, { log: "0: r0 = 0\nR0 !read_ok" });
    expect(e.message).toContain("0: r0 = 0\nR0 !read_ok");
  });
});


describe("verifier refusals", () => {
  it("lead with the verifier's line for EINVAL as for EACCES, never the generic hint", () => {
    for (const errno of [13, 22, 7]) {
      const e = new BpfError(Cmd.PROG_LOAD, errno, { log: "unknown opcode ff\nprocessed 0 insns (limit 1000000) max_states_per_insn 0" });
      expect(e.hint).toBe("the verifier rejected the program: unknown opcode ff");
      expect(e.message.split("\n")[0]).toMatch(/failed: E\w+ \(\d+\): the verifier rejected the program: unknown opcode ff$/);
      expect(e.message).not.toMatch(/unknown flag, type or size/);
    }
  });

  it("a caller's hint follows the verifier's line instead of replacing it", () => {
    const e = new BpfError(Cmd.PROG_LOAD, 22, { log: "attach to unsupported member test_1 of struct bpf_dummy_ops", hint: "sleepable programs only fit sleepable members" });
    expect(e.message.split("\n").slice(0, 2)).toEqual([
      "BPF_PROG_LOAD failed: EINVAL (22): the verifier rejected the program: attach to unsupported member test_1 of struct bpf_dummy_ops",
      "sleepable programs only fit sleepable members",
    ]);
  });

  it("a log that shows no complaint leaves the errno's hint", () => {
    const e = new BpfError(Cmd.PROG_LOAD, 13, { log: "processed 1 insns (limit 1000000)" });
    expect(e.verifier).toBeUndefined();
    expect(e.hint).toMatch(/verifier rejecting the program \(see its log\)/);
  });

  it("only for BPF_PROG_LOAD: a BTF log is not a verifier log", () => {
    const e = new BpfError(Cmd.BTF_LOAD, 22, { log: "[1] INT int size=4\nInvalid name" });
    expect(e.verifier).toBeUndefined();
    expect(e.hint).not.toMatch(/verifier/);
  });
});
