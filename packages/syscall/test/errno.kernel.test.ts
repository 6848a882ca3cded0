import { describeKernel } from "@bpfkit/testing";
import { afterEach, expect, it } from "vitest";
import { bpfEntry, setBpfInterceptor } from "../src/index.ts";
import { errnoStress, staleErrno } from "./errno-stress.ts";

describeKernel("bpf() errors (Bun)", () => {
  afterEach(() => setBpfInterceptor(undefined));

  it("go through the direct entry on x86-64, where the error is the return value", () => {
    // The machine this suite is written for; other architectures fall back to libc.
    expect(bpfEntry()).toBe(process.arch === "x64" ? "direct" : "libc");
  });

  it("are the failing call's own errno, 100,000 times over, through allocation and forced GC", async () => {
    const r = await errnoStress({ failures: 100_000, gcEvery: 250, gc: () => Bun.gc(true) });
    console.log(`bun errno stress (${bpfEntry()}): ${JSON.stringify(r)}`);
    expect(r.mismatches).toEqual([]);
    expect(r.failures).toBeGreaterThanOrEqual(100_000);
    expect(Object.keys(r.byCode).sort()).toEqual(["E2BIG", "EBADF", "EFAULT", "EINVAL", "ENOENT", "EPERM"]);
    expect(r.successes).toBeGreaterThan(20_000);
    expect(r.gcs).toBeGreaterThan(400);
    expect(r.finalizers).toBeGreaterThan(0);
  });

  it("through libc's syscall() and errno, too, 100,000 times over, through allocation and forced GC", async () => {
    const r = await errnoStress({ failures: 100_000, gcEvery: 250, gc: () => Bun.gc(true), via: "libc" });
    console.log(`bun errno stress (libc): ${JSON.stringify(r)}`);
    expect(r.mismatches).toEqual([]);
    expect(r.failures).toBeGreaterThanOrEqual(100_000);
    expect(r.gcs).toBeGreaterThan(400);
  });

  it("would catch a stale errno (control: every failure reports the previous failure's errno)", async () => {
    setBpfInterceptor(staleErrno());
    const r = await errnoStress({ failures: 1000, gcEvery: 1_000_000, gc: () => {} });
    expect(r.mismatches.length).toBe(10); // capped: nearly every call is wrong
  });
});
