import { type Fd, type MapInfo, mapInfo, mapLookup, mapUpdate } from "@bpfkit/syscall";
import { StateError } from "./errors.ts";

export interface MapSpec {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  btfKeyTypeId: number;
  btfValueTypeId: number;
}

/** A map of an object. Its spec is settable until load; after load it has an fd. */
export class BpfMap {
  readonly spec: MapSpec;
  /** ELF section it comes from (".bss", ".maps", ".struct_ops.link", ...). */
  readonly section: string;
  /** Create it at load? Settable until load. */
  autocreate = true;
  #fd: Fd | undefined;

  constructor(spec: MapSpec, section: string) {
    this.spec = spec;
    this.section = section;
  }

  get name(): string {
    return this.spec.name;
  }

  get created(): boolean {
    return this.#fd !== undefined && !this.#fd.closed;
  }

  /** The map's fd; throws unless created. */
  get fd(): Fd {
    if (!this.#fd || this.#fd.closed) throw new StateError(`map "${this.name}" is not created (load the object first)`);
    return this.#fd;
  }

  /** @internal set by the loader */
  _setFd(fd: Fd): void {
    this.#fd = fd;
  }

  /** Map info, read from the kernel. */
  info(): MapInfo {
    return mapInfo(this.fd.value);
  }

  /** Raw lookup: the value bytes for `key`, or undefined. */
  lookup(key: Uint8Array): Uint8Array | undefined {
    const value = new Uint8Array(new ArrayBuffer(this.spec.valueSize));
    return mapLookup(this.fd.value, key, value) ? value : undefined;
  }

  /** Raw update (flags: UpdateFlags). */
  update(key: Uint8Array, value: Uint8Array, flags = 0): void {
    mapUpdate(this.fd.value, key, value, flags);
  }

  close(): void {
    this.#fd?.close();
  }
}
