/** The host tier's share of the corpus manifest: selftests objects to run here, and the oracle. */
// manifest.ts, not corpus.ts: the builder behind corpus.ts imports the VM harness (Bun-only paths).
import { type Corpus, type CorpusObject, readCorpus } from "../manifest.ts";

export type { Corpus, CorpusObject };

/** The corpus with only host-tier objects, or why it is not here (the error names the build command). */
export function hostCorpus(): { corpus?: Corpus; reason?: string } {
  try {
    const corpus = readCorpus();
    return { corpus: { ...corpus, objects: corpus.objects.filter((o) => o.tier === "host") } };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    // Where the kernel tiers are required, a missing corpus fails every host-tier file, not skips it.
    if (process.env.BPFKIT_REQUIRE_KERNEL === "1") throw new Error(`${reason} (BPFKIT_REQUIRE_KERNEL=1)`);
    return { reason };
  }
}
