import { readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import type { Btf } from "@bpfkit/btf";
import {
  btfFeatures,
  hasBpfCookie,
  hasSyscallWrapper,
  type KernelBtfSource,
  kernelBtfSource,
  type ModuleBtf,
  openModuleBtf,
  readKernelConfig,
  runningKernelVersion,
  withModuleSnapshot,
} from "@bpfkit/kernel";
import { type Extern, kconfigData, kernelReadyBtf, type LinkContext, libbpfExternIndex, linkProgram, ObjectSpec, Pinning, parseKernelConfig, sanitizeBtf } from "@bpfkit/object";
import { btfLoad, type Fd, MapFlags, MapType, mapFreeze, mapUpdate, ProgType, progAssocStructOps, progLoad } from "@bpfkit/syscall";
import { resolveAttachTarget } from "./attach-target.ts";
import { createBtfMaps, createMap, fillSlots } from "./create-maps.ts";
import { type DataMap, mapDataMemory } from "./data-map.ts";
import { ObjectError, StateError, StructOpsError } from "./errors.ts";
import { type KsymTarget, resolveKsym } from "./ksym.ts";
import type { Link } from "./link.ts";
import { type BpfMap, setMapFd, ZERO_KEY } from "./map.ts";
import { type Opened, openSpec } from "./open.ts";
import { type Program, setProgramFd } from "./program.ts";
import { freezeStructOps, type StructOpsMap } from "./struct-ops-map.ts";

export interface OpenOptions {
  /** Object name used for map names and messages; defaults to the file name without ".o"/".bpf.o". */
  readonly name?: string;
  /** Where maps declared with `__uint(pinning, LIBBPF_PIN_BY_NAME)` are pinned and looked for; default /sys/fs/bpf. */
  readonly pinRoot?: string;
}

export interface LoadOptions {
  /** Verifier log level for every program (0: only on failure). */
  readonly logLevel?: number;
  /**
   * Associate every loaded non-struct_ops program with the object's only struct_ops map
   * (BPF_PROG_ASSOC_STRUCT_OPS, Linux 7.0+), so its BPF code can reach that map's instance.
   * Off by default; an object with several struct_ops maps must associate explicitly.
   */
  readonly assocStructOps?: boolean;
  /**
   * Kernel config lines (`CONFIG_X=y` ...) for `.kconfig` externs, taking precedence over the
   * running kernel's /proc/config.gz or /boot/config-$(uname -r) (libbpf's `kconfig` option).
   */
  readonly kconfig?: string;
  /**
   * The vmlinux BTF to resolve against (struct_ops types, kfuncs, ksyms, attach targets, CO-RE)
   * instead of /sys/kernel/btf/vmlinux: for tests, or a kernel described by a BTF file.
   */
  readonly kernelBtf?: Btf;
  /** Module BTF (split over that vmlinux) to search instead of the loaded modules'. */
  readonly modules?: readonly ModuleBtf[];
}

export type ObjectState = "opened" | "loaded" | "closed";


/**
 * A BPF object file. `open` reads the file only; `load` creates maps and loads programs but makes
 * nothing live; `attach` registers the struct_ops maps. Closing releases everything it created.
 */
export class BpfObject implements Disposable {
  readonly name: string;
  readonly #o: Opened;
  #state: ObjectState = "opened";
  #btfFd: Fd | undefined;
  /** BTF objects of kernel modules whose struct_ops types this object implements, by module name. */
  readonly #moduleBtf = new Map<string, Fd>();
  readonly #links: Link[] = [];
  readonly #ksyms = new Map<string, KsymTarget>();
  /** fd_array for PROG_LOAD: slot 0 unused (vmlinux), then module BTF fds. */
  readonly #fdArray: number[] = [0];
  /** The kernel BTF this load resolves against (LoadOptions.kernelBtf / .modules, else the running kernel's). */
  #kernel: KernelBtfSource | undefined;
  /** Pins this load made (removed again if the load fails). */
  readonly #pinnedNow: string[] = [];

  private constructor(o: Opened) {
    this.#o = o;
    this.name = o.name;
  }

  /** Opens an object file (reads it; no kernel calls). Throws ElfError, BtfError or ObjectError. */
  static open(path: string, options: OpenOptions = {}): BpfObject {
    const bytes = new Uint8Array(readFileSync(path));
    // libbpf's default: the file name up to its first dot (at most 15 characters).
    return BpfObject.fromBytes(bytes, { ...options, name: options.name ?? basename(path).split(".")[0]!.slice(0, 15) });
  }

  /** Opens an object from its bytes. */
  static fromBytes(bytes: Uint8Array, options: OpenOptions = {}): BpfObject {
    return BpfObject.fromSpec(ObjectSpec.parse(bytes, { name: options.name ?? "object" }), options);
  }

  /**
   * Opens a parsed spec. The spec is only read: every edit before load (map shapes, data,
   * struct_ops fields, autoload) goes to this object's own copies, so one spec opens many times.
   */
  static fromSpec(spec: ObjectSpec, options: OpenOptions = {}): BpfObject {
    const o = openSpec(spec);
    const root = options.pinRoot ?? "/sys/fs/bpf";
    for (const { map } of o.btfMaps) if (map.spec.pinning === Pinning.BY_NAME) map.pinPath = join(root, map.name);
    return new BpfObject(o);
  }

  /**
   * Opens `spec` and loads it (libbpf-rs's OpenObject::load): the spec stays as parsed, so it can
   * be loaded again, into another object.
   */
  static load(spec: ObjectSpec, options: OpenOptions & LoadOptions = {}): BpfObject {
    const obj = BpfObject.fromSpec(spec, options);
    obj.load(options);
    return obj;
  }

  /** The parsed spec this object was opened from (never changed by edits or load). */
  get spec(): ObjectSpec {
    return this.#o.spec;
  }

  get state(): ObjectState {
    return this.#state;
  }

  get license(): string {
    return this.#o.license;
  }

  /** The object's externs: `.kconfig` values, `__ksym` variables and kfuncs, with their `__weak`ness. */
  get externs(): readonly Extern[] {
    return this.#o.externs;
  }

  get programs(): readonly Program[] {
    return this.#o.programs;
  }

  /** Every map: global data, BTF-defined (.maps), then struct_ops. */
  get maps(): readonly BpfMap[] {
    return [...this.#o.dataMaps, ...this.#o.btfMaps.map((m) => m.map), ...this.#o.structOps];
  }

  get dataMaps(): readonly DataMap[] {
    return this.#o.dataMaps;
  }

  get structOpsMaps(): readonly StructOpsMap[] {
    return this.#o.structOps;
  }

  // Lookups by name: the method named for the thing throws an ObjectError (code "not-found")
  // that lists what the object has; its find* twin returns undefined instead.

  /** The program called `name`; throws ObjectError "not-found" listing the programs there are. */
  program(name: string): Program {
    return this.findProgram(name) ?? this.#missing(`program "${name}"`, this.#o.programs.map((x) => x.name));
  }

  /** The program called `name`, or undefined. */
  findProgram(name: string): Program | undefined {
    return this.#o.programs.find((x) => x.name === name);
  }

  /** A map by its name, or a global data map by its section (".data.X": libbpf's name for it, which the kernel's may cut). Throws ObjectError "not-found" when there is none. */
  map(name: string): BpfMap {
    return this.findMap(name) ?? this.#missing(`map "${name}"`, this.maps.map((x) => x.name));
  }

  /** As map(), or undefined. */
  findMap(name: string): BpfMap | undefined {
    return this.maps.find((x) => x.name === name) ?? (name.startsWith(".") ? this.#o.dataMaps.find((x) => x.section === name) : undefined);
  }

  /** The global data map of a section: ".bss", ".data", ".rodata", ...; throws ObjectError "not-found" when the object has no such section. */
  data(section: string): DataMap {
    return this.findData(section) ?? this.#missing(`${section} section`, this.#o.dataMaps.map((x) => x.section));
  }

  /** As data(), or undefined. */
  findData(section: string): DataMap | undefined {
    return this.#o.dataMaps.find((x) => x.section === section);
  }

  /** The struct_ops map of variable `name`; throws ObjectError "not-found" when there is none. */
  structOps(name: string): StructOpsMap {
    return this.findStructOps(name) ?? this.#missing(`struct_ops variable "${name}"`, this.#o.structOps.map((x) => x.name));
  }

  /** As structOps(), or undefined. */
  findStructOps(name: string): StructOpsMap | undefined {
    return this.#o.structOps.find((x) => x.name === name);
  }

  #missing(what: string, has: readonly string[]): never {
    throw new ObjectError(this.name, `no ${what} (has: ${has.join(", ") || "none"})`, { code: "not-found" });
  }

  /**
   * Creates maps and loads programs. Nothing runs yet: struct_ops values are written at attach.
   * On failure every kernel object created so far is released and the error (with the verifier
   * log for a rejected program) is thrown.
   */
  load(options: LoadOptions = {}): void {
    if (this.#state !== "opened") throw new StateError(`object "${this.name}" is ${this.#state}; load() needs a freshly opened object`, this.#state === "closed" ? "closed" : "already-loaded");
    try {
      withModuleSnapshot(() => this.#load(options));
      this.#state = "loaded";
    } catch (e) {
      this.#release(); // nothing is registered during load: only fds to close, and our pins
      for (const path of this.#pinnedNow.splice(0)) rmSync(path, { force: true });
      throw e;
    }
  }

  #load(options: LoadOptions): void {
    const o = this.#o;
    const kernel = kernelBtfSource(options);
    this.#kernel = kernel;
    const structOps = o.structOps.filter((m) => m.autocreate);
    for (const m of structOps) m.prepare(kernel);
    this.#settleAutoload(structOps);

    const btf = o.objectBtf.current; // the object's, with what resized data sections added
    if (btf) this.#btfFd = btfLoad(sanitizeBtf(kernelReadyBtf(btf, o.elf, this.name, o.kconfig), btfFeatures()));
    if (o.kconfig) {
      const weak = new Set(o.externs.filter((e) => e.weak).map((e) => e.name));
      const override = options.kconfig === undefined ? undefined : parseKernelConfig(options.kconfig, "LoadOptions.kconfig");
      this.data(".kconfig").initial.set(
        kconfigData(o.btf!, this.name, () => readKernelConfig(), { weak, hasBpfCookie, hasSyscallWrapper, kernelVersion: runningKernelVersion, ...(override ? { override } : {}) }),
      );
    }
    const btfFd = this.#btfFd?.value;

    for (const m of o.dataMaps) {
      if (!m.autocreate) continue;
      const s = m.spec;
      setMapFd(m, createMap(s, { object: this.name, btfFd }));
      mapUpdate(m.fd.value, ZERO_KEY, m.initial);
      // Frozen before any program loads, so the verifier can treat .rodata as constants.
      if (m.readonly) mapFreeze(m.fd.value);
      if (m.spec.flags & MapFlags.MMAPABLE) mapDataMemory(m);
    }
    createBtfMaps(o, btfFd, this.#pinnedNow);

    const ctx: LinkContext = {
      object: this.name,
      elf: o.elf,
      relocs: o.relocs,
      textIndex: o.textIndex,
      subprogs: o.subprogs,
      dataMaps: new Map(o.dataMaps.filter((m) => m.autocreate && m.section !== ".kconfig").map((m) => [o.elf.section(m.section)!.index, m])),
      btfMaps: {
        section: o.mapsIndex,
        byOffset: new Map(o.btfMaps.filter((m) => m.map.created).map((m) => [m.offset, { name: m.map.name, fd: m.map.fd.value }])),
      },
      uncreatedMap: (section, offset) => {
        const map =
          section === o.mapsIndex
            ? o.btfMaps.find((m) => m.offset === offset)?.map
            : o.dataMaps.find((m) => m.section !== ".kconfig" && o.elf.section(m.section)?.index === section);
        if (!map || map.autocreate) return undefined;
        return this.#libbpfMapOrder().indexOf(map);
      },
      ext: o.ext,
      core: o.btf && o.ext?.coreRelos.length ? { local: o.btf, targets: [kernel.vmlinux(), ...kernel.modules().map((m) => m.btf)] } : undefined,
      kfunc: (name, program) => {
        const t = this.#ksym(name, program);
        if (t.kind === "missing") return { missing: Math.max(0, libbpfExternIndex(o.externs, name)) };
        if (t.kind !== "btf") throw new ObjectError(this.name, `"${name}" is called but is not a kernel function`, { subject: `program "${program}"` });
        return { id: t.id, fdIndex: t.module ? this.#fdArraySlot(t.module) : 0 };
      },
      externLoad: (name, program) => {
        const e = o.externs.find((x) => x.name === name);
        if (e?.kind === "kconfig") {
          const at = o.kconfig?.externs.find((x) => x.name === name);
          if (!at) throw new ObjectError(this.name, `.kconfig extern "${name}" has no place in the .kconfig map`, { subject: `program "${program}"` });
          return { kind: "kconfig", fd: this.data(".kconfig").fd.value, offset: at.offset };
        }
        const t = this.#ksym(name, program);
        if (t.kind === "btf") return { kind: "btf", id: t.id, btfFd: t.module ? this.#module(t.module) : 0 };
        return { kind: "imm", value: t.kind === "addr" ? t.addr : 0n };
      },
    };
    for (const p of o.programs) {
      if (!p.autoload) continue;
      if (p.def.btfTarget && !p.attachBtfId) {
        const t = resolveAttachTarget(p.def, p.section.replace(/^\?/, ""), { vmlinux: kernel.vmlinux(), modules: kernel.modules() }, {
          object: this.name,
          program: p.name,
          ...(p.attachTarget ? { target: p.attachTarget } : {}),
        });
        if (t) {
          p.attachBtfId = t.attachBtfId;
          p.attachBtfModule = t.module;
        }
      }
      const linked = linkProgram(ctx, p);
      const loaded = progLoad({
        type: p.type,
        insns: linked.insns,
        license: o.license,
        name: p.name,
        expectedAttachType: p.expectedAttachType,
        flags: p.flags,
        kernVersion: o.kernVersion,
        ...(this.#fdArray.length > 1 ? { fdArray: this.#fdArray } : {}),
        attachBtfId: p.attachBtfId,
        ...(p.attachBtfModule ? { attachBtfObjFd: this.#module(p.attachBtfModule) } : {}),
        logLevel: options.logLevel ?? 0,
        ...(btfFd !== undefined
          ? {
              btfFd,
              funcInfo: { recSize: 8, data: linked.funcInfo },
              lineInfo: { recSize: 16, data: linked.lineInfo },
            }
          : {}),
      });
      setProgramFd(p, loaded.fd);
      p.log = loaded.log;
    }
    fillSlots(o, (m) => m.spec.type === MapType.PROG_ARRAY);

    for (const m of structOps) {
      const module = m.kernel!.module;
      setMapFd(
        m,
        createMap(m.spec, {
          object: this.name,
          btfFd,
          kernelTyped: { btfVmlinuxValueTypeId: m.kernel!.valueTypeId, ...(module ? { valueTypeBtfObjFd: this.#module(module) } : {}) },
        }),
      );
      freezeStructOps(m);
    }

    if (options.assocStructOps) this.#associate(structOps);
  }

  /** The object's maps in libbpf's order (obj->maps): `.maps`, global data in section order, `.kconfig`, struct_ops. */
  #libbpfMapOrder(): BpfMap[] {
    return [...this.#o.btfMaps.map((m) => m.map), ...this.#o.dataMaps, ...this.#o.structOps];
  }

  /** Resolves a ksym or kfunc once per load (every program that uses it gets the same answer). */
  #ksym(name: string, program: string): KsymTarget {
    let t = this.#ksyms.get(name);
    if (!t) {
      const e = this.#o.externs.find((x) => x.name === name) ?? { name, kind: "kfunc", weak: false, localType: 0 };
      t = resolveKsym(e, this.#o.btf, this.name, program, this.#kernel);
      this.#ksyms.set(name, t);
    }
    return t;
  }

  /** A module's slot in fd_array, where kfunc calls name the module's BTF (insn.off); 0 is vmlinux. */
  #fdArraySlot(module: string): number {
    const fd = this.#module(module);
    let i = this.#fdArray.indexOf(fd, 1);
    if (i < 0) i = this.#fdArray.push(fd) - 1;
    return i;
  }

  #module(name: string): number {
    let fd = this.#moduleBtf.get(name);
    if (!fd) {
      fd = openModuleBtf(name);
      this.#moduleBtf.set(name, fd);
    }
    return fd.value;
  }

  #associate(structOps: readonly StructOpsMap[]): void {
    const targets = this.#o.programs.filter((p) => p.loaded && p.type !== ProgType.STRUCT_OPS);
    if (targets.length === 0) return;
    if (structOps.length !== 1) {
      throw new ObjectError(
        this.name,
        `assocStructOps needs exactly one struct_ops map to associate with; this object creates ${structOps.length} (${structOps.map((m) => m.name).join(", ") || "none"}): call program.assocStructOps(map) for each program instead`,
      );
    }
    for (const p of targets) progAssocStructOps(p.fd.value, structOps[0]!.fd.value);
  }

  /** A struct_ops program is loaded only when a map that will be created uses it. */
  #settleAutoload(created: readonly StructOpsMap[]): void {
    const used = new Set<Program>();
    for (const m of created) for (const p of m.slots().values()) if (p) used.add(p);
    const referenced = new Set<Program>();
    for (const m of this.#o.structOps) for (const p of m.slots().values()) if (p) referenced.add(p);
    for (const p of this.#o.programs) {
      if (p.def.type !== ProgType.STRUCT_OPS || !p.autoload) continue;
      if (used.has(p)) continue;
      if (referenced.has(p)) {
        p.autoload = false;
        continue;
      }
      throw new StructOpsError(
        "",
        "unreferenced-program",
        `program "${p.name}" (section ${p.section}) is a struct_ops program that no struct_ops variable uses; set it in a variable's function slot or set program.autoload = false`,
      );
    }
  }

  /** Registers every created struct_ops map (unless autoattach is off); returns their links, which close() closes. */
  attach(): Link[] {
    if (this.#state !== "loaded") throw new StateError(`object "${this.name}" is ${this.#state}; attach() needs load() first`, this.#state === "closed" ? "closed" : "not-loaded");
    const links: Link[] = [];
    for (const m of this.#o.structOps) {
      if (!m.created || !m.autoattach) continue;
      const link = m.attach();
      links.push(link);
      this.#links.push(link);
    }
    return links;
  }

  /**
   * Links first (unregister), then programs and maps, then BTF. A failure to unregister does not
   * stop the rest from being released; it is returned so the caller hears of it.
   */
  #release(): unknown {
    let failure: unknown;
    for (const l of this.#links.splice(0)) {
      try {
        l.close();
      } catch (e) {
        failure ??= e;
      }
    }
    for (const p of this.#o.programs) p.close();
    for (const m of this.maps) m.close();
    for (const fd of this.#moduleBtf.values()) fd.close();
    this.#moduleBtf.clear();
    this.#btfFd?.close();
    this.#btfFd = undefined;
    return failure;
  }

  /**
   * Unregisters what attach() registered (unless disconnected or pinned) and closes every fd.
   * Every fd is closed even when unregistering fails; that failure is then thrown (a legacy map
   * whose value the kernel would not delete stays registered: see `bpfkit struct-ops unregister`).
   */
  close(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    const failure = this.#release();
    if (failure) throw failure;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
