// What of the corpus build (tests/corpus) goes into the guest: the VM-tier objects, bpftool 7.8
// and the libbpf 1.8 oracle loader (corpus-load), under /corpus, with /corpus/manifest.json
// naming them by their guest paths. initramfs.ts packs the files and the shared libraries the two
// binaries need. When the host has no corpus, the guest gets the reason instead, so the corpus
// test fails saying what to run rather than skipping.
import { basename } from "node:path";
import { type Corpus, readCorpus } from "../corpus/corpus.ts";

/** Where the corpus lives in the guest. */
export const GUEST_CORPUS = "/corpus";
export const GUEST_CORPUS_MANIFEST = `${GUEST_CORPUS}/manifest.json`;
/** Read by tests/vm/tests/corpus-sched-ext.test.ts when there is no manifest. */
export const GUEST_CORPUS_UNAVAILABLE = `${GUEST_CORPUS}/unavailable.txt`;

/** One object as the guest's manifest lists it. */
export interface GuestObject {
  name: string;
  set: string;
  tier: string;
  /** Guest path; absent for a skipped object. */
  path?: string;
  skip?: string;
}

/** /corpus/manifest.json. */
export interface GuestManifest {
  /** Debian version of the sources the objects, bpftool and libbpf were built from. */
  version: string;
  /** `uname -r` of the kernel those sources are. */
  release: string;
  bpftoolVersion: string;
  libbpfVersion: string;
  clang: string;
  bpftool: string;
  loader: string;
  objects: GuestObject[];
}

export interface GuestCorpus {
  /** Guest path (relative, no leading slash) -> host path. */
  files: Map<string, string>;
  /** Host binaries whose shared libraries the guest needs too. */
  binaries: string[];
  manifest: GuestManifest;
}

export type CorpusForGuest = { ok: true; corpus: GuestCorpus } | { ok: false; reason: string };

/**
 * The VM tier's share of the host's corpus build, or why there is none: not built, stale, or built
 * for another kernel than the one booting (`guestRelease`; "(custom)" for BPFKIT_VM_KERNEL, which
 * takes the corpus as it is). Reads files only; building is `npm run test:corpus`'s job.
 */
export function corpusForGuest(guestRelease: string): CorpusForGuest {
  let corpus: Corpus;
  try {
    corpus = readCorpus();
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  if (guestRelease !== "(custom)" && corpus.release !== guestRelease) {
    return {
      ok: false,
      reason: `the corpus was built for ${corpus.release} (${corpus.version}) but the guest boots ${guestRelease}: run npm run test:corpus again`,
    };
  }
  const files = new Map<string, string>();
  const put = (guest: string, host: string) => {
    files.set(guest.slice(1), host);
    return guest;
  };
  const bpftool = put(`${GUEST_CORPUS}/bin/bpftool`, corpus.bpftool);
  const loader = put(`${GUEST_CORPUS}/bin/corpus-load`, corpus.loader);
  const objects: GuestObject[] = corpus.objects
    .filter((o) => o.tier === "vm")
    .map((o) => {
      const entry: GuestObject = { name: o.name, set: o.set, tier: o.tier };
      if (o.skip) entry.skip = o.skip;
      else if (o.path) entry.path = put(`${GUEST_CORPUS}/obj/${o.set}/${basename(o.path)}`, o.path);
      return entry;
    });
  const { version, release, bpftoolVersion, libbpfVersion, clang } = corpus;
  return {
    ok: true,
    corpus: {
      files,
      binaries: [corpus.bpftool, corpus.loader],
      manifest: { version, release, bpftoolVersion, libbpfVersion, clang, bpftool, loader, objects },
    },
  };
}
