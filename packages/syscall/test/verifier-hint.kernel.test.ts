import { checkFdLeaks, describeKernel, thrown } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { BpfError, ProgType, progLoad } from "../src/index.ts";

const insns = (...bytes: number[]) => Uint8Array.from(bytes);
const EXIT = [0x95, 0, 0, 0, 0, 0, 0, 0];
const MOV_R0_0 = [0xb7, 0, 0, 0, 0, 0, 0, 0];

function refusal(type: number, code: Uint8Array): BpfError {
  const e = thrown(() => progLoad({ type, insns: code, license: "GPL", name: "kt_hint" }).fd.close());
  expect(e).toBeInstanceOf(BpfError);
  return e as BpfError;
}

/** The kernel's own complaint: the log's last line before its statistics. */
function kernelReason(log: string): string {
  const lines = log.split("\n").filter((l) => l.trim() !== "");
  const stats = lines.findIndex((l) => l.startsWith("processed "));
  return lines[(stats < 0 ? lines.length : stats) - 1]!.trim();
}

describeKernel("BPF_PROG_LOAD refusals lead with the verifier's words", () => {
  checkFdLeaks();

  for (const [what, errno, code] of [
    ["r0 read before it is written (EACCES)", "EACCES", insns(...EXIT)],
    ["a jump out of the program (EINVAL)", "EINVAL", insns(0x05, 0, 5, 0, 0, 0, 0, 0, ...EXIT)],
    ["an unknown opcode (EINVAL)", "EINVAL", insns(0xff, 0, 0, 0, 0, 0, 0, 0, ...EXIT)],
    ["no exit at the end (EINVAL)", "EINVAL", insns(...MOV_R0_0)],
  ] as const) {
    it(what, () => {
      const e = refusal(ProgType.SOCKET_FILTER, code);
      expect(e.code).toBe(errno);
      expect(e.log).toBeTruthy();
      const reason = kernelReason(e.log!);
      expect(e.verifier?.reason).toBe(reason);
      expect(e.hint).toBe(`the verifier rejected the program: ${reason}`);
      // The first line of the message is the refusal and the verifier's reason, nothing generic.
      expect(e.message.split("\n")[0]).toBe(`BPF_PROG_LOAD (program "kt_hint") failed: ${errno} (${e.errno}): the verifier rejected the program: ${reason}`);
      expect(e.message).not.toMatch(/unknown flag, type or size|older than/);
    });
  }

  it("EINVAL without a log (the kernel refused before verifying) keeps the generic hint", () => {
    const e = refusal(0x7fff, insns(...MOV_R0_0, ...EXIT)); // no such program type
    expect(e.code).toBe("EINVAL");
    expect(e.log).toBeFalsy();
    expect(e.verifier).toBeUndefined();
    expect(e.hint).toMatch(/unknown flag, type or size/);
  });
});
