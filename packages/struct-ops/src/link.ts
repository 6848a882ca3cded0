import { unlinkSync } from "node:fs";
import { BpfError, type Fd, type LinkInfo, linkDetach, linkInfo, linkUpdate, mapDelete, nativeBuffer, objPin, sys } from "@bpfkit/syscall";
import { StateError, StructOpsError } from "./errors.ts";
import { ZERO_KEY } from "./map.ts";
import { type StructOpsMap, writeStructOpsValue } from "./struct-ops-map.ts";

const POLLHUP = 0x10;
const POLL_INTERVAL_MS = 100;

/** Package-private (index.ts does not export it): a Link for a kernel link's fd, or undefined for a legacy registration. */
export let newLink: (fd: Fd | undefined, map: StructOpsMap) => Link;

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
  #detached: Promise<void> | undefined;
  #stopWatch: (() => void) | undefined;

  private constructor(fd: Fd | undefined, map: StructOpsMap) {
    this.#fd = fd;
    this.#map = map;
  }

  static {
    newLink = (fd, map) => new Link(fd, map);
  }

  /** True for a kernel BPF link; false for a legacy registration. */
  get isKernelLink(): boolean {
    return this.#fd !== undefined;
  }

  /** The link fd (kernel links only). */
  get fd(): Fd {
    if (!this.#fd) throw new StateError("a legacy struct_ops registration has no link fd", "not-supported");
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
   * `expectOld`, only if the link still holds that map (BPF_F_REPLACE).
   */
  update(next: StructOpsMap, options: { expectOld?: StructOpsMap } = {}): void {
    if (!this.#fd) throw new StateError("legacy struct_ops registrations cannot be updated; use a .struct_ops.link map", "not-supported");
    if (!next.isLink) throw new StateError(`map "${next.name}" is not a .struct_ops.link map`, "not-supported");
    writeStructOpsValue(next);
    try {
      linkUpdate(this.#fd.value, next.fd.value, options.expectOld?.fd.value);
    } catch (e) {
      // With BPF_F_REPLACE the kernel answers EPERM when the link holds some other map.
      if (e instanceof BpfError && e.code === "EPERM" && options.expectOld) {
        throw new StructOpsError(
          next.name,
          "expect-old-mismatch",
          `link update refused: the link does not hold map "${options.expectOld.name}" (it holds "${this.#map.name}"); nothing was changed`,
          { kernelType: next.kernelTypeName },
        );
      }
      const hint = e instanceof BpfError ? updateRefusal(e.code, this.#map, next) : undefined;
      if (hint) {
        throw new BpfError((e as BpfError).command, (e as BpfError).errno, {
          context: `struct_ops link from map "${this.#map.name}" to "${next.name}"`,
          hint: `${hint}; the link still holds "${this.#map.name}"`,
        });
      }
      throw e;
    }
    this.#map = next;
  }

  /** Unregisters now. A kernel link stays open but defunct until closed. */
  detach(): void {
    if (this.#fd) linkDetach(this.#fd.value);
    else mapDelete(this.#map.fd.value, ZERO_KEY);
  }

  /**
   * Settles when the kernel detaches the link — by detach() here, `bpfkit struct-ops unregister`,
   * another process, or the subsystem itself (e.g. sched_ext ejecting a scheduler). The link fd
   * reports POLLHUP then; it is polled without blocking the event loop. Kernel links only.
   */
  get detached(): Promise<void> {
    if (!this.#fd) return Promise.reject(new StateError("a legacy struct_ops registration has no link to watch", "not-supported"));
    this.#detached ??= new Promise<void>((resolve) => {
      const fd = this.#fd!;
      const pfd = nativeBuffer(8);
      const view = new DataView(pfd.buffer);
      const check = () => {
        if (fd.closed) return stop(true);
        view.setInt32(0, fd.value, true);
        view.setInt16(4, POLLHUP, true);
        view.setInt16(6, 0, true);
        if (sys.poll(pfd, 1, 0) > 0 && (view.getInt16(6, true) & POLLHUP) !== 0) stop(true);
      };
      const timer = setInterval(check, POLL_INTERVAL_MS);
      // Watching must not keep the process alive on its own.
      (timer as { unref?: () => void }).unref?.();
      const stop = (settle: boolean) => {
        clearInterval(timer);
        this.#stopWatch = undefined;
        if (settle) resolve();
      };
      this.#stopWatch = () => stop(true);
      check();
    });
    return this.#detached;
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
      this.#stopWatch?.();
      return;
    }
    if (!this.#disconnected && this.#map.created) mapDelete(this.#map.fd.value, ZERO_KEY);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Why the kernel refused to swap `next` in for `current`, in struct_ops terms (the generic
 * EINVAL hint, about kernels older than BPF_LINK_UPDATE, does not apply to a struct_ops link).
 */
function updateRefusal(code: string, current: StructOpsMap, next: StructOpsMap): string | undefined {
  const type = current.kernelTypeName;
  if (code === "EOPNOTSUPP" || code === "ENOTSUPP") {
    return `the kernel cannot replace a registered ${type} in place (it has no update operation): detach the link and register "${next.name}" instead`;
  }
  if (code !== "EINVAL") return undefined;
  if (next.kernelTypeName !== type) {
    return `the link registers a ${type} and map "${next.name}" is a ${next.kernelTypeName}: a link is updated only with a map of the same kernel type`;
  }
  const named = (m: StructOpsMap) => (m.members.some((x) => x.name === "name") ? String(m.field("name")) : undefined);
  const was = named(current);
  const now = named(next);
  if (was !== undefined && now !== undefined && was !== now) {
    // tcp_update_congestion_control replaces the ops registered under one name, and only with ops of that name.
    return `the names differ: the link registers ${type} "${was}" (map "${current.name}") and map "${next.name}" is named "${now}", but the kernel replaces a registered ${type} only with one of the same name: give "${next.name}" the name "${was}" (setField("name", ...) before load), or register it beside the other (map.attach())`;
  }
  return `the kernel's ${type} refused "${next.name}" as a replacement (its value failed the type's checks, e.g. a required function slot is empty, or "${current.name}" is no longer the registered one)`;
}
