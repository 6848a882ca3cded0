import { existsSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { checkFdLeaks, describeKernel, useBpffs } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { BpfError, MapType, ProgType, mapCreate, mapInfo, objGet, objPin, progInfo, progLoad } from "../src/index.ts";
import { RETURN_ZERO } from "./objects.ts";

describeKernel("pinning on a private bpffs", () => {
  // Our own bpffs in a temp dir: nothing pinned here outlives the test or meets anyone else's pins.
  const bpffs = useBpffs();
  checkFdLeaks();

  it("OBJ_PIN then OBJ_GET reopens the same map", () => {
    using m = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, name: "kt_pinned" });
    const path = join(bpffs(), "map");
    objPin(m.value, path);
    expect(existsSync(path)).toBe(true);
    using again = objGet(path, "map");
    expect(mapInfo(again.value).id).toBe(mapInfo(m.value).id);
    unlinkSync(path);
  });

  it("OBJ_PIN then OBJ_GET reopens the same program", () => {
    using prog = progLoad({ type: ProgType.SOCKET_FILTER, insns: RETURN_ZERO, license: "GPL", name: "kt_pinprog" }).fd;
    const path = join(bpffs(), "prog");
    objPin(prog.value, path);
    using again = objGet(path, "prog");
    expect(progInfo(again.value).id).toBe(progInfo(prog.value).id);
    unlinkSync(path);
  });

  it("pinning twice at one path is EEXIST; getting a missing path is ENOENT", () => {
    using m = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    const path = join(bpffs(), "twice");
    objPin(m.value, path);
    expect(() => objPin(m.value, path)).toThrowError(expect.objectContaining({ code: "EEXIST", commandName: "BPF_OBJ_PIN" }));
    expect(() => objPin(m.value, path)).toThrow(`${path} already exists: remove it (rm ${path})`);
    unlinkSync(path);
    let e: unknown;
    try {
      objGet(join(bpffs(), "missing"));
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(BpfError);
    expect(e).toMatchObject({ code: "ENOENT", commandName: "BPF_OBJ_GET" });
    expect((e as BpfError).message).toContain(join(bpffs(), "missing"));
  });

  it("a refused pin says whether the directory is missing or not on a bpffs", () => {
    using m = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    const missing = join(bpffs(), "no", "such", "dir", "map");
    const e1 = thrownBy(() => objPin(m.value, missing));
    expect(e1).toMatchObject({ code: "ENOENT", commandName: "BPF_OBJ_PIN" });
    expect(e1.message).toContain(`the directory ${join(bpffs(), "no", "such", "dir")} does not exist`);
    // /proc is never a bpffs: the kernel refuses, and the message names the filesystem.
    const e2 = thrownBy(() => objPin(m.value, "/proc/bpfkit_pin"));
    expect(e2.commandName).toBe("BPF_OBJ_PIN");
    expect(e2.message).toContain("/proc is not on a BPF filesystem (its filesystem magic is 0x9fa0)");
    expect(e2.message).toContain("mount -t bpf bpf /proc");
  });
});

function thrownBy(fn: () => void): BpfError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BpfError) return e;
    throw e;
  }
  throw new Error("expected a BpfError");
}
