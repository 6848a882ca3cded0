import { BpfObject } from "@bpfkit/struct-ops";
import { BpfError } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel, thrown } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { availableCCs, EXAMPLE_CC, fixture } from "./support/paths.ts";

// Names no other test registers: kernel tests of other files run at the same time.
const A = "bk_refuse_a";
const B = "bk_refuse_b";

describeKernel("the kernel's refusals to register or replace, explained", () => {
  checkFdLeaks();

  it("link.update between congestion controls of different names: the kernel refuses, and the error says the names differ", () => {
    using obj = BpfObject.open(fixture("two_cc"));
    const a = obj.structOps("cc_a");
    const b = obj.structOps("cc_b");
    const same = obj.structOps("upd_v1"); // a third CC, given cc_a's name
    a.setField("name", A);
    b.setField("name", B);
    same.setField("name", A);
    same.autocreate = true;
    b.autoattach = same.autoattach = false;
    obj.load();
    const link = obj.attach().find((l) => l.map === a)!;
    const e = thrown(() => link.update(b));
    expect(e).toBeInstanceOf(BpfError);
    const err = e as BpfError;
    expect(err.commandName).toBe("BPF_LINK_UPDATE");
    expect(err.code).toBe("EINVAL");
    expect(err.hint).toContain(`the names differ: the link registers tcp_congestion_ops "${A}" (map "cc_a") and map "cc_b" is named "${B}"`);
    expect(err.message).not.toMatch(/older than/);
    // Nothing changed: the link holds cc_a, whose name is still registered; cc_b's is not.
    expect(link.info().structOpsMapId).toBe(a.info().id);
    expect(link.map).toBe(a);
    expect(availableCCs()).toContain(A);
    expect(availableCCs()).not.toContain(B);
    // The same update with a map of the same name goes through: the name is what the kernel checked.
    link.update(same);
    expect(link.info().structOpsMapId).toBe(same.info().id);
  });

  it("EEXIST names the struct_ops map (and link) already registered under the name, held by this process", () => {
    using first = BpfObject.open(EXAMPLE_CC);
    first.structOps("bpfkit_reno").setField("name", A);
    first.load();
    const [held] = first.attach();
    using second = BpfObject.open(EXAMPLE_CC);
    second.structOps("bpfkit_reno").setField("name", A);
    second.load();
    const e = thrown(() => second.attach());
    expect(e).toBeInstanceOf(BpfError);
    const err = e as BpfError;
    expect(err.code).toBe("EEXIST");
    const mapId = first.structOps("bpfkit_reno").info().id;
    const linkId = held!.info().id;
    expect(err.hint).toBe(
      `tcp_congestion_ops "${A}" is already registered by struct_ops map id ${mapId} (bpfkit_reno, link ${linkId}), held open by this process (pid ${process.pid}); unregister it first (\`bpfkit struct-ops unregister --id ${mapId}\`) or pick another name (setField("name", ...))`,
    );
    expect(availableCCs()).toContain(A);
  });

  it("EEXIST for a name the kernel itself provides says so", () => {
    const builtin = availableCCs().find((n) => n === "reno" || n === "cubic")!;
    using obj = BpfObject.open(EXAMPLE_CC);
    obj.structOps("bpfkit_reno").setField("name", builtin);
    obj.load();
    const e = thrown(() => obj.attach()) as BpfError;
    expect(e.code).toBe("EEXIST");
    expect(e.hint).toContain(`"${builtin}" is a congestion control the kernel already has`);
  });
});
