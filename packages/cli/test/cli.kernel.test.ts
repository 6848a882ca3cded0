import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describeKernel, useBpffs } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { main } from "../src/main.ts";
import { capture } from "./support.ts";

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const available = () => readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8");

describeKernel("bpfkit struct-ops against the kernel", () => {
  const bpffs = useBpffs();

  it("refuses to register a link map without --pin, saying why", async () => {
    const io = capture();
    expect(await main(["struct-ops", "register", root("examples/tcp-cc/cc.bpf.o")], io)).toBe(2);
    expect(io.err_.join("\n")).toMatch(/unregisters it when bpfkit exits unless pinned; pass --pin DIR/);
    expect(available()).not.toContain("bpfkit_reno");
  });

  it("registers, lists, dumps and unregisters a pinned link map", async () => {
    let io = capture();
    expect(await main(["struct-ops", "register", root("examples/tcp-cc/cc.bpf.o"), "--pin", join(bpffs(), "cc")], io)).toBe(0);
    expect(available()).toContain("bpfkit_reno");

    io = capture();
    expect(await main(["struct-ops", "list", "--json"], io)).toBe(0);
    const list = JSON.parse(io.out_.join("")) as { id: number; name: string; kernelType: string; links: number[] }[];
    const mine = list.find((m) => m.name === "bpfkit_reno");
    expect(mine).toMatchObject({ kernelType: "tcp_congestion_ops", btfObject: "vmlinux", state: "ready" });
    expect(mine!.links).toHaveLength(1);

    io = capture();
    expect(await main(["struct-ops", "dump", "--name", "bpfkit_reno", "--json"], io)).toBe(0);
    const dump = JSON.parse(io.out_.join("")) as { members: { name: string; value?: unknown; program?: { name: string } }[] };
    const member = (n: string) => dump.members.find((m) => m.name === n);
    expect(member("name")?.value).toBe("bpfkit_reno");
    expect(member("ssthresh")?.program?.name).toBe("bk_ssthresh");
    expect(member("release")?.program).toBeUndefined();

    io = capture();
    expect(await main(["struct-ops", "unregister", "--name", "bpfkit_reno"], io)).toBe(0);
    expect(available()).not.toContain("bpfkit_reno");
    rmSync(join(bpffs(), "cc"), { recursive: true, force: true });
  });

  it("registers a legacy map that stays registered until unregistered", async () => {
    let io = capture();
    expect(await main(["struct-ops", "register", root("fixtures/legacy_cc.bpf.o")], io)).toBe(0);
    expect(available()).toContain("bpfkit_legacy");
    io = capture();
    expect(await main(["struct-ops", "show"], io)).toBe(0);
    expect(io.out_.join("\n")).toMatch(/bpfkit_legacy\s+tcp_congestion_ops\s+state inuse[\s\S]*pkts_acked\s+prog \d+ legacy_pkts_ack/);
    io = capture();
    expect(await main(["struct-ops", "unregister", "--name", "bpfkit_legacy"], io)).toBe(0);
    expect(available()).not.toContain("bpfkit_legacy");
    io = capture();
    expect(await main(["struct-ops", "unregister", "--name", "bpfkit_legacy"], io)).toBe(1);
    expect(io.err_.join("\n")).toMatch(/no struct_ops map with name "bpfkit_legacy"/);
  });
});
