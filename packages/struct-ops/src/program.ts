import type { ProgramSpec, SectionDef } from "@bpfkit/object";
import {
  enumName,
  type Fd,
  type ProgInfo,
  ProgType,
  progAssocStructOps,
  progInfo,
  progTestRun,
  type TestRunOptions,
  type TestRunResult,
} from "@bpfkit/syscall";
import { StateError } from "./errors.ts";

/** A relocation recorded at open, applied at load. `insn` is relative to the program's section. */
export interface Reloc {
  readonly insn: number;
  /** ELF symbol index. */
  readonly symbol: number;
}

/** Anything with a map fd: a BpfMap or a StructOpsMap. */
interface HasMapFd {
  readonly name: string;
  readonly fd: Fd;
}

/** Package-private (index.ts does not export it): the loader gives a loaded program its fd. */
export let setProgramFd: (program: Program, fd: Fd) => void;

/** One BPF program of an object: a function symbol in a program section. */
export class Program implements Disposable {
  readonly name: string;
  /** ELF section, e.g. "struct_ops" or "struct_ops.s/dispatch". */
  readonly section: string;
  readonly sectionIndex: number;
  /** Index of its first instruction within the section. */
  readonly sectionInsn: number;
  /** Its instructions as in the object (relocations are applied to a copy at load). */
  readonly insns: Uint8Array;
  readonly def: SectionDef;
  /** Program type (ProgType); settable until load. */
  type: number;
  expectedAttachType: number;
  /** prog_flags (ProgFlags), e.g. SLEEPABLE for struct_ops.s. */
  flags: number;
  attachBtfId = 0;
  /** Kernel module whose BTF holds `attachBtfId`; undefined for vmlinux. */
  attachBtfModule: string | undefined;
  /**
   * What to attach to, instead of the text after "prefix/" in the section name (for fentry/,
   * tp_btf/, lsm/, iter/ ...: a kernel function, tracepoint, hook or iterator). Settable until load.
   */
  attachTarget: string | undefined;
  /** Load it with the object? Settable until load. */
  autoload = true;
  /** The verifier log of the last load, when logging was asked for. */
  log: string | undefined;
  #fd: Fd | undefined;

  /** A program of an opened object, starting from its spec (which is never changed). */
  constructor(spec: ProgramSpec) {
    this.name = spec.name;
    this.section = spec.section;
    this.sectionIndex = spec.sectionIndex;
    this.sectionInsn = spec.sectionInsn;
    this.insns = spec.insns.slice(); // its own copy: edits must not reach the spec
    this.def = spec.def;
    this.type = spec.type;
    this.expectedAttachType = spec.expectedAttachType;
    this.flags = spec.flags;
    this.autoload = spec.autoload;
  }

  get loaded(): boolean {
    return this.#fd !== undefined && !this.#fd.closed;
  }

  /** The program's fd; throws unless loaded. */
  get fd(): Fd {
    if (!this.#fd || this.#fd.closed) throw new StateError(`program "${this.name}" is not loaded`, "not-loaded");
    return this.#fd;
  }

  static {
    setProgramFd = (program, fd) => {
      program.#fd = fd;
    };
  }

  /** Program info, read from the kernel. */
  info(): ProgInfo {
    return progInfo(this.fd.value);
  }

  /** Runs it once (or `repeat` times) in the kernel with BPF_PROG_TEST_RUN. */
  testRun(o: TestRunOptions = {}): TestRunResult {
    return progTestRun(this.fd.value, o);
  }

  /** Associates this (non-struct_ops) program with a struct_ops map: BPF_PROG_ASSOC_STRUCT_OPS (Linux 7.0+). */
  assocStructOps(map: HasMapFd): void {
    if (this.type === ProgType.STRUCT_OPS) {
      throw new StateError(`program "${this.name}" is a struct_ops program: its struct_ops map associates it when registered; only other program types can be associated explicitly`, "not-supported");
    }
    progAssocStructOps(this.fd.value, map.fd.value);
  }

  /**
   * Closes the program's fd; a second close does nothing. For a program of a BpfObject this
   * releases it early (the kernel frees it once nothing else holds it: a registered struct_ops
   * map, a link, a pin); the object's close() then skips it.
   */
  close(): void {
    this.#fd?.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  toString(): string {
    return `Program(${this.name}, ${enumName(ProgType, this.type)}, section ${this.section})`;
  }
}
