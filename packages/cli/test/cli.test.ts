import { describe, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { capture } from "./support.ts";

describe("bpfkit command line", () => {
  it("prints help listing the struct-ops commands", async () => {
    const io = capture();
    expect(await main(["help"], io)).toBe(0);
    const text = io.out_.join("\n");
    for (const c of ["register", "list", "show", "dump", "unregister"]) expect(text).toContain(`struct-ops ${c}`);
  });

  it("exits 2 with a pointer to help for an unknown command", async () => {
    const io = capture();
    expect(await main(["frobnicate"], io)).toBe(2);
    expect(io.err_.join("\n")).toMatch(/unknown command "frobnicate".*bpfkit help/);
  });

  it("exits 2 with the usage line for a bad option", async () => {
    const io = capture();
    expect(await main(["struct-ops", "list", "--bogus"], io)).toBe(2);
    expect(io.err_.join("\n")).toMatch(/usage: bpfkit struct-ops list/);
  });

  it("register --help explains all-or-nothing and --map, with the bpf_dctcp example", async () => {
    const io = capture();
    expect(await main(["struct-ops", "register", "--help"], io)).toBe(0);
    const text = io.out_.join("\n");
    expect(text).toContain("usage: bpfkit struct-ops register OBJ [--map NAME]... [--pin DIR]");
    expect(text).toMatch(/registered, or none/);
    expect(text).toContain("bpfkit struct-ops register bpf_dctcp.bpf.o --map dctcp");
  });

  it("register without OBJ, or with two, is a usage error", async () => {
    for (const args of [["--map", "x"], ["a.o", "b.o"]]) {
      const io = capture();
      expect(await main(["struct-ops", "register", ...args], io)).toBe(2);
      expect(io.err_.join("\n")).toMatch(/missing OBJ|one OBJ only/);
    }
  });

  it("requires exactly one of --id and --name", async () => {
    const io = capture();
    expect(await main(["struct-ops", "unregister"], io)).toBe(2);
    expect(io.err_.join("\n")).toMatch(/exactly one of --id N or --name NAME/);
  });

  it("dumps an object's BTF in bpftool's raw format, and refuses formats it does not know", async () => {
    let io = capture();
    const obj = new URL("../../../examples/tcp-cc/cc.bpf.o", import.meta.url).pathname;
    expect(await main(["btf", "dump", obj], io)).toBe(0);
    expect(io.out_.join("\n")).toMatch(/^\[1\] /);
    expect(io.out_.join("\n")).toContain("STRUCT 'tcp_congestion_ops' size=88 vlen=10");
    io = capture();
    expect(await main(["btf", "dump", obj, "--format", "xml"], io)).toBe(2);
    expect(io.err_.join("\n")).toMatch(/unknown format "xml"; use raw, c, ts, json/);
  });
});
