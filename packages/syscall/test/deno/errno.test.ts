import { setBpfInterceptor } from "../../src/index.ts";
import { errnoStress } from "../errno-stress.ts";
import { assert, assertEquals, fullGc, kernelTest } from "./kernel.ts";

// fullGc() takes ~90 ms under `deno test` here, so one per 1500 calls keeps the run near 10 s.

kernelTest("errno after a synchronous FFI call (Deno): right 100,000 times over, through allocation and forced GC", async () => {
  const r = await errnoStress({ failures: 100_000, gcEvery: 1500, gc: fullGc() });
  console.log(`deno errno stress: ${JSON.stringify(r)}`);
  assertEquals(r.mismatches, []);
  assert(r.failures >= 100_000);
  assertEquals(Object.keys(r.byCode).sort(), ["E2BIG", "EBADF", "EFAULT", "EINVAL", "ENOENT", "EPERM"]);
  assert(r.successes > 20_000);
  assert(r.gcs >= 80, `gcs ${r.gcs}`);
  assert(r.finalizers > 0, "finalizers ran");
});

kernelTest("the errno stress would catch a stale errno (control)", async () => {
  let previous = 0;
  setBpfInterceptor((_cmd, _attr, next) => {
    const r = next();
    if (r.ret !== -1) return r;
    const stale = previous || r.errno;
    previous = r.errno;
    return { ret: -1, errno: stale };
  });
  try {
    const r = await errnoStress({ failures: 1000, gcEvery: 1_000_000, gc: () => {} });
    assertEquals(r.mismatches.length, 10);
  } finally {
    setBpfInterceptor(undefined);
  }
});
