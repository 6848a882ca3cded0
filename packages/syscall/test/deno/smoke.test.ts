// Smoke tests of the Deno backend: each bpf() path the library uses, through Deno.dlopen.
import {
  BpfError,
  type Fd,
  MapFlags,
  MapType,
  ProgType,
  backend,
  btfInfo,
  btfLoad,
  fdById,
  mapCreate,
  mapDelete,
  mapInfo,
  mapLookup,
  mapNextKey,
  mapUpdate,
  objectIds,
  progInfo,
  progLoad,
  progTestRun,
  setBpfInterceptor,
  sys,
} from "../../src/index.ts";
import { RETURN_ZERO, UNINIT_R0, badIntBtf, intBtf, u32, u64 } from "../objects.ts";
import { assert, assertEquals, assertThrows, fullGc, kernelTest, openFdCount } from "./kernel.ts";

kernelTest("the Deno backend is the one in use", () => {
  assertEquals(backend().runtime, "deno");
  assert(["x64", "arm64"].includes(backend().arch), `arch spelled as Node does: ${backend().arch}`);
});

kernelTest("map: create, update, lookup, next key, delete, info", () => {
  const fds = openFdCount();
  using m = mapCreate({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 8, name: "deno_smoke" });
  mapUpdate(m.value, u32(7), u64(0xdeadbeefn));
  const value = new Uint8Array(8);
  assert(mapLookup(m.value, u32(7), value), "key 7 is present");
  assertEquals(new DataView(value.buffer).getBigUint64(0, true), 0xdeadbeefn);
  assert(!mapLookup(m.value, u32(8), value), "key 8 is absent");
  const next = new Uint8Array(4);
  assert(mapNextKey(m.value, undefined, next), "a first key exists");
  assertEquals(new DataView(next.buffer).getUint32(0, true), 7);
  assert(!mapNextKey(m.value, next, new Uint8Array(4)), "only one key");
  assert(mapDelete(m.value, u32(7)), "deleted");
  assert(!mapDelete(m.value, u32(7)), "already gone");
  const info = mapInfo(m.value);
  assertEquals([info.type, info.keySize, info.valueSize, info.maxEntries, info.name], [MapType.HASH, 4, 8, 8, "deno_smoke"]);
  assert(info.id > 0, "the kernel gave it an id");
  m.close();
  assertEquals(openFdCount(), fds, "descriptors back to where they were");
});

kernelTest("view(): an mmap'ed ARRAY map is the map's memory", () => {
  using m = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 2, flags: MapFlags.MMAPABLE });
  const addr = sys.mmap(4096, 3 /* PROT_READ|PROT_WRITE */, 1 /* MAP_SHARED */, m.value, 0);
  try {
    const view = backend().view(addr, 4096);
    new DataView(view.buffer, view.byteOffset).setBigUint64(8, 0xfeedn, true);
    const value = new Uint8Array(8);
    assert(mapLookup(m.value, u32(1), value), "key 1");
    assertEquals(new DataView(value.buffer).getBigUint64(0, true), 0xfeedn);
  } finally {
    sys.munmap(addr, 4096);
  }
});

kernelTest("prog: load, info, test run", () => {
  const { fd: prog, log } = progLoad({ type: ProgType.SOCKET_FILTER, insns: RETURN_ZERO, license: "GPL", name: "deno_ret0" });
  using _ = prog;
  assertEquals(log, undefined);
  const info = progInfo(prog.value);
  assertEquals([info.type, info.name, info.xlatedProgLen], [ProgType.SOCKET_FILTER, "deno_ret0", 16]);
  const run = progTestRun(prog.value, { dataIn: new Uint8Array(64), repeat: 1 });
  assertEquals(run.retval, 0);
});

kernelTest("prog: a verifier refusal carries the verifier log", () => {
  const e = assertThrows(() => progLoad({ type: ProgType.SOCKET_FILTER, insns: UNINIT_R0, license: "GPL" }), BpfError);
  assert(e.code === "EACCES" || e.code === "EINVAL", `code ${e.code}`);
  assertEquals(e.commandName, "BPF_PROG_LOAD");
  assert(e.log?.includes("R0"), `log: ${e.log}`);
});

kernelTest("ids: objectIds lists the map and fdById reopens it", () => {
  using m = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
  const id = mapInfo(m.value).id;
  assert(objectIds("map").includes(id), "id listed");
  const again = fdById("map", id);
  assert(again !== undefined, "reopened by id");
  using _ = again;
  assertEquals(mapInfo(again.value).id, id);
  assertEquals(fdById("map", 0x7ffffff0), undefined);
});

kernelTest("btf: a hand-built blob loads and a corrupt one fails with a log", () => {
  using btf = btfLoad(intBtf());
  const info = btfInfo(btf.value);
  assertEquals([info.size, info.kernelBtf], [intBtf().byteLength, false]);
  assert(info.id > 0, "btf id");
  const e = assertThrows(() => btfLoad(badIntBtf()), BpfError);
  assertEquals(e.commandName, "BPF_BTF_LOAD");
  assert(e.log !== undefined && e.log.length > 0, "BTF log present");
});

kernelTest("Fd: close is idempotent, value throws after close, using closes", () => {
  const fds = openFdCount();
  const m = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
  m.close();
  m.close();
  assert(m.closed, "closed");
  assertThrows(() => m.value, Error);
  let kept: Fd | undefined;
  {
    using n = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    kept = n;
  }
  assert(kept.closed, "using closed it");
  assertEquals(openFdCount(), fds);
});

kernelTest("a small typed array's address survives a GC between address() and the call", () => {
  const gc = fullGc();
  using m = mapCreate({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 1 });
  mapUpdate(m.value, u32(1), u64(0xabcdefn));
  const value = new Uint8Array(8); // small enough for V8 to keep on its (moving) heap
  const before = backend().address(value);
  setBpfInterceptor((_cmd, _attr, next) => {
    gc();
    return next();
  });
  try {
    assert(mapLookup(m.value, Uint8Array.of(1, 0, 0, 0), value), "key 1");
  } finally {
    setBpfInterceptor(undefined);
  }
  assertEquals(new DataView(value.buffer).getBigUint64(0, true), 0xabcdefn);
  assertEquals(backend().address(value), before);
});
