import { type Btf, kindName } from "@bpfkit/btf";
import type { KernelBtfSource } from "@bpfkit/kernel";
import { decodeValue, encodeValue, type StructOpsMember, type StructOpsSpec, type Value } from "@bpfkit/object";
import { BpfError, MapFlags, MapType, mapUpdate, ProgType, structOpsLinkCreate } from "@bpfkit/syscall";
import { StateError, StructOpsError, type StructOpsErrorCode } from "./errors.ts";
import { findKernelStructOps, type KernelStructOps } from "./kernel-struct-ops.ts";
import { type Link, newLink } from "./link.ts";
import { BpfMap, ZERO_KEY } from "./map.ts";
import { nameTakenHint } from "./name-holder.ts";
import type { Program } from "./program.ts";
import { invalidValueHint } from "./register-hints.ts";

export type { StructOpsMember } from "@bpfkit/object";


/** Package-private (index.ts does not export it): after load, shadow values become read-only. */
export let freezeStructOps: (map: StructOpsMap) => void;
/** Package-private: writes the value into the map (registering a legacy map); once per map. */
export let writeStructOpsValue: (map: StructOpsMap) => void;

/**
 * A struct_ops variable (SEC(".struct_ops") or SEC(".struct_ops.link")) and the map that
 * registers it. Its data members and function slots can be changed until load.
 */
export class StructOpsMap extends BpfMap {
  /** The variable's name (also the map's name). */
  readonly variable: string;
  /** Created with BPF_F_LINK and registered through a BPF link (.struct_ops.link). */
  readonly isLink: boolean;
  readonly localTypeId: number;
  /** Local type name without a ___flavor suffix: the kernel type it implements. */
  readonly kernelTypeName: string;
  readonly members: readonly StructOpsMember[];
  readonly #btf: Btf;
  readonly #shadow: Uint8Array;
  readonly #slots = new Map<string, Program | undefined>();
  /** Register it in BpfObject.attach()? (map.attach() works either way.) */
  autoattach = true;
  #kernel: KernelStructOps | undefined;
  #frozen = false;
  #written = false;

  /** A struct_ops map of an opened object, from its spec; `program` finds the object's Program for a slot's program name. */
  constructor(spec: StructOpsSpec, btf: Btf, program: (name: string) => Program) {
    super(
      {
        name: spec.name,
        type: MapType.STRUCT_OPS,
        keySize: 4,
        valueSize: 0, // the kernel value type's size, known at prepare
        maxEntries: 1,
        flags: spec.isLink ? MapFlags.LINK : 0,
        btfKeyTypeId: 0,
        btfValueTypeId: 0,
      },
      spec.section,
    );
    this.variable = spec.name;
    this.isLink = spec.isLink;
    this.localTypeId = spec.typeId;
    this.kernelTypeName = spec.typeName;
    this.#btf = btf;
    this.#shadow = spec.data.slice();
    this.members = spec.members;
    for (const [member, name] of spec.programs) this.#slots.set(member, name === undefined ? undefined : program(name));
    this.autocreate = spec.autocreate;
  }

  #member(name: string): StructOpsMember {
    const m = this.members.find((x) => x.name === name);
    if (!m) {
      throw new StructOpsError(this.variable, "no-such-member", `the local type ${this.kernelTypeName} has no member "${name}" (has: ${this.members.map((x) => x.name).join(", ")})`, {
        member: name,
        kernelType: this.kernelTypeName,
      });
    }
    return m;
  }

  #writable(what: string): void {
    if (this.#frozen) throw new StateError(`struct_ops map "${this.variable}": ${what} cannot change after load`, "read-only");
  }

  /** A data member's value from the shadow copy (what will be registered). */
  field(name: string): Value {
    const m = this.#member(name);
    if (m.isFunc) return this.#slots.get(name)?.name ?? "";
    if (m.bitfield) throw new TypeError(`member "${name}" is a bitfield; bitfields are not supported`);
    return decodeValue(this.#btf, m.type, this.#shadow.subarray(m.offset, m.offset + m.size));
  }

  /** Sets a data member (e.g. "name", "flags", "timeout_ms") before load. */
  setField(name: string, value: Value): void {
    this.#writable(`member "${name}"`);
    const m = this.#member(name);
    if (m.isFunc) throw new TypeError(`member "${name}" is a function slot: use setProgram()`);
    if (m.bitfield) throw new TypeError(`member "${name}" is a bitfield; bitfields are not supported`);
    encodeValue(this.#btf, m.type, value, this.#shadow.subarray(m.offset, m.offset + m.size), `member "${name}"`);
  }

  /** The program in a function slot, or undefined when empty. */
  program(member: string): Program | undefined {
    const m = this.#member(member);
    if (!m.isFunc) throw new TypeError(`member "${member}" is data, not a function slot`);
    return this.#slots.get(member);
  }

  /** Points a function slot at a program of the object, or empties it (undefined), before load. */
  setProgram(member: string, program: Program | undefined): void {
    this.#writable(`slot "${member}"`);
    const m = this.#member(member);
    if (!m.isFunc) throw new TypeError(`member "${member}" is data, not a function slot`);
    if (program && program.def.type !== ProgType.STRUCT_OPS) {
      throw new StructOpsError(this.variable, "not-struct-ops-program", `program "${program.name}" (section ${program.section}) is not a struct_ops program`, {
        member,
        kernelType: this.kernelTypeName,
      });
    }
    this.#slots.set(member, program);
  }

  /** Function slots and their programs. */
  slots(): ReadonlyMap<string, Program | undefined> {
    return this.#slots;
  }

  /** Kernel-side facts, once prepared for load. */
  get kernel(): KernelStructOps | undefined {
    return this.#kernel;
  }

  /**
   * Matches the local type to the kernel's and checks every member rule; sets the programs'
   * attach type and target. Called by load(); throws StructOpsError naming the rule.
   */
  prepare(kernel?: KernelBtfSource): void {
    const k = findKernelStructOps(this.kernelTypeName, this.variable, kernel);
    const kbtf = k.btf;
    const err = (rule: StructOpsErrorCode, member: string, msg: string) =>
      new StructOpsError(this.variable, rule, msg, { member, kernelType: this.kernelTypeName });
    for (const m of this.members) {
      if (m.bitfield) throw err("bitfield", m.name, "bitfield members cannot be set through struct_ops; declare it as a whole integer");
      const km = kbtf.member(k.typeId, m.name);
      const data = this.#shadow.subarray(m.offset, m.offset + m.size);
      if (!km) {
        if (m.isFunc && this.#slots.get(m.name)) {
          throw err("missing-member-program", m.name, `the kernel's ${this.kernelTypeName} has no member "${m.name}", but a program is set for it`);
        }
        if (data.some((b) => b !== 0)) {
          throw err("missing-member-nonzero", m.name, `the kernel's ${this.kernelTypeName} has no member "${m.name}"; it may only be left zero`);
        }
        continue;
      }
      if (km.bitfieldSize !== 0) throw err("bitfield", m.name, "the kernel member is a bitfield, which struct_ops cannot set");
      const lk = this.#btf.kind(this.#btf.resolve(m.type));
      const kk = kbtf.kind(kbtf.resolve(km.type));
      if (lk !== kk) {
        throw err("kind-mismatch", m.name, `local member is ${kindName(lk)} but the kernel's is ${kindName(kk)}`);
      }
      const kIsFunc = kbtf.funcProtoOfPointer(km.type) !== undefined;
      if (m.isFunc !== kIsFunc) {
        throw err("kind-mismatch", m.name, m.isFunc ? "local member is a function pointer, the kernel's is not" : "the kernel member is a function pointer, the local one is not");
      }
      if (kIsFunc) {
        const prog = this.#slots.get(m.name);
        if (prog) this.#bindProgram(prog, m.name, k, km.index);
        continue;
      }
      const ksize = kbtf.sizeOf(km.type);
      if (ksize !== m.size) {
        throw err("size-mismatch", m.name, `local member is ${m.size} bytes, the kernel's is ${ksize}`);
      }
    }
    this.spec.valueSize = k.valueSize;
    this.#kernel = k;
  }

  #bindProgram(prog: Program, member: string, k: KernelStructOps, index: number): void {
    const bound = prog.attachBtfId !== 0 && prog.type === ProgType.STRUCT_OPS;
    if (bound && (prog.attachBtfId !== k.typeId || prog.attachBtfModule !== k.module || prog.expectedAttachType !== index)) {
      throw new StructOpsError(
        this.variable,
        "program-reuse",
        `program "${prog.name}" already serves another member or kernel type; a program may serve several maps only for the same kernel type and member`,
        { member, kernelType: this.kernelTypeName },
      );
    }
    prog.type = ProgType.STRUCT_OPS;
    prog.attachBtfId = k.typeId;
    prog.attachBtfModule = k.module;
    prog.expectedAttachType = index;
  }

  static {
    freezeStructOps = (map) => {
      map.#frozen = true;
    };
    writeStructOpsValue = (map) => map.#writeValue();
  }

  /** The kernel map value: data members copied, function slots holding program fds. */
  buildValue(): Uint8Array {
    const k = this.#kernel;
    if (!k) throw new StateError(`struct_ops map "${this.variable}" is not prepared (load the object first)`, "not-loaded");
    const value = new Uint8Array(new ArrayBuffer(k.valueSize));
    const view = new DataView(value.buffer);
    for (const m of this.members) {
      const km = k.btf.member(k.typeId, m.name);
      if (!km) continue;
      const at = k.dataOffset + km.bitOffset / 8;
      if (m.isFunc) {
        const prog = this.#slots.get(m.name);
        if (prog) view.setBigUint64(at, BigInt(prog.fd.value), true);
      } else {
        value.set(this.#shadow.subarray(m.offset, m.offset + m.size), at);
      }
    }
    return value;
  }

  /**
   * Writes the value into the map (registering a legacy map). The kernel accepts one write per
   * struct_ops map, so a link map updated back to later is not written again.
   */
  #writeValue(): void {
    if (this.#written) return;
    mapUpdate(this.fd.value, ZERO_KEY, this.buildValue());
    this.#written = true;
  }

  /**
   * Registers it with the kernel. A .struct_ops.link map is registered through a new BPF link
   * (closing the link unregisters); a legacy .struct_ops map is registered by writing its value
   * and the returned Link unregisters by deleting it.
   */
  attach(): Link {
    try {
      this.#writeValue();
      return newLink(this.isLink ? structOpsLinkCreate(this.fd.value) : undefined, this);
    } catch (e) {
      throw e instanceof BpfError ? this.#registerError(e) : e;
    }
  }

  /** The kernel's refusal to register, said in struct_ops terms. */
  #registerError(e: BpfError): BpfError {
    const name = this.members.some((m) => m.name === "name") ? this.field("name") : undefined;
    let hint: string | undefined;
    if (e.code === "EEXIST") hint = nameTakenHint(this.kernelTypeName, String(name ?? this.variable), this.created ? this.info().id : undefined);
    else if (e.code === "EOPNOTSUPP" || e.code === "ENOTSUPP") hint = `the kernel does not allow registering ${this.kernelTypeName} (bpf_dummy_ops, for one, only runs through BPF_PROG_TEST_RUN)`;
    else if (e.code === "EINVAL") hint = invalidValueHint(this.kernelTypeName, this.variable, this.#slots);
    else if (e.code === "EBUSY") hint = "this map's value was already written; a struct_ops map registers once (load the object again)";
    return new BpfError(e.command, e.errno, { context: `struct_ops map "${this.variable}" (${this.kernelTypeName})`, ...(hint ? { hint } : {}), ...(e.log ? { log: e.log } : {}) });
  }
}

