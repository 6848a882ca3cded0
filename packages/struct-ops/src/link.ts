import { unlinkSync } from "node:fs";
import { type Fd, type LinkInfo, linkDetach, linkInfo, linkUpdate, mapDelete, objPin } from "@bpfkit/syscall";
import { StateError } from "./errors.ts";
import type { StructOpsMap } from "./struct-ops-map.ts";

const ZERO_KEY = new Uint8Array(4);

/**
 * A registered struct_ops map. For .struct_ops.link maps it owns a kernel BPF link: closing it
 * (unless pinned or disconnected) unregisters. For legacy .struct_ops maps there is no kernel link;
 * close() unregisters by deleting the map's value, unless disconnected.
 */
export class Link implements Disposable {
  readonly #fd: Fd | undefined;
  #map: StructOpsMap;
  #pin: string | undefined;
  #disconnected = false;
  #closed = false;

  private constructor(fd: Fd | undefined, map: StructOpsMap) {
    this.#fd = fd;
    this.#map = map;
  }

  /** @internal */
  static _struct(fd: Fd, map: StructOpsMap): Link {
    return new Link(fd, map);
  }

  /** @internal */
  static _legacy(map: StructOpsMap): Link {
    return new Link(undefined, map);
  }

  /** True for a kernel BPF link; false for a legacy registration. */
  get isKernelLink(): boolean {
    return this.#fd !== undefined;
  }

  /** The link fd (kernel links only). */
  get fd(): Fd {
    if (!this.#fd) throw new StateError("a legacy struct_ops registration has no link fd");
    return this.#fd;
  }

  /** The struct_ops map currently registered through this link. */
  get map(): StructOpsMap {
    return this.#map;
  }

  get pinnedAt(): string | undefined {
    return this.#pin;
  }

  /** Link info, read from the kernel. */
  info(): LinkInfo {
    return linkInfo(this.fd.value);
  }

  /**
   * Swaps in another loaded .struct_ops.link map of the same kernel type (BPF_LINK_UPDATE). With
   * `expectOld`, only if the link still holds that map (BPF_F_REPLACE); the kernel answers EPERM otherwise.
   */
  update(next: StructOpsMap, options: { expectOld?: StructOpsMap } = {}): void {
    if (!this.#fd) throw new StateError("legacy struct_ops registrations cannot be updated; use a .struct_ops.link map");
    if (!next.isLink) throw new StateError(`map "${next.name}" is not a .struct_ops.link map`);
    next._writeValue();
    linkUpdate(this.#fd.value, next.fd.value, options.expectOld?.fd.value);
    this.#map = next;
  }

  /** Unregisters now. A kernel link stays open but defunct until closed. */
  detach(): void {
    if (this.#fd) linkDetach(this.#fd.value);
    else mapDelete(this.#map.fd.value, ZERO_KEY);
  }

  /** Pins the link on a bpffs: it then outlives this process until unpinned. */
  pin(path: string): void {
    objPin(this.fd.value, path);
    this.#pin = path;
  }

  /** Removes the pin (the link lives on while an fd to it is open). */
  unpin(): void {
    if (!this.#pin) return;
    unlinkSync(this.#pin);
    this.#pin = undefined;
  }

  /**
   * Keeps the registration when this Link is closed: a legacy map stays registered; a kernel link
   * stays only while something else (a pin, another process's fd) holds it.
   */
  disconnect(): void {
    this.#disconnected = true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#fd) {
      this.#fd.close();
      return;
    }
    if (!this.#disconnected && this.#map.created) mapDelete(this.#map.fd.value, ZERO_KEY);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
