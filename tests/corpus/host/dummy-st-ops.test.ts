/**
 * dummy_st_ops_success's programs run through BPF_PROG_TEST_RUN with the arguments and expected
 * results of the kernel's prog_tests/dummy_st_ops.c — once as bpfkit loaded them and once as
 * libbpf 1.8 did (its pinned programs), so both loads must compute what the selftests expect.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { BpfObject } from "@bpfkit/struct-ops";
import { BpfError, backend, nativeBuffer, objGet, progTestRun, type TestRunResult } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel, trackCreated, useBpffs, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { runLibbpf } from "./libbpf.ts";
import { hostCorpus } from "./objects.ts";

const found = hostCorpus();
const entry = found.corpus?.objects.find((o) => o.name === "dummy_st_ops_success");

/** One loaded copy of the object: how to run a program and where its .bss lives. */
interface Loaded {
  readonly who: string;
  run(program: string, ctx: Uint8Array): TestRunResult;
  readonly bssId: number;
}

/** The ctx of a bpf_dummy_ops test run: one u64 per argument (a state pointer first). */
function args(values: readonly bigint[]): Uint8Array {
  const buf = nativeBuffer(8 * values.length);
  const v = new DataView(buf.buffer);
  for (const [i, x] of values.entries()) v.setBigUint64(8 * i, BigInt.asUintN(64, x), true);
  return buf;
}

/** struct bpf_dummy_ops_state { int val; } in native memory, and its address. */
function state(val: number): { buf: Uint8Array; addr: bigint; val(): number } {
  const buf = nativeBuffer(4);
  const view = new DataView(buf.buffer);
  view.setInt32(0, val, true);
  return { buf, addr: backend().address(buf), val: () => view.getInt32(0, true) };
}

/** test_2_args[5] (the .bss's only variable) as the kernel holds it, read with bpftool by map id. */
function test2Args(bpftool: string, bssId: number): bigint[] {
  const [elem] = JSON.parse(execFileSync(bpftool, ["map", "dump", "id", String(bssId), "-j"], { encoding: "utf8" })) as {
    value: string[];
    formatted: { value: { ".bss": Record<string, unknown>[] } };
  }[];
  expect(elem!.formatted.value[".bss"].map((v) => Object.keys(v)[0])).toEqual(["test_2_args"]);
  const bytes = Uint8Array.from(elem!.value.map((h) => Number.parseInt(h, 16)));
  const v = new DataView(bytes.buffer);
  return [0, 1, 2, 3, 4].map((i) => v.getBigUint64(8 * i, true));
}

/** prog_tests/dummy_st_ops.c, less the fentry part of dummy_init_ptr_arg (this kernel has no trampolines). */
function selftests(bpftool: string, l: Loaded): void {
  // dummy_init_ret_value: a NULL state takes the asm branch.
  expect(l.run("test_1", args([0n])).retval >>> 0, `${l.who} test_1(NULL)`).toBe(0xf2f3f4f5);

  // dummy_init_ptr_arg: returns the state's value and writes 0x5a back through the pointer.
  const s = state(0xbeef);
  expect(l.run("test_1", args([s.addr])).retval, `${l.who} test_1(&state)`).toBe(0xbeef);
  expect(s.val(), `${l.who} state after test_1`).toBe(0x5a);

  // dummy_multiple_args: every argument lands in test_2_args, widened as the program does.
  const st = state(7);
  const a = [st.addr, -100n, 0x8a5fn, BigInt("c".charCodeAt(0)), 0x1234567887654321n];
  expect(l.run("test_2", args(a)).retval, `${l.who} test_2`).toBe(0);
  expect(test2Args(bpftool, l.bssId), `${l.who} test_2_args`).toEqual([7n, ...a.slice(1)].map((x) => BigInt.asUintN(64, x)));

  // dummy_sleepable, and dummy_sleepable_reject_null: its state argument is not nullable.
  expect(l.run("test_sleepable", args([state(0).addr])).retval, `${l.who} test_sleepable`).toBe(0);
  let err: unknown;
  try {
    l.run("test_sleepable", args([0n]));
  } catch (e) {
    err = e;
  }
  expect(err, `${l.who} test_sleepable(NULL)`).toBeInstanceOf(BpfError);
  expect((err as BpfError).code).toBe("EINVAL");
}

describeKernel("host corpus: dummy_st_ops_success under BPF_PROG_TEST_RUN, as the selftests run it", () => {
  checkFdLeaks();
  const bpffs = useBpffs();

  it("bpfkit's load and libbpf 1.8's compute the selftests' results", async (ctx) => {
    if (!found.corpus || !entry?.path) return ctx.skip(found.reason ?? `dummy_st_ops_success: ${entry?.skip ?? "not in the manifest"}`);
    const corpus = found.corpus;
    const lib = await runLibbpf(corpus.loader, entry.path, join(bpffs(), "dummy_st_ops_success-run"));
    try {
      expect(lib.result.ok, lib.result.ok ? "" : lib.result.error).toBe(true);
      if (!lib.result.ok) return;
      const theirBss = lib.result.maps.find((m) => m.name.endsWith(".bss"))!.id;
      selftests(corpus.bpftool, {
        who: "libbpf",
        bssId: theirBss,
        run: (program, ctxIn) => {
          using fd = objGet(join(lib.pinDir, program), "prog");
          return progTestRun(fd.value, { ctxIn });
        },
      });
    } finally {
      await lib.close();
    }
    if (lib.result.ok) {
      expect(await waitGone("prog", lib.result.programs.map((p) => p.id)), "libbpf's programs").toEqual([]);
      expect(await waitGone("map", lib.result.maps.map((m) => m.id)), "libbpf's maps").toEqual([]);
    }

    const obj = BpfObject.open(entry.path);
    const { ids, error } = trackCreated(() => obj.load());
    try {
      expect(error).toBeUndefined();
      selftests(corpus.bpftool, {
        who: "bpfkit",
        bssId: obj.data(".bss").info().id,
        run: (program, ctxIn) => obj.program(program).testRun({ ctxIn }),
      });
    } finally {
      obj.close();
    }
    for (const kind of ["prog", "map", "btf"] as const) expect(await waitGone(kind, ids[kind]), `bpfkit's ${kind}s`).toEqual([]);
  });
});
