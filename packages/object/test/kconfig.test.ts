import { readFileSync } from "node:fs";
import { Btf } from "@bpfkit/btf";
import { ElfFile } from "@bpfkit/elf";
import { KconfigError, KernelConfigError, kconfigData, kconfigLayout, kernelVersionCode, kernelVersionFrom, ObjectError, parseKernelConfig } from "@bpfkit/object";
import { describe, expect, it } from "vitest";
import { btfOf, DEV_CONFIG, decode, extras, fixtureBtf, neverRead, none, type TypeName, thrown, VERSION, weak } from "./support/kconfig.ts";
import { fixture } from "./support/paths.ts";



describe("parseKernelConfig", () => {
  it("classifies values by their first character, as libbpf does", () => {
    const c = parseKernelConfig(
      [
        "#",
        "# Automatically generated file; DO NOT EDIT.",
        "CONFIG_Y=y",
        "CONFIG_M=m",
        "CONFIG_N=n",
        "CONFIG_YES=yes",
        'CONFIG_S="hello world"',
        'CONFIG_EMPTY=""',
        'CONFIG_ESC="a\\"b"',
        'CONFIG_OPEN="abc',
        "CONFIG_DEC=123",
        "CONFIG_HEX=0x1f",
        "CONFIG_OCT=010",
        "CONFIG_ZERO=0",
        "CONFIG_NEG=-1",
        "CONFIG_BIG=0xffffffffffffffff",
        "CONFIG_HUGE=0x10000000000000000",
        "CONFIG_BAD=12ab",
        "CONFIG_BADOCT=08",
        "# CONFIG_OFF is not set",
        "  CONFIG_INDENTED=y",
        "CONFIG_Y=n",
      ].join("\n"),
    );
    const v = (n: string) => c.values.get(`CONFIG_${n}`);
    expect(v("Y")).toEqual({ kind: "tristate", value: "y", text: "y" }); // the first line wins
    expect(v("M")).toMatchObject({ kind: "tristate", value: "m" });
    expect(v("N")).toMatchObject({ kind: "tristate", value: "n" });
    expect(v("YES")).toMatchObject({ kind: "tristate", value: "y", text: "yes" });
    expect(v("S")).toEqual({ kind: "string", value: "hello world", text: '"hello world"' });
    expect(v("EMPTY")).toMatchObject({ kind: "string", value: "" });
    expect(v("ESC")).toMatchObject({ kind: "string", value: 'a\\"b' });
    expect(v("OPEN")).toMatchObject({ kind: "invalid" });
    expect(v("DEC")).toMatchObject({ kind: "number", value: 123n });
    expect(v("HEX")).toMatchObject({ kind: "number", value: 31n });
    expect(v("OCT")).toMatchObject({ kind: "number", value: 8n });
    expect(v("ZERO")).toMatchObject({ kind: "number", value: 0n });
    expect(v("NEG")).toMatchObject({ kind: "number", value: (1n << 64n) - 1n });
    expect(v("BIG")).toMatchObject({ kind: "number", value: (1n << 64n) - 1n });
    expect(v("HUGE")).toMatchObject({ kind: "invalid" });
    expect(v("BAD")).toMatchObject({ kind: "invalid" });
    expect(v("BADOCT")).toMatchObject({ kind: "invalid" });
    expect(v("OFF")).toBeUndefined();
    expect(v("INDENTED")).toBeUndefined();
    expect([...c.notSet]).toEqual(["CONFIG_OFF"]);
  });

  it("refuses a CONFIG_ line without = or without a value, naming the line", () => {
    for (const [text, line, why] of [
      ["CONFIG_A=y\nCONFIG_B\n", 2, 'no "="'],
      ["CONFIG_A=\n", 1, 'no value after "="'],
    ] as const) {
      const e = thrown(() => parseKernelConfig(text, "my.config"));
      expect(e).toBeInstanceOf(KernelConfigError);
      expect((e as KernelConfigError).line).toBe(line);
      expect(e.message).toContain(`my.config:${line}`);
      expect(e.message).toContain(why);
    }
  });
});

describe("kernel version", () => {
  it("KERNEL_VERSION saturates the patch level at 255", () => {
    expect(kernelVersionCode(6, 18, 44)).toBe(0x06122c);
    expect(kernelVersionCode(4, 19, 260)).toBe(0x0413ff);
  });

  it("prefers Ubuntu's signature, then Debian's uname version, then the release", () => {
    expect(kernelVersionFrom({ release: "5.4.0-12-generic", ubuntuSignature: "Ubuntu 5.4.0-12.15-generic 5.4.8\n" })).toBe(kernelVersionCode(5, 4, 8));
    expect(kernelVersionFrom({ release: "4.19.0-22-amd64", version: "#1 SMP Debian 4.19.260-1 (2022-09-29)" })).toBe(kernelVersionCode(4, 19, 260));
    expect(kernelVersionFrom({ release: "6.18.44-fc-v657", version: "#1 SMP PREEMPT_DYNAMIC @0" })).toBe(kernelVersionCode(6, 18, 44));
    expect(kernelVersionFrom({ release: "6.18" })).toBe(0);
  });

});

// ---------------------------------------------------------------------------------------------
// The fixture: fixtures/src/kconfig.bpf.c
// ---------------------------------------------------------------------------------------------


describe("kconfigLayout on fixtures/kconfig.bpf.o", () => {
  it("places externs where libbpf places them (alignment down, size up, then name)", () => {
    const layout = kconfigLayout(fixtureBtf, "kconfig", weak)!;
    // As `bpftool -d prog loadall` (libbpf 1.1) printed them for this object; the kernel test
    // compares with a live run.
    expect(layout.externs.map((e) => [e.offset, e.name])).toEqual([
      [0, "CONFIG_ILLEGAL_POINTER_VALUE"],
      [8, "CONFIG_BPFKIT_NO_SUCH_OPTION"],
      [12, "CONFIG_BPFKIT_NO_SUCH_TRISTATE"],
      [16, "CONFIG_BPF_LSM"],
      [20, "CONFIG_HZ"],
      [24, "CONFIG_LOG_BUF_SHIFT"],
      [28, "LINUX_KERNEL_VERSION"],
      [32, "CONFIG_NR_CPUS"],
      [34, "CONFIG_ARCH_MMAP_RND_BITS_MIN"],
      [35, "CONFIG_BPF_JIT"],
      [36, "CONFIG_BPF_SYSCALL"],
      [37, "CONFIG_WERROR"],
      [38, "LINUX_HAS_BPF_COOKIE"],
      [39, "LINUX_HAS_SYSCALL_WRAPPER"],
      [40, "CONFIG_CC_VERSION_TEXT"],
      [48, "CONFIG_DEFAULT_HOSTNAME"],
    ]);
    expect(layout.size).toBe(64);
    const by = Object.fromEntries(layout.externs.map((e) => [e.name, e]));
    expect(by.CONFIG_BPF_SYSCALL).toMatchObject({ shape: "bool", size: 1, weak: false, typeName: "_Bool" });
    expect(by.CONFIG_BPF_JIT).toMatchObject({ shape: "char", size: 1, signed: true });
    expect(by.CONFIG_ARCH_MMAP_RND_BITS_MIN).toMatchObject({ shape: "char", signed: false, typeName: "__u8 (unsigned char)" });
    expect(by.CONFIG_BPF_LSM).toMatchObject({ shape: "tristate", size: 4, typeName: "enum libbpf_tristate" });
    expect(by.CONFIG_LOG_BUF_SHIFT).toMatchObject({ shape: "int", signed: true });
    expect(by.CONFIG_CC_VERSION_TEXT).toMatchObject({ shape: "chars", size: 8, typeName: "char[8]" });
    expect(by.CONFIG_WERROR).toMatchObject({ weak: true });
    // The ELF symbols the layout's weak flags come from.
    expect([...weak].sort()).toEqual(["CONFIG_BPFKIT_NO_SUCH_OPTION", "CONFIG_BPFKIT_NO_SUCH_TRISTATE", "CONFIG_WERROR"]);
  });

  it("is undefined for an object without .kconfig externs", () => {
    const other = ElfFile.parse(new Uint8Array(readFileSync(fixture("externs"))));
    expect(kconfigLayout(Btf.parse(other.section(".BTF")!.data), "externs", new Set())).toBeUndefined();
    expect(kconfigData(Btf.parse(other.section(".BTF")!.data), "externs", neverRead, extras)).toEqual(new Uint8Array(0));
  });
});

describe("kconfigData on fixtures/kconfig.bpf.o", () => {
  it("encodes the development kernel's values as libbpf does (bytes libbpf 1.1 wrote)", () => {
    const warnings: string[] = [];
    const data = kconfigData(fixtureBtf, "kconfig", parseKernelConfig(DEV_CONFIG), { ...extras, warn: (m) => warnings.push(m) });
    // `bpftool map dump` of the .kconfig map libbpf 1.1 created for this object on the dev kernel.
    expect(Buffer.from(data).toString("hex")).toBe(
      "000000000000adde000000000000000001000000fa000000110000002c12060000011c79010001006763632028474300286e6f6e652900000000000000000000",
    );
    expect(warnings).toEqual(['.kconfig extern CONFIG_CC_VERSION_TEXT: "gcc (GCC) 15.3.0" (16 bytes) truncated to 7 bytes and a NUL']);
    expect(decode(data)).toMatchObject({
      CONFIG_BPF_SYSCALL: 1n,
      CONFIG_BPF_JIT: 0x79n, // 'y'
      CONFIG_BPF_LSM: 1n, // TRI_YES
      CONFIG_ARCH_MMAP_RND_BITS_MIN: 28n,
      CONFIG_NR_CPUS: 256n,
      CONFIG_HZ: 250n,
      CONFIG_LOG_BUF_SHIFT: 17n,
      CONFIG_ILLEGAL_POINTER_VALUE: 0xdead000000000000n,
      CONFIG_DEFAULT_HOSTNAME: "(none)\0\0\0\0\0\0\0\0\0\0",
      CONFIG_CC_VERSION_TEXT: "gcc (GC\0",
      LINUX_KERNEL_VERSION: BigInt(VERSION),
      LINUX_HAS_BPF_COOKIE: 1n,
      LINUX_HAS_SYSCALL_WRAPPER: 0n,
      CONFIG_WERROR: 0n,
      CONFIG_BPFKIT_NO_SUCH_OPTION: 0n,
      CONFIG_BPFKIT_NO_SUCH_TRISTATE: 0n,
    });
  });

  it("encodes m and n: char keeps the letter, the tristate enum is TRI_MODULE / TRI_NO, bool n is 0", () => {
    const text = DEV_CONFIG.replace("CONFIG_BPF_JIT=y", "CONFIG_BPF_JIT=m").replace("CONFIG_BPF_LSM=y", "CONFIG_BPF_LSM=m").replace("CONFIG_BPF_SYSCALL=y", "CONFIG_BPF_SYSCALL=n");
    const m = decode(kconfigData(fixtureBtf, "kconfig", parseKernelConfig(text), extras));
    expect(m).toMatchObject({ CONFIG_BPF_JIT: 0x6dn, CONFIG_BPF_LSM: 2n, CONFIG_BPF_SYSCALL: 0n });
    const n = decode(kconfigData(fixtureBtf, "kconfig", parseKernelConfig(text.replace("CONFIG_BPF_LSM=m", "CONFIG_BPF_LSM=n").replace("CONFIG_BPF_JIT=m", "CONFIG_BPF_JIT=n")), extras));
    expect(n).toMatchObject({ CONFIG_BPF_JIT: 0x6en, CONFIG_BPF_LSM: 0n });
  });

  it("takes the override first and reads the system config only for what it lacks", () => {
    let reads = 0;
    const system = () => {
      reads++;
      return parseKernelConfig(DEV_CONFIG, "system");
    };
    const override = parseKernelConfig('CONFIG_HZ=1000\nCONFIG_DEFAULT_HOSTNAME="box"\nCONFIG_BPFKIT_NO_SUCH_OPTION=7', "override");
    const v = decode(kconfigData(fixtureBtf, "kconfig", system, { ...extras, override }));
    expect(v).toMatchObject({ CONFIG_HZ: 1000n, CONFIG_NR_CPUS: 256n, CONFIG_BPFKIT_NO_SUCH_OPTION: 7n });
    expect(v.CONFIG_DEFAULT_HOSTNAME).toMatch(/^box\0+$/);
    expect(reads).toBe(1);
    // Every CONFIG_ extern in the override, weak ones too (libbpf looks for those as well): the
    // system config is never read.
    const all = parseKernelConfig(`${DEV_CONFIG}\nCONFIG_BPFKIT_NO_SUCH_OPTION=1\nCONFIG_WERROR=n\nCONFIG_BPFKIT_NO_SUCH_TRISTATE=m`, "all");
    kconfigData(fixtureBtf, "kconfig", neverRead, { ...extras, override: all });
  });


  it("a strong CONFIG_ extern the config lacks names the extern and where it looked", () => {
    const e = thrown(() => kconfigData(fixtureBtf, "kconfig", parseKernelConfig(DEV_CONFIG.replace("CONFIG_HZ=250\n", ""), "/proc/config.gz"), extras));
    expect(e).toBeInstanceOf(KconfigError);
    expect(e).toBeInstanceOf(ObjectError);
    expect(e).toMatchObject({ extern: "CONFIG_HZ", rule: "missing", type: "__u32 (unsigned int)", section: ".kconfig", object: "kconfig" });
    expect(e.message).toContain("CONFIG_HZ is not in /proc/config.gz");
    expect(e.message).toContain("__weak");
  });

  it('"# CONFIG_X is not set" is absent, as in libbpf: strong fails (saying so), weak reads 0', () => {
    const notSet = DEV_CONFIG.replace("CONFIG_HZ=250", "# CONFIG_HZ is not set");
    const e = thrown(() => kconfigData(fixtureBtf, "kconfig", parseKernelConfig(notSet, "cfg"), extras));
    expect(e.message).toContain('CONFIG_HZ is "not set" in cfg');
    const weakHz = new Set([...weak, "CONFIG_HZ"]);
    expect(decode(kconfigData(fixtureBtf, "kconfig", parseKernelConfig(notSet), { ...extras, weak: weakHz }), { ...extras, weak: weakHz }).CONFIG_HZ).toBe(0n);
  });

  it("a weak extern is checked like a strong one when the config has it", () => {
    const e = thrown(() => kconfigData(fixtureBtf, "kconfig", parseKernelConfig(`${DEV_CONFIG}CONFIG_BPFKIT_NO_SUCH_OPTION="x"\n`), extras));
    expect(e).toMatchObject({ extern: "CONFIG_BPFKIT_NO_SUCH_OPTION", rule: "type-mismatch", value: '"x"' });
  });

  it("LINUX_KERNEL_VERSION: the one given, or an error without one", () => {
    const e = thrown(() => kconfigData(fixtureBtf, "kconfig", parseKernelConfig(DEV_CONFIG), { ...extras, kernelVersion: 0 }));
    expect(e).toMatchObject({ extern: "LINUX_KERNEL_VERSION", rule: "no-kernel-version" });
  });
});

// ---------------------------------------------------------------------------------------------
// Every encoding rule and error, on hand-built BTF
// ---------------------------------------------------------------------------------------------


/** The value bytes (hex) for one extern of `type` given config `value`. */
function one(type: TypeName, value: string, littleEndian = true): string {
  return Buffer.from(kconfigData(btfOf({ CONFIG_X: type }, littleEndian), "t", parseKernelConfig(`CONFIG_X=${value}`), none)).toString("hex");
}

function fails(type: TypeName, value: string): KconfigError {
  const e = thrown(() => one(type, value));
  expect(e).toBeInstanceOf(KconfigError);
  return e as KconfigError;
}

describe("encoding rules", () => {
  it("y/m/n into bool, char, enum libbpf_tristate (4 and 8 bytes)", () => {
    expect([one("bool", "y"), one("bool", "n")]).toEqual(["01", "00"]);
    expect([one("char", "y"), one("char", "m"), one("char", "n"), one("u8", "m")]).toEqual(["79", "6d", "6e", "6d"]);
    expect([one("tri", "y"), one("tri", "m"), one("tri", "n")]).toEqual(["01000000", "02000000", "00000000"]);
    expect(one("tri64", "m")).toBe("0200000000000000");
    expect(one("tri", "m", false)).toBe("00000002");
  });

  it("integers of 1, 2, 4, 8 bytes, in the object's byte order", () => {
    expect(one("u8", "255")).toBe("ff");
    expect(one("char", "0x7f")).toBe("7f");
    expect(one("u16", "0x1234")).toBe("3412");
    expect(one("u16", "0x1234", false)).toBe("1234");
    expect(one("u32", "4294967295")).toBe("ffffffff");
    expect(one("s32", "-2147483648")).toBe("00000080");
    expect(one("s16", "-1")).toBe("ffff");
    expect(one("u64", "0xdead000000000000")).toBe("000000000000adde");
    expect(one("u64", "-1")).toBe("ffffffffffffffff"); // 8 bytes take anything strtoull returns
    expect(one("s64", "010")).toBe("0800000000000000");
  });

  it("strings into char arrays: NUL-padded, truncated to size - 1 with a warning", () => {
    expect(one("chars4", '"ab"')).toBe("61620000");
    expect(one("chars4", '""')).toBe("00000000");
    expect(one("chars4", '"abc"')).toBe("61626300");
    const warnings: string[] = [];
    const data = kconfigData(btfOf({ CONFIG_X: "u8x4" }), "t", parseKernelConfig('CONFIG_X="abcdef"'), { ...none, warn: (m) => warnings.push(m) });
    expect(Buffer.from(data).toString("hex")).toBe("61626300");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("truncated to 3 bytes");
  });

  it("LINUX_HAS_* and LINUX_KERNEL_VERSION as numbers into bool or integers; unknown weak LINUX_* read 0", () => {
    const btf = btfOf({ LINUX_KERNEL_VERSION: "u32", LINUX_HAS_BPF_COOKIE: "bool", LINUX_HAS_SYSCALL_WRAPPER: "u8", LINUX_FUTURE: "u32" });
    const data = kconfigData(btf, "t", neverRead, { ...none, weak: new Set(["LINUX_FUTURE"]), hasSyscallWrapper: false });
    // Sorted: the u32s (align 4: FUTURE, KERNEL_VERSION by name), then the 1-byte ones.
    expect(Buffer.from(data).toString("hex")).toBe(`00000000${"00120600"}0100`);
  });
});

describe("encoding errors name the extern, its type and the value", () => {
  it("m into bool", () => {
    const e = fails("bool", "m");
    expect(e).toMatchObject({ extern: "CONFIG_X", type: "bool", value: "m", rule: "type-mismatch", object: "t" });
    expect(e.message).toContain("CONFIG_X=m");
    expect(e.message).toContain("enum libbpf_tristate");
  });

  it("y/m/n into an integer or a char array", () => {
    expect(fails("u32", "y")).toMatchObject({ rule: "type-mismatch", type: "u32", value: "y" });
    expect(fails("chars4", "n")).toMatchObject({ rule: "type-mismatch", type: "char[4]" });
  });

  it("a string into anything but a char array, and an unterminated string", () => {
    expect(fails("u32", '"5"')).toMatchObject({ rule: "type-mismatch", value: '"5"' });
    expect(fails("char", '"y"').message).toContain("needs a char array");
    expect(fails("chars4", '"ab')).toMatchObject({ rule: "bad-value" });
  });

  it("a number into bool, tristate or char array; a non-number", () => {
    expect(fails("bool", "1")).toMatchObject({ rule: "type-mismatch", value: "1" });
    expect(fails("tri", "2")).toMatchObject({ rule: "type-mismatch" });
    expect(fails("chars4", "1")).toMatchObject({ rule: "type-mismatch" });
    expect(fails("u32", "12ab")).toMatchObject({ rule: "bad-value", value: "12ab" });
  });

  it("numbers out of range for the size and sign", () => {
    const e = fails("u8", "256");
    expect(e).toMatchObject({ rule: "out-of-range", type: "u8", value: "256" });
    expect(e.message).toContain("0..255");
    expect(fails("char", "128").message).toContain("-128..127");
    expect(fails("u16", "0x10000")).toMatchObject({ rule: "out-of-range" });
    expect(fails("s32", "2147483648")).toMatchObject({ rule: "out-of-range" });
    expect(fails("s32", "-2147483649")).toMatchObject({ rule: "out-of-range" });
    expect(fails("u32", "-1")).toMatchObject({ rule: "out-of-range" });
  });

  it("a virtual value its type cannot hold", () => {
    const e = thrown(() => kconfigData(btfOf({ LINUX_KERNEL_VERSION: "u8" }), "t", neverRead, none));
    expect(e).toMatchObject({ extern: "LINUX_KERNEL_VERSION", rule: "out-of-range", value: String(0x061200) });
    expect(thrown(() => kconfigData(btfOf({ LINUX_HAS_BPF_COOKIE: "tri" }), "t", neverRead, none))).toMatchObject({ rule: "type-mismatch" });
  });

  it("unsupported types, whatever the config says", () => {
    for (const t of ["int128", "bool4", "struct", "enum"] as const) {
      const e = thrown(() => kconfigLayout(btfOf({ CONFIG_X: t }), "t", new Set()));
      expect(e, t).toMatchObject({ rule: "unsupported-type", extern: "CONFIG_X" });
      expect(e.message).toContain("type is unsupported");
    }
  });

  it("names that are neither CONFIG_ nor a known LINUX_ one (unless a weak LINUX_)", () => {
    for (const [name, w] of [["FOO", false], ["FOO", true], ["LINUX_FUTURE", false]] as const) {
      const e = thrown(() => kconfigData(btfOf({ [name]: "u32" }), "t", neverRead, { ...none, weak: new Set(w ? [name] : []) }));
      expect(e).toMatchObject({ rule: "unknown-virtual", extern: name });
    }
  });

});
