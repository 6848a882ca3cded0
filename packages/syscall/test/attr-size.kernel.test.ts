import { describeKernel } from "@bpfkit/testing";
import { afterEach, expect, it } from "vitest";
import {
  Cmd,
  MapType,
  hasProgAssocStructOps,
  linkCreate,
  linkDetach,
  mapCreate,
  mapFreeze,
  progAssocStructOps,
  resetProbes,
  setBpfInterceptor,
} from "../src/index.ts";

/** Runs fn with every bpf() call answered EINVAL by us, never reaching the kernel; returns [cmd, size] seen. */
function sizes(fn: () => void): [number, number][] {
  const seen: [number, number][] = [];
  setBpfInterceptor((cmd, attr) => {
    seen.push([cmd, attr.size]);
    return { ret: -1, errno: 22 };
  });
  try {
    fn();
  } catch {
    // EINVAL from the interceptor, as intended.
  } finally {
    setBpfInterceptor(undefined);
  }
  return seen;
}

// Offsets in union bpf_attr (MAP_CREATE): btf_fd is at 48. A kernel that predates a field
// rejects a non-zero byte in it, so we never send more than the fields we set.
const MAP_CREATE_BTF_FD = 48;

describeKernel("attr sizes passed to bpf()", () => {
  afterEach(() => {
    setBpfInterceptor(undefined);
    resetProbes();
  });

  it("MAP_CREATE without BTF stops before the BTF fields", () => {
    const [[cmd, size]] = sizes(() => mapCreate({ type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 1 })) as [[number, number]];
    expect(cmd).toBe(Cmd.MAP_CREATE);
    expect(size).toBeLessThanOrEqual(MAP_CREATE_BTF_FD);
    const named = sizes(() => mapCreate({ type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 1, name: "n" }));
    expect(named[0]?.[1]).toBe(44); // through map_name[16] at 28
  });

  it("MAP_CREATE with BTF includes btf_fd, key and value type ids", () => {
    const [[, size]] = sizes(() =>
      mapCreate({ type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 1, btfFd: 3, btfKeyTypeId: 1, btfValueTypeId: 1 }),
    ) as [[number, number]];
    expect(size).toBe(60);
  });

  it("PROG_ASSOC_STRUCT_OPS is 12 bytes, and so is its probe", () => {
    const seen = sizes(() => progAssocStructOps(3, 4));
    expect(seen.length).toBeGreaterThan(0);
    for (const [cmd, size] of seen) {
      expect(cmd).toBe(Cmd.PROG_ASSOC_STRUCT_OPS);
      expect(size).toBe(12);
    }
  });

  it("LINK_CREATE is 16 bytes, 20 with target_btf_id (at 16)", () => {
    expect(sizes(() => linkCreate({ fd: 3, attachType: 44 }))).toEqual([[Cmd.LINK_CREATE, 16]]);
    expect(sizes(() => linkCreate({ fd: 3, attachType: 26, targetBtfId: 1234 }))).toEqual([[Cmd.LINK_CREATE, 20]]);
  });

  it("one-field commands are 4 bytes", () => {
    expect(sizes(() => mapFreeze(3))).toEqual([[Cmd.MAP_FREEZE, 4]]);
    expect(sizes(() => linkDetach(3))).toEqual([[Cmd.LINK_DETACH, 4]]);
  });

  it("with the interceptor removed, calls reach the kernel again", () => {
    sizes(() => hasProgAssocStructOps());
    resetProbes();
    expect(hasProgAssocStructOps()).toBe(false);
  });
});
