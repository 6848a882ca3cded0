import { existsSync } from "node:fs";
import { checkFdLeaks, describeKernel } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { Fd, MapType, mapCreate, mapInfo } from "../src/index.ts";

const tinyMap = () => mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });

describeKernel("Fd ownership", () => {
  checkFdLeaks();

  it("close() twice is a no-op, even once the number belongs to someone else", () => {
    const a = tinyMap();
    const n = a.value;
    a.close();
    using b = tinyMap(); // the kernel hands out the lowest free number: usually n again
    a.close();
    expect(a.closed).toBe(true);
    expect(mapInfo(b.value).id).toBeGreaterThan(0); // b survived a's second close
    if (b.value === n) expect(existsSync(`/proc/self/fd/${n}`)).toBe(true);
  });

  it("`using` closes at the end of the scope", () => {
    let kept: Fd | undefined;
    let n = -1;
    {
      using m = tinyMap();
      kept = m;
      n = m.value;
      expect(existsSync(`/proc/self/fd/${n}`)).toBe(true);
    }
    expect(kept.closed).toBe(true);
    expect(existsSync(`/proc/self/fd/${n}`)).toBe(false);
  });

  it(".value after close() throws instead of handing out a stale number", () => {
    const m = tinyMap();
    m.close();
    expect(() => m.value).toThrowError(/used after close/);
    expect(String(m)).toBe("map fd (closed)");
  });

  it("release() hands the number over and close() then leaves it alone", () => {
    const m = tinyMap();
    const n = m.release();
    m.close();
    expect(existsSync(`/proc/self/fd/${n}`)).toBe(true);
    using back = new Fd(n, "map"); // take it back so it is closed
    expect(mapInfo(back.value).id).toBeGreaterThan(0);
  });
});
