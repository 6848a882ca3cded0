import { describeKernel } from "@bpfkit/testing";
import { afterEach, expect, it } from "vitest";
import { MapType, backend, mapCreate, mapLookup, mapUpdate, setBpfInterceptor } from "../src/index.ts";
import { u32, u64 } from "./objects.ts";

// Bun keeps a small `new Uint8Array(n)` inline and moves its bytes into a fresh ArrayBuffer the
// first time anything reads `.buffer`; an address taken before that would be stale.
describeKernel("buffer addresses handed to the kernel", () => {
  afterEach(() => setBpfInterceptor(undefined));

  it("address() of a small typed array does not move when its .buffer is read later", () => {
    const v = new Uint8Array(8);
    const before = backend().address(v);
    void v.buffer;
    expect(backend().address(v)).toBe(before);
  });

  it("a caller's small value buffer receives the lookup even if .buffer is touched before the call", () => {
    using m = mapCreate({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 1 });
    mapUpdate(m.value, u32(1), u64(0xabcdefn));
    const value = new Uint8Array(8);
    setBpfInterceptor((_cmd, _attr, next) => {
      void value.buffer; // between address() and the syscall
      return next();
    });
    expect(mapLookup(m.value, Uint8Array.of(1, 0, 0, 0), value)).toBe(true);
    expect(new DataView(value.buffer).getBigUint64(0, true)).toBe(0xabcdefn);
  });
});
