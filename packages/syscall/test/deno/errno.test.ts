import { bpfEntry, setBpfInterceptor } from "../../src/index.ts";
import { errnoStress, staleErrno } from "../errno-stress.ts";
import { assert, assertEquals, fullGc, kernelTest } from "./kernel.ts";

// fullGc() takes ~90 ms under `deno test` here, so one per 1500 calls keeps the run near 10 s.

kernelTest("bpf() goes through the direct entry on x86-64 (Deno)", () => {
  assertEquals(bpfEntry(), Deno.build.arch === "x86_64" ? "direct" : "libc");
});

kernelTest("bpf() errors (Deno): right 100,000 times over, through allocation and forced GC", async () => {
  const r = await errnoStress({ failures: 100_000, gcEvery: 1500, gc: fullGc() });
  console.log(`deno errno stress (${bpfEntry()}): ${JSON.stringify(r)}`);
  assertEquals(r.mismatches, []);
  assert(r.failures >= 100_000);
  assertEquals(Object.keys(r.byCode).sort(), ["E2BIG", "EBADF", "EFAULT", "EINVAL", "ENOENT", "EPERM"]);
  assert(r.successes > 20_000);
  assert(r.gcs >= 80, `gcs ${r.gcs}`);
  assert(r.finalizers > 0, "finalizers ran");
});

// Through libc, errno is read by a second native access after the call, and a full GC in
// between has been seen to overwrite it (1 in 150,000 calls, EAGAIN for EPERM): that is why the
// direct entry exists. Without forced GCs the libc path must still be right.
kernelTest("bpf() errors through libc's syscall() and errno (Deno): right 20,000 times without forced GC", async () => {
  const r = await errnoStress({ failures: 20_000, gcEvery: 1_000_000, gc: () => {}, via: "libc" });
  assertEquals(r.mismatches, []);
});

kernelTest("the errno stress would catch a stale errno (control)", async () => {
  setBpfInterceptor(staleErrno());
  try {
    const r = await errnoStress({ failures: 1000, gcEvery: 1_000_000, gc: () => {} });
    assertEquals(r.mismatches.length, 10);
  } finally {
    setBpfInterceptor(undefined);
  }
});
