import type { ElfFile } from "@bpfkit/elf";
import { type DataSectionSpec, type DatasecResize, decodeValue, encodeValue, type ObjectBtf, resizeDatasec, type Value, type Variable } from "@bpfkit/object";
import { backend, MapFlags, Mman, mapUpdate, sys } from "@bpfkit/syscall";
import { StateError } from "./errors.ts";
import { BpfMap, checkShapeEdit, ZERO_KEY } from "./map.ts";

export type { Variable } from "@bpfkit/object";

const { PROT_READ, PROT_WRITE, MAP_SHARED } = Mman;
// mmap lengths are whole pages; 4 KiB never exceeds what the kernel allows for any page size.
const PAGE = 4096;

/** Package-private (index.ts does not export it): the loader maps a data map's value after create. */
export let mapDataMemory: (map: DataMap) => void;

/**
 * A global data section (.data, .rodata, .bss, .data.*, .rodata.*) as a one-element array map.
 * Before load, variables are read and set in `initial`; after load, through the kernel.
 */
export class DataMap extends BpfMap {
  readonly readonly: boolean;
  readonly #btf: ObjectBtf;
  readonly #elf: ElfFile | undefined;
  #initial: Uint8Array;
  #variables: readonly Variable[];
  /** What the last valueSize edit did to the section's BTF (libbpf's fix-up), if there was one. */
  #resized: DatasecResize | undefined;
  /** The map's value, mapped into this process after load (BPF_F_MMAPABLE); reads and writes skip bpf(). */
  #mem: { address: number; length: number; view: Uint8Array } | undefined;

  /** A data section's map, from its spec: the map definition and initial bytes are copied, so edits stay here. */
  constructor(spec: DataSectionSpec, btf: ObjectBtf, elf?: ElfFile) {
    super({ ...spec.map }, spec.section);
    const section = spec.section;
    this.#initial = spec.initial.slice();
    this.#variables = spec.variables;
    this.readonly = section.startsWith(".rodata") || section === ".kconfig";
    this.#btf = btf;
    this.#elf = elf;
  }

  /** The value the map is created with: the section's bytes (zeros for .bss). Writable until load. */
  get initial(): Uint8Array {
    return this.#initial;
  }

  get variables(): readonly Variable[] {
    return this.#variables;
  }

  override get valueSize(): number {
    return super.valueSize;
  }

  /**
   * Resizes the section before load, as libbpf's `bpf_map__set_value_size` does: the initial
   * value keeps its first bytes (and is zero-filled when it grows), and when the section's last
   * variable is an array whose element size divides the new tail, that array grows or shrinks
   * with it (a new BTF ARRAY type: `get()` then reads all its elements). Otherwise the map is
   * created without BTF, as libbpf creates it (`resize` says why). Variables that no longer fit
   * are dropped.
   */
  override set valueSize(n: number) {
    if (this.section === ".kconfig") {
      throw new StateError(`the .kconfig map is laid out by the loader from its externs; its valueSize cannot be set`, "not-settable");
    }
    checkShapeEdit(this, "valueSize", n);
    const initial = new Uint8Array(new ArrayBuffer(n));
    initial.set(this.#initial.subarray(0, Math.min(n, this.#initial.byteLength)));
    const resized = this.#elf && this.#btf.current ? resizeDatasec(this.#btf, this.#elf, this.spec.btfValueTypeId, this.section, n) : undefined;
    if (resized && "refused" in resized) {
      this.spec.btfKeyTypeId = 0;
      this.spec.btfValueTypeId = 0;
    }
    this.#variables = this.#variables
      .map((v) => (resized && "variable" in resized && v.name === resized.variable ? { ...v, type: resized.type, size: resized.size } : v))
      .filter((v) => v.offset + v.size <= n);
    this.#initial = initial;
    this.#resized = resized;
    this.spec.valueSize = n;
  }

  /**
   * What the last valueSize edit did to the section's BTF: the trailing array variable it
   * resized, or why it could not (then the map is created without BTF, as libbpf does).
   */
  get resize(): DatasecResize | undefined {
    return this.#resized;
  }

  /** The variable called `name`; throws StateError "not-found" listing the section's variables. */
  variable(name: string): Variable {
    const v = this.findVariable(name);
    if (!v) {
      throw new StateError(`no variable "${name}" in ${this.section} (has: ${this.variables.map((x) => x.name).join(", ") || "none"})`, "not-found");
    }
    return v;
  }

  /** The variable called `name`, or undefined. */
  findVariable(name: string): Variable | undefined {
    return this.variables.find((x) => x.name === name);
  }

  /**
   * Maps the value into memory after create (and freeze, for .rodata: then read-only).
   * Without mmap (a map created elsewhere without BPF_F_MMAPABLE) reads and writes use bpf().
   */
  static {
    mapDataMemory = (map) => map.#mapMemory();
  }

  #mapMemory(): void {
    const length = Math.ceil(this.spec.valueSize / PAGE) * PAGE;
    // Read-only when programs may only read it (libbpf's rule): .rodata and .kconfig are frozen.
    const prot = this.spec.flags & MapFlags.RDONLY_PROG ? PROT_READ : PROT_READ | PROT_WRITE;
    const address = sys.mmap(length, prot, MAP_SHARED, this.fd.value, 0);
    this.#mem = { address, length, view: backend().view(address, this.spec.valueSize) };
  }

  /** Is the value mapped into this process (reads and writes without syscalls)? */
  get mapped(): boolean {
    return this.#mem !== undefined;
  }

  override close(): void {
    if (this.#mem) {
      const { address, length } = this.#mem;
      this.#mem = undefined; // drop the view first: touching it after munmap would crash the process
      sys.munmap(address, length);
    }
    super.close();
  }

  /** The whole value: from the kernel once created, else the initial bytes. */
  read(): Uint8Array {
    if (!this.created) return this.#initial.slice();
    if (this.#mem) return this.#mem.view.slice();
    const v = this.lookup(ZERO_KEY);
    if (!v) throw new StateError(`map "${this.name}" has no element 0`, "not-found");
    return v;
  }

  /** A variable's value, decoded from BTF (integers as number, 64-bit as bigint). */
  override get(name: string): Value {
    const v = this.variable(name);
    const bytes = this.read().subarray(v.offset, v.offset + v.size);
    const btf = this.#btf.current;
    return btf && v.type ? decodeValue(btf, v.type, bytes) : bytes.slice();
  }

  /** Sets a variable: before load in the initial value, after load in the kernel (not for .rodata). */
  override set(name: string, value: Value): void {
    const v = this.variable(name);
    if (this.created && this.readonly) {
      throw new StateError(`${this.section} is read-only (frozen) after load; set "${name}" before load()`, "read-only");
    }
    const buf = this.#mem && this.created ? this.#mem.view : this.created ? this.read() : this.#initial;
    const slot = buf.subarray(v.offset, v.offset + v.size);
    if (buf === this.#mem?.view) {
      // Encode aside and copy in one go, so BPF never sees a half-encoded value.
      const tmp = new Uint8Array(v.size);
      this.#encodeInto(v, value, tmp, name);
      slot.set(tmp);
      return;
    }
    this.#encodeInto(v, value, slot, name);
    if (this.created) mapUpdate(this.fd.value, ZERO_KEY, buf);
  }

  #encodeInto(v: Variable, value: Value, slot: Uint8Array, name: string): void {
    const btf = this.#btf.current;
    if (btf && v.type) encodeValue(btf, v.type, value, slot, `${this.section} variable "${name}"`);
    else if (value instanceof Uint8Array && value.byteLength === v.size) slot.set(value);
    else throw new TypeError(`variable "${name}" has no BTF type; pass ${v.size} raw bytes`);
  }
}
