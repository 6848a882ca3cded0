/**
 * `.kconfig` externs: the kernel's build configuration and libbpf's virtual LINUX_* values,
 * encoded into the bytes of the object's read-only `.kconfig` map as libbpf encodes them. Pure:
 * the running kernel's config and version are read by @bpfkit/kernel and passed in.
 */
import { type Btf, cTypeName, IntEncoding, Kind } from "@bpfkit/btf";
import { ObjectError } from "./error.ts";

// ---------------------------------------------------------------------------------------------
// The kernel's configuration
// ---------------------------------------------------------------------------------------------

/**
 * One value as a config file spells it. Classified by its first character as libbpf does:
 * y/m/n is a tristate, `"` a string, anything else a number (strtoull, base 0: 0x hex, 0 octal,
 * a leading "-" wraps modulo 2^64); `invalid` when that classification cannot be parsed.
 */
export type KconfigValue =
  | { readonly kind: "tristate"; readonly value: "y" | "m" | "n"; readonly text: string }
  | { readonly kind: "string"; readonly value: string; readonly text: string }
  | { readonly kind: "number"; readonly value: bigint; readonly text: string }
  | { readonly kind: "invalid"; readonly reason: string; readonly text: string };

export interface KernelConfig {
  /** Where it came from: a file path, or what the caller named it. */
  readonly source: string;
  /** `CONFIG_X=...` lines by option name; the first line for a name wins, as in libbpf. */
  readonly values: ReadonlyMap<string, KconfigValue>;
  /** Names from `# CONFIG_X is not set` lines. libbpf treats these as absent (a weak extern reads 0). */
  readonly notSet: ReadonlySet<string>;
}

/** Why a kernel config could not be had: no file exists, one could not be read, or a line is malformed. */
export type KernelConfigErrorCode = "not-found" | "unreadable" | "malformed";

/** The kernel's config could not be found or read, or a line of it is malformed. */
export class KernelConfigError extends Error {
  override readonly name: string = "KernelConfigError";
  /** See {@link KernelConfigErrorCode}; without one given, a `line` means "malformed", else "not-found". */
  readonly code: KernelConfigErrorCode;
  /** Every file tried, in order. */
  readonly paths: readonly string[];
  /** 1-based line of a malformed line, when that is the problem. */
  readonly line: number | undefined;

  constructor(message: string, where: { paths: readonly string[]; line?: number; code?: KernelConfigErrorCode }) {
    super(message);
    this.code = where.code ?? (where.line !== undefined ? "malformed" : "not-found");
    this.paths = where.paths;
    this.line = where.line;
  }
}

const NOT_SET = /^# (CONFIG_\w+) is not set$/;

/**
 * Parses config text. Like libbpf, only lines starting with "CONFIG_" carry values, and such a
 * line without "=" or with nothing after it makes the whole file unusable (an error naming the line).
 */
export function parseKernelConfig(text: string, source = "<kernel config text>"): KernelConfig {
  const values = new Map<string, KconfigValue>();
  const notSet = new Set<string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith("CONFIG_")) {
      const m = NOT_SET.exec(line);
      if (m) notSet.add(m[1]!);
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0 || eq === line.length - 1) {
      throw new KernelConfigError(`${source}:${i + 1}: "${line}" has ${eq < 0 ? "no \"=\"" : "no value after \"=\""}; fix or remove the line`, {
        paths: [source],
        line: i + 1,
        code: "malformed",
      });
    }
    const name = line.slice(0, eq);
    if (!values.has(name)) values.set(name, classify(line.slice(eq + 1)));
  }
  return { source, values, notSet };
}

const U64 = (1n << 64n) - 1n;

function classify(text: string): KconfigValue {
  const c = text[0];
  if (c === "y" || c === "m" || c === "n") return { kind: "tristate", value: c, text };
  if (c === '"') {
    if (text.length < 2 || !text.endsWith('"')) return { kind: "invalid", reason: "a string without its closing quote", text };
    // Escapes stay as written: libbpf copies the bytes between the quotes.
    return { kind: "string", value: text.slice(1, -1), text };
  }
  return parseU64(text);
}

/** strtoull(text, base 0) that must consume everything, as libbpf's parse_u64. */
function parseU64(text: string): KconfigValue {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return { kind: "invalid", reason: "not an integer", text };
  const digits = m[2]!;
  const magnitude = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  if (magnitude > U64) return { kind: "invalid", reason: "out of the range of a 64-bit integer", text };
  return { kind: "number", value: m[1] === "-" ? (1n << 64n) - magnitude & U64 : magnitude, text };
}

// ---------------------------------------------------------------------------------------------
// The running kernel's version, as LINUX_KERNEL_VERSION
// ---------------------------------------------------------------------------------------------

/** KERNEL_VERSION(a, b, c) as <linux/version.h> and bpf_helpers.h compute it: c saturates at 255. */
export function kernelVersionCode(major: number, minor: number, patch: number): number {
  return ((major << 16) + (minor << 8) + Math.min(patch, 255)) >>> 0;
}

/**
 * The version code of a kernel from its uname fields, found the way libbpf finds it: Ubuntu's
 * /proc/version_signature ("Ubuntu 5.4.0-12.15-generic 5.4.8": the third field), then a Debian
 * uname version ("... Debian 4.19.260-1 ..."), then "a.b.c" at the start of the release.
 * Distributions put the real patch level in those places; the release keeps an ABI number.
 * 0 when none of them has three numbers.
 */
export function kernelVersionFrom(uts: { release: string; version?: string; ubuntuSignature?: string }): number {
  const triple = (s: string | undefined, re: RegExp) => {
    const m = s === undefined ? null : re.exec(s);
    return m ? kernelVersionCode(Number(m[1]), Number(m[2]), Number(m[3])) : 0;
  };
  return (
    triple(uts.ubuntuSignature, /^\s*\S+\s+\S+\s+(\d+)\.(\d+)\.(\d+)/) ||
    triple(uts.version, /Debian (\d+)\.(\d+)\.(\d+)/) ||
    triple(uts.release, /^(\d+)\.(\d+)\.(\d+)/)
  );
}

// ---------------------------------------------------------------------------------------------
// Layout of the .kconfig map
// ---------------------------------------------------------------------------------------------

/** How an extern's BTF type takes a value (libbpf's kcfg types). */
export type KconfigShape = "bool" | "char" | "int" | "tristate" | "chars";

/** One `.kconfig` extern and its place in the map value. */
export interface KconfigExtern {
  readonly name: string;
  /** The VAR's type in the object's BTF (modifiers and typedefs included). */
  readonly type: number;
  /** The type as C spells it, for messages: "__u32 (unsigned int)", "char[8]". */
  readonly typeName: string;
  readonly shape: KconfigShape;
  /** For "int" and "char": whether BTF says the integer is signed. */
  readonly signed: boolean;
  readonly size: number;
  readonly align: number;
  /** Byte offset in the map value. */
  readonly offset: number;
  readonly weak: boolean;
}

export interface KconfigLayout {
  /** The map's value size: end of the last extern (not rounded up, as libbpf sizes it). */
  readonly size: number;
  /** In map order: alignment descending, then size ascending, then name. */
  readonly externs: readonly KconfigExtern[];
}

/** An extern's type or value that libbpf would refuse; says which extern, its type and the value. */
export class KconfigError extends ObjectError {
  override readonly name: string = "KconfigError";
  readonly extern: string;
  /** The extern's type as C spells it. */
  readonly type: string;
  /** The config text (or virtual value) that did not fit; undefined when the type itself is the problem. */
  readonly value: string | undefined;
  /** Short id of the rule: "unsupported-type", "type-mismatch", "out-of-range", "bad-value", "missing", "unknown-virtual", "no-kernel-version". */
  readonly rule: string;

  constructor(object: string, ext: { name: string; typeName: string }, rule: string, message: string, value?: string) {
    super(object, message, { section: ".kconfig", subject: `extern ${ext.typeName} ${ext.name}`, code: "kconfig" });
    this.extern = ext.name;
    this.type = ext.typeName;
    this.value = value;
    this.rule = rule;
  }
}

/** libbpf's find_kcfg_type: which values a type can take; undefined when none. */
function shapeOf(btf: Btf, id: number): { shape: KconfigShape; signed: boolean } | undefined {
  const t = btf.type(btf.resolve(id));
  switch (t.kind) {
    case "INT":
      if (t.encoding & IntEncoding.BOOL) return t.size === 1 ? { shape: "bool", signed: false } : undefined;
      if (t.size === 1) return { shape: "char", signed: (t.encoding & IntEncoding.SIGNED) !== 0 };
      if (t.size === 2 || t.size === 4 || t.size === 8) return { shape: "int", signed: (t.encoding & IntEncoding.SIGNED) !== 0 };
      return undefined;
    case "ENUM":
      return t.size === 4 && t.name === "libbpf_tristate" ? { shape: "tristate", signed: false } : undefined;
    case "ENUM64":
      return t.name === "libbpf_tristate" ? { shape: "tristate", signed: false } : undefined;
    case "ARRAY":
      return t.nelems > 0 && shapeOf(btf, t.elemType)?.shape === "char" ? { shape: "chars", signed: false } : undefined;
    default:
      return undefined;
  }
}

/** Declared `__weak`: a set of names or a predicate (from the ELF symbols' STB_WEAK binding). */
export type WeakExterns = ReadonlySet<string> | ((name: string) => boolean);

/**
 * Lays out the object's `.kconfig` externs as libbpf does (the DATASEC clang writes has every
 * offset 0): sorted by alignment descending, size ascending, then name, each at the next offset
 * its alignment allows. undefined when the object has no `.kconfig` DATASEC.
 */
export function kconfigLayout(btf: Btf, object: string, weak: WeakExterns): KconfigLayout | undefined {
  const secId = btf.find(".kconfig", Kind.DATASEC);
  if (secId === undefined) return undefined;
  const sec = btf.type(secId);
  if (sec.kind !== "DATASEC") return undefined;
  const isWeak = typeof weak === "function" ? weak : (n: string) => weak.has(n);
  const found = sec.vars.map((v) => {
    const variable = btf.type(v.type);
    const type = variable.kind === "VAR" ? variable.type : v.type;
    const ext = { name: variable.name, typeName: cTypeName(btf, type, { style: "resolved" }) };
    if (variable.kind !== "VAR") throw new KconfigError(object, ext, "unsupported-type", `only variables may be __kconfig externs, not a ${variable.kind}`);
    const shape = shapeOf(btf, type);
    if (!shape) {
      throw new KconfigError(
        object,
        ext,
        "unsupported-type",
        "type is unsupported: use bool, char, enum libbpf_tristate, an integer of 1, 2, 4 or 8 bytes, or a char array",
      );
    }
    return { ...ext, type, ...shape, size: btf.sizeOf(type), align: btf.alignOf(type), weak: isWeak(ext.name) };
  });
  found.sort((a, b) => b.align - a.align || a.size - b.size || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let end = 0;
  const externs = found.map((e) => {
    const offset = Math.ceil(end / e.align) * e.align;
    end = offset + e.size;
    return { ...e, offset };
  });
  return { size: end, externs };
}

// ---------------------------------------------------------------------------------------------
// Encoding values
// ---------------------------------------------------------------------------------------------

/** Values a loader probes (or knows) for libbpf's virtual externs; each read only when used. */
export interface KconfigExtras {
  /** Which externs are `__weak`. */
  readonly weak: WeakExterns;
  /**
   * LINUX_HAS_BPF_COOKIE. libbpf: true when the kernel loads a BPF_PROG_TYPE_TRACEPOINT program
   * that calls bpf_get_attach_cookie (helper 185, Linux 5.15+).
   */
  readonly hasBpfCookie: boolean | (() => boolean);
  /**
   * LINUX_HAS_SYSCALL_WRAPPER. libbpf: true when a kprobe perf event can be opened on the arch's
   * wrapped syscall, `__<arch>_sys_bpf` (__x64_sys_bpf on x86-64, __arm64_sys_bpf, ...), i.e. the
   * kernel has CONFIG_ARCH_HAS_SYSCALL_WRAPPER; false on arches libbpf knows no prefix for.
   */
  readonly hasSyscallWrapper: boolean | (() => boolean);
  /** LINUX_KERNEL_VERSION (@bpfkit/kernel's runningKernelVersion for the running kernel); 0 or absent: unknown. */
  readonly kernelVersion?: number | (() => number);
  /**
   * Config consulted before the system's (libbpf's `kconfig` open option). The system config is
   * read only when some CONFIG_ extern is not in here.
   */
  readonly override?: KernelConfig;
  /** Told about a string truncated to fit its array (libbpf warns and loads). */
  readonly warn?: (message: string) => void;
}

const VIRTUAL = new Set(["LINUX_KERNEL_VERSION", "LINUX_HAS_BPF_COOKIE", "LINUX_HAS_SYSCALL_WRAPPER"]);

const lazy = <T>(v: T | (() => T)): T => (typeof v === "function" ? (v as () => T)() : v);

/**
 * The bytes of the `.kconfig` map value for `btf`'s externs (see kconfigLayout), as libbpf fills
 * them: CONFIG_* from `extras.override` then `config` (read lazily, only when a CONFIG_ extern
 * needs it), LINUX_* from `extras`. A missing __weak extern stays zero; a missing strong one, an
 * unknown non-weak LINUX_* name, a name that is neither, and any value its type cannot hold throw
 * KconfigError. An empty array when the object has no `.kconfig` externs.
 */
export function kconfigData(btf: Btf, object: string, config: KernelConfig | (() => KernelConfig), extras: KconfigExtras): Uint8Array {
  const layout = kconfigLayout(btf, object, extras.weak);
  if (!layout) return new Uint8Array(0);
  const data = new Uint8Array(layout.size);
  const view = new DataView(data.buffer);
  const le = btf.littleEndian;
  const sources: KernelConfig[] = extras.override ? [extras.override] : [];
  let system: KernelConfig | undefined;
  const lookup = (name: string): { value: KconfigValue; from: KernelConfig } | undefined => {
    for (const c of sources) {
      const value = c.values.get(name);
      if (value) return { value, from: c };
    }
    if (!system) {
      system = lazy(config);
      sources.push(system);
      const value = system.values.get(name);
      if (value) return { value, from: system };
    }
    return undefined;
  };

  for (const e of layout.externs) {
    const fail = (rule: string, message: string, value?: string): never => {
      throw new KconfigError(object, e, rule, message, value);
    };
    if (e.name.startsWith("CONFIG_")) {
      const hit = lookup(e.name);
      if (hit) {
        writeConfigValue(e, hit.value, hit.from.source, view, le, fail, extras.warn);
        continue;
      }
      if (e.weak) continue; // stays 0: n, false, TRI_NO, "" or 0
      const where = sources.map((s) => s.source).join(" and ");
      const notSet = sources.some((s) => s.notSet.has(e.name));
      fail(
        "missing",
        `${e.name} is ${notSet ? '"not set"' : "not"} in ${where}; declare the extern __weak to read it as 0 when the option is absent`,
      );
    }
    if (VIRTUAL.has(e.name)) {
      let value: bigint;
      if (e.name === "LINUX_KERNEL_VERSION") {
        value = BigInt(lazy(extras.kernelVersion ?? 0));
        if (value === 0n) fail("no-kernel-version", "cannot tell the kernel's version: its release does not start with a.b.c");
      } else {
        value = lazy(e.name === "LINUX_HAS_BPF_COOKIE" ? extras.hasBpfCookie : extras.hasSyscallWrapper) ? 1n : 0n;
      }
      writeNumber(e, value, `${value}`, "libbpf's virtual value", view, le, fail);
      continue;
    }
    if (e.name.startsWith("LINUX_") && e.weak) continue; // an unknown virtual one: weak reads 0
    fail(
      "unknown-virtual",
      `a __kconfig extern must be named CONFIG_<option> (from the kernel config) or be one of ${[...VIRTUAL].join(", ")}${e.name.startsWith("LINUX_") ? " (or declared __weak, reading 0)" : ""}`,
    );
  }
  return data;
}

type Fail = (rule: string, message: string, value?: string) => never;

/** One config value into its extern's slot: libbpf's dispatch on the value's first character. */
function writeConfigValue(e: KconfigExtern, v: KconfigValue, source: string, view: DataView, le: boolean, fail: Fail, warn?: (m: string) => void): void {
  const from = `${e.name}=${v.text} (from ${source})`;
  switch (v.kind) {
    case "tristate": {
      if (e.shape === "bool") {
        if (v.value === "m") fail("type-mismatch", `${from} is a module ("m"): a bool holds only y or n; use char or enum libbpf_tristate`, v.text);
        view.setUint8(e.offset, v.value === "y" ? 1 : 0);
      } else if (e.shape === "tristate") {
        const tri = v.value === "y" ? 1n : v.value === "m" ? 2n : 0n; // TRI_YES, TRI_MODULE, TRI_NO
        setUint(view, e.offset, e.size, tri, le);
      } else if (e.shape === "char") {
        view.setUint8(e.offset, v.value.charCodeAt(0));
      } else {
        fail("type-mismatch", `${from} is y/m/n: that needs bool, char or enum libbpf_tristate`, v.text);
      }
      return;
    }
    case "string": {
      if (e.shape !== "chars") fail("type-mismatch", `${from} is a string: that needs a char array`, v.text);
      let bytes = new TextEncoder().encode(v.value);
      if (bytes.length >= e.size) {
        warn?.(`.kconfig extern ${e.name}: "${v.value}" (${bytes.length} bytes) truncated to ${e.size - 1} bytes and a NUL`);
        bytes = bytes.subarray(0, e.size - 1);
      }
      new Uint8Array(view.buffer, e.offset, bytes.length).set(bytes);
      return; // the NUL and the rest: already zero
    }
    case "invalid":
      fail("bad-value", `${from} is ${v.reason}`, v.text);
      return;
    case "number":
      if (e.shape !== "int" && e.shape !== "char") fail("type-mismatch", `${from} is an integer: that needs an integer type or char`, v.text);
      writeNumber(e, v.value, v.text, source, view, le, fail);
      return;
  }
}

/** libbpf's set_kcfg_value_num: into bool (0 or 1), char or an integer, if it fits the size and sign. */
function writeNumber(e: KconfigExtern, value: bigint, text: string, source: string, view: DataView, le: boolean, fail: Fail): void {
  const what = `${e.name}=${text} (from ${source})`;
  if (e.shape !== "int" && e.shape !== "char" && e.shape !== "bool") fail("type-mismatch", `${what} is an integer: that needs an integer type, char or bool`, text);
  if (e.shape === "bool" && value > 1n) fail("out-of-range", `${what} is not 0 or 1, so not a bool`, text);
  if (!fits(value, e.size, e.signed)) {
    const range = e.signed ? `${-(1n << BigInt(e.size * 8 - 1))}..${(1n << BigInt(e.size * 8 - 1)) - 1n}` : `0..${(1n << BigInt(e.size * 8)) - 1n}`;
    fail("out-of-range", `${what} does not fit in ${e.size} byte${e.size > 1 ? "s" : ""} (${e.signed ? "signed" : "unsigned"}: ${range}); use a wider type`, text);
  }
  setUint(view, e.offset, e.size, value, le);
}

/** Whether a u64 (negatives wrapped modulo 2^64, as strtoull makes them) survives narrowing. */
function fits(v: bigint, size: number, signed: boolean): boolean {
  if (size === 8) return true;
  const bits = BigInt(size * 8);
  if (signed) return ((v + (1n << (bits - 1n))) & U64) < 1n << bits;
  return v >> bits === 0n;
}

function setUint(view: DataView, offset: number, size: number, v: bigint, le: boolean): void {
  const n = BigInt.asUintN(size * 8, v);
  if (size === 1) view.setUint8(offset, Number(n));
  else if (size === 2) view.setUint16(offset, Number(n), le);
  else if (size === 4) view.setUint32(offset, Number(n), le);
  else view.setBigUint64(offset, n, le);
}
