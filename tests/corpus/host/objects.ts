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
    return { reason: e instanceof Error ? e.message : String(e) };
  }
}
