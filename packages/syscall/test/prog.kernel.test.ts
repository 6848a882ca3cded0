import { checkFdLeaks, describeKernel, thrown, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import {
  BpfError,
  MapType,
  ProgType,
  UnsupportedFeatureError,
  fdById,
  hasProgAssocStructOps,
  linkDetach,
  linkUpdate,
  mapCreate,
  objectIds,
  progAssocStructOps,
  progInfo,
  progLoad,
  progTestRun,
  resetProbes,
} from "../src/index.ts";
import { RETURN_ZERO, UNINIT_R0 } from "./objects.ts";

const loadReturnZero = (name = "kt_ret0") =>
  progLoad({ type: ProgType.SOCKET_FILTER, insns: RETURN_ZERO, license: "GPL", name }).fd;

describeKernel("programs", () => {
  checkFdLeaks();

  it("loads r0=0; exit and progInfo describes it", () => {
    using prog = loadReturnZero();
    const info = progInfo(prog.value, { xlated: true });
    expect(info).toMatchObject({ type: ProgType.SOCKET_FILTER, name: "kt_ret0", xlatedProgLen: 16, gplCompatible: true, mapIds: [] });
    expect(info.tag).toMatch(/^[0-9a-f]{16}$/);
    expect(info.xlated?.byteLength).toBe(16);
    expect(objectIds("prog")).toContain(info.id);
  });

  it("fdById reopens a program by id; after close it is gone", async () => {
    const prog = loadReturnZero();
    const id = progInfo(prog.value).id;
    const again = fdById("prog", id);
    expect(again).toBeDefined();
    again?.close();
    prog.close();
    expect(await waitGone("prog", [id])).toEqual([]);
  });

  it("a verifier refusal is a BpfError carrying the verifier log", () => {
    const e = thrown(() => progLoad({ type: ProgType.SOCKET_FILTER, insns: UNINIT_R0, license: "GPL", name: "kt_bad" }));
    expect(e).toBeInstanceOf(BpfError);
    const b = e as BpfError;
    expect(["EACCES", "EINVAL"]).toContain(b.code);
    expect(b.commandName).toBe("BPF_PROG_LOAD");
    expect(b.log).toBeTruthy();
    expect(b.log).toContain("R0");
    expect(b.message).toContain("--- kernel log ---");
  });

  it("BPF_PROG_TEST_RUN of the socket filter on a 64-byte packet returns 0", () => {
    using prog = loadReturnZero();
    const packet = new Uint8Array(64).map((_, i) => i);
    const r = progTestRun(prog.value, { dataIn: packet, repeat: 3 });
    expect(r.retval).toBe(0);
  });

  it("link_detach and link_update on a non-link fd fail with the command named", () => {
    using map = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    using prog = loadReturnZero();
    const detach = thrown(() => linkDetach(map.value));
    expect(detach).toBeInstanceOf(BpfError);
    expect(detach).toMatchObject({ commandName: "BPF_LINK_DETACH" });
    expect(["EINVAL", "EBADF"]).toContain((detach as BpfError).code);
    const update = thrown(() => linkUpdate(map.value, prog.value));
    expect(update).toBeInstanceOf(BpfError);
    expect(update).toMatchObject({ commandName: "BPF_LINK_UPDATE" });
    expect(["EINVAL", "EBADF"]).toContain((update as BpfError).code);
  });

  it("BPF_PROG_ASSOC_STRUCT_OPS is unknown to this kernel: UnsupportedFeatureError, minKernel 7.0", () => {
    resetProbes();
    expect(hasProgAssocStructOps()).toBe(false);
    using map = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    using prog = loadReturnZero();
    const e = thrown(() => progAssocStructOps(prog.value, map.value));
    expect(e).toBeInstanceOf(UnsupportedFeatureError);
    expect(e).toMatchObject({ minKernel: "7.0", feature: "BPF_PROG_ASSOC_STRUCT_OPS" });
  });
});
