import { BpfObject, ObjectError } from "@bpfkit/struct-ops";
import { setBpfInterceptor } from "@bpfkit/syscall";
import { thrown } from "@bpfkit/testing";
import { describe, expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

/** Opens `name` counting every bpf() call made meanwhile. */
function openCounting(name: string): { error: unknown; calls: number } {
  let calls = 0;
  setBpfInterceptor((_cmd, _attr, next) => {
    calls++;
    return next();
  });
  try {
    return { error: thrown(() => BpfObject.open(fixture(name))), calls };
  } finally {
    setBpfInterceptor(undefined);
  }
}

describe("arena maps are refused at open until they are supported", () => {
  it("an arena map in .maps (with arena globals, as scx_qmap has them): the map is named", () => {
    const { error, calls } = openCounting("arena");
    expect(calls).toBe(0); // refused before anything reaches the kernel
    expect(error).toBeInstanceOf(ObjectError);
    const e = error as ObjectError;
    expect([e.code, e.subject, e.section]).toEqual(["arena-unsupported", 'map "arena"', ".maps"]);
    expect(e.message).toBe('arena: section .maps, map "arena": a BPF_MAP_TYPE_ARENA map: arena maps are not supported yet (the [maps] issue)');
  });

  it("arena globals (.addr_space.1) without an arena map: the section and its variables are named", () => {
    const { error, calls } = openCounting("arena_data");
    expect(calls).toBe(0);
    expect(error).toBeInstanceOf(ObjectError);
    const e = error as ObjectError;
    expect([e.code, e.section]).toEqual(["arena-unsupported", ".addr_space.1"]);
    expect(e.message).toMatch(/arena globals \(stray_hits\), which also need an arena map in SEC\("\.maps"\): arena maps are not supported yet \(the \[maps\] issue\)/);
  });
});
