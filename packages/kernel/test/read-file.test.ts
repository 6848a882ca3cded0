import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readWholeFile } from "../src/read-file.ts";

describe("readWholeFile", () => {
  it("reads the kernel's BTF (sysfs, a page per read) byte for byte", () => {
    const path = "/sys/kernel/btf/vmlinux";
    let expected: Buffer;
    try {
      expected = readFileSync(path);
    } catch {
      return expect(() => readWholeFile(path)).toThrow(); // no kernel BTF here: an error, not a guess
    }
    const got = readWholeFile(path);
    expect(got.byteLength).toBe(expected.byteLength);
    expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(expected)).toBe(true);
  });

  it("reads procfs files, whose size fstat reports as 0", () => {
    const text = new TextDecoder().decode(readWholeFile("/proc/self/status"));
    expect(text).toMatch(/^Name:\t/);
    expect(text).toMatch(/\nPid:\t\d+\n/);
  });

  it("reads regular files, empty ones included, and fails on missing ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "bpfkit-read-"));
    try {
      const bytes = Uint8Array.from({ length: 70_001 }, (_, i) => (i * 31) & 0xff);
      writeFileSync(join(dir, "f"), bytes);
      writeFileSync(join(dir, "empty"), "");
      expect([...readWholeFile(join(dir, "f"))]).toEqual([...bytes]);
      expect(readWholeFile(join(dir, "empty")).byteLength).toBe(0);
      expect(() => readWholeFile(join(dir, "missing"))).toThrow(/ENOENT/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
