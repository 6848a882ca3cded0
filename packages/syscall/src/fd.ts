import { backend } from "./ffi/select.ts";

const leakWarnings: boolean = (() => {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NODE_ENV !== "production";
  } catch {
    // Deno without --allow-env throws on reading the environment: keep the warnings on.
    return true;
  }
})();

// A descriptor nobody closed is closed when its owner is collected; in development we also say
// so, because a leaked struct_ops link or prog fd keeps kernel objects alive until then.
const registry = new FinalizationRegistry<{ fd: number; kind: string }>((held) => {
  if (leakWarnings) console.warn(`bpfkit: ${held.kind} fd ${held.fd} was never closed; closing it now (use close() or \`using\`)`);
  backend().call("close", [held.fd]);
});

/** Owns one file descriptor. close() is idempotent; `using` closes it at scope exit. */
export class Fd implements Disposable {
  #fd: number;
  /** What it refers to, for messages: "prog", "map", "link", "btf", ... */
  readonly kind: string;

  constructor(fd: number, kind = "fd") {
    if (!Number.isInteger(fd) || fd < 0) throw new TypeError(`bpfkit: invalid file descriptor ${fd}`);
    this.#fd = fd;
    this.kind = kind;
    registry.register(this, { fd, kind }, this);
  }

  /** The descriptor number. Throws once closed, so a stale number is never reused by mistake. */
  get value(): number {
    if (this.#fd < 0) throw new Error(`bpfkit: ${this.kind} fd used after close()`);
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    registry.unregister(this);
    backend().call("close", [fd]);
  }

  /** Gives up ownership: the caller must close the returned number. */
  release(): number {
    const fd = this.value;
    this.#fd = -1;
    registry.unregister(this);
    return fd;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  toString(): string {
    return this.#fd < 0 ? `${this.kind} fd (closed)` : `${this.kind} fd ${this.#fd}`;
  }
}
