import { checkFdLeaks, describeKernel, thrown, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { BpfError, btfInfo, btfLoad, objectIds } from "../src/index.ts";
import { badIntBtf, intBtf } from "./objects.ts";

describeKernel("BTF", () => {
  checkFdLeaks();

  it("loads a hand-built blob (header + one INT) and btfInfo reports it", async () => {
    const blob = intBtf();
    const btf = btfLoad(blob);
    const info = btfInfo(btf.value, true);
    expect(info.id).toBeGreaterThan(0);
    expect(info.size).toBe(blob.byteLength);
    expect(info.kernelBtf).toBe(false);
    expect(info.name).toBe("");
    expect(info.data).toEqual(blob);
    expect(objectIds("btf")).toContain(info.id);
    btf.close();
    expect(await waitGone("btf", [info.id])).toEqual([]);
  });

  it("an invalid type fails with a BpfError whose log says why", () => {
    const e = thrown(() => btfLoad(badIntBtf()));
    expect(e).toBeInstanceOf(BpfError);
    expect(e).toMatchObject({ commandName: "BPF_BTF_LOAD", code: "EINVAL" });
    expect((e as BpfError).log).toContain("nr_bits exceeds type_size");
  });

  it("a bad magic fails with a BpfError whose log is non-empty", () => {
    const e = thrown(() => btfLoad(intBtf(0x1234)));
    expect(e).toBeInstanceOf(BpfError);
    expect((e as BpfError).commandName).toBe("BPF_BTF_LOAD");
    expect((e as BpfError).log).toContain("Invalid magic");
  });
});
