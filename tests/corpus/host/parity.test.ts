/**
 * Host tier: every selftests struct_ops object the manifest lists, through bpfkit and libbpf 1.8
 * on this kernel — same load outcome or the same kernel reason for refusing it, identical
 * translated code, the same maps registered (each congestion control carrying real traffic).
 */
import { checkFdLeaks, describeKernel, useBpffs } from "@bpfkit/testing";
import { it } from "vitest";
import { hostCorpus } from "./objects.ts";
import { compareObject, type ObjectReport } from "./parity.ts";
import { recordResult } from "./results.ts";

const found = hostCorpus();

describeKernel("host corpus: selftests struct_ops objects, bpfkit vs libbpf 1.8", () => {
  checkFdLeaks();
  const bpffs = useBpffs();
  const corpus = found.corpus;
  if (!corpus) {
    // Only without BPFKIT_REQUIRE_KERNEL=1 (hostCorpus throws then).
    it("has a corpus to run", (ctx) => ctx.skip(found.reason));
    return;
  }
  it.for(corpus.objects)("$name", { timeout: 180_000 }, async (entry, ctx) => {
    if (entry.skip || !entry.path) {
      const why = `skipped: ${entry.skip ?? "not built"}`;
      recordResult(entry.name, why, why);
      ctx.skip(why);
      return;
    }
    const report: ObjectReport = { bpfkit: [], libbpf: [] };
    let failure: unknown;
    try {
      await compareObject(corpus, entry, bpffs(), report);
    } catch (e) {
      failure = e;
      throw e;
    } finally {
      const note = failure && report.bpfkit.length === report.libbpf.length ? " (test failed)" : "";
      recordResult(entry.name, `${report.bpfkit.join("; ") || "error"}${note}`, report.libbpf.join("; ") || "error");
    }
  });
});
