// The congestion control object built on the 6.18 host registers and carries traffic on the
// guest's 7.x kernel, whose tcp_congestion_ops lays its members out differently.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { Btf } from "@bpfkit/btf";
import { ElfFile } from "@bpfkit/elf";
import { BpfObject, kernelBtf } from "@bpfkit/struct-ops";
import { runTraffic } from "../../../examples/tcp-cc/run-traffic.ts";

const inVm = process.env.BPFKIT_VM === "1";
const CC = "/repo/examples/tcp-cc/cc.bpf.o";

/** Byte offsets of tcp_congestion_ops members in Linux 6.18 (the development host), read from its BTF. */
const HOST_6_18: Readonly<Record<string, number>> = {
  ssthresh: 0, cong_avoid: 8, set_state: 16, cwnd_event: 24, in_ack_event: 32, pkts_acked: 40,
  min_tso_segs: 48, cong_control: 56, undo_cwnd: 64, sndbuf_expand: 72, get_info: 80, name: 88,
  owner: 104, list: 112, key: 128, flags: 132, init: 136, release: 144,
};

function memberOffsets(btf: Btf, id: number): Map<string, number> {
  return new Map(btf.members(id).map((m) => [m.name, m.bitOffset / 8]));
}

describe.skipIf(!inVm)("congestion control portability (7.x)", () => {
  test("the guest kernel lays tcp_congestion_ops out unlike the 6.18 host the object was built on", () => {
    const k = kernelBtf();
    const guest = memberOffsets(k, k.find("tcp_congestion_ops", "STRUCT")!);
    console.log(`guest tcp_congestion_ops: ${[...guest].map(([n, o]) => `${n}@${o}`).join(" ")}`);
    const moved = Object.entries(HOST_6_18).filter(([name, off]) => guest.get(name) !== off).map(([name]) => name);
    expect(moved.length).toBeGreaterThan(0);
    // And the object's own (partial) struct matches neither: members are matched by name.
    const elf = ElfFile.parse(new Uint8Array(readFileSync(CC)));
    const local = Btf.parse(elf.section(".BTF")!.data);
    const mine = memberOffsets(local, local.find("tcp_congestion_ops", "STRUCT")!);
    expect([...mine].some(([name, off]) => guest.get(name) !== off)).toBe(true);
  });

  test("it registers and counts real traffic", () => {
    using obj = BpfObject.open(CC);
    obj.load();
    obj.attach();
    const available = readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8");
    expect(available).toContain("bpfkit_reno");
    const r = runTraffic("bpfkit_reno", 2 << 20);
    expect(r.congestionControl).toBe("bpfkit_reno");
    const bss = obj.data(".bss");
    expect(bss.get("init_calls")).toBe(1n);
    expect(bss.get("acked_calls") as bigint).toBeGreaterThan(0n);
  });
});
