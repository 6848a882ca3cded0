/**
 * Feature probes: one mechanism, one cache, one reset. A feature is a named yes/no question
 * about the running kernel, answered by a probe the first time it is asked and remembered for
 * the process. It lives here, the lowest layer that can ask the kernel, because bpf() commands
 * themselves use probes to explain a refusal (BPF_PROG_ASSOC_STRUCT_OPS); @bpfkit/kernel defines
 * the host's other probes with it and re-exports it.
 */

/** A probed kernel feature: call it for the answer. */
export interface Feature {
  (): boolean;
  /** Short name, unique per process: "prog_assoc_struct_ops", "btf_float", ... */
  readonly featureName: string;
  /** The mainline release that added it (for messages: "needs Linux 7.0"). */
  readonly minKernel: string;
}

const cache = new Map<string, boolean>();
const overrides = new Map<string, boolean>();
const known = new Map<string, Feature>();

/** Defines a feature. Defining the same name twice is a programming error. */
export function feature(name: string, minKernel: string, probe: () => boolean): Feature {
  if (known.has(name)) throw new Error(`feature "${name}" is defined twice`);
  const f = (() => {
    const forced = overrides.get(name);
    if (forced !== undefined) return forced;
    let v = cache.get(name);
    if (v === undefined) {
      v = probe();
      cache.set(name, v);
    }
    return v;
  }) as Feature;
  Object.defineProperty(f, "featureName", { value: name });
  Object.defineProperty(f, "minKernel", { value: minKernel });
  known.set(name, f);
  return f;
}

/** Every feature defined so far, by name. */
export function features(): ReadonlyMap<string, Feature> {
  return known;
}

/**
 * Answers `name` with `value` instead of probing (a test pretending the kernel lacks a BTF kind,
 * a tool targeting an older kernel); `undefined` probes again.
 */
export function overrideFeature(name: string, value: boolean | undefined): void {
  if (value === undefined) overrides.delete(name);
  else overrides.set(name, value);
}

/** Forgets every probe result and override (tests; or after a kernel change under a long-lived process). */
export function resetProbes(): void {
  cache.clear();
  overrides.clear();
}
