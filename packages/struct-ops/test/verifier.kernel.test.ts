import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BpfObject } from "@bpfkit/struct-ops";
import { BpfError } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel, trackCreated, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

const SOURCE = fileURLToPath(new URL("../../../fixtures/src/rejected.bpf.c", import.meta.url));

describeKernel("a program the verifier refuses", () => {
  checkFdLeaks();

  it("fails with the verifier's complaint and the source line it points at, and releases everything", async () => {
    using obj = BpfObject.open(fixture("rejected"));
    const { ids, error } = trackCreated(() => obj.load());
    expect(error).toBeInstanceOf(BpfError);
    const e = error as BpfError;
    // The line of the C source the unchecked dereference is on, found here by reading the source.
    const lines = readFileSync(SOURCE, "utf8").split("\n");
    const lineNo = lines.findIndex((l) => l.includes("return *count > 10;")) + 1;
    expect(e.verifier?.reason).toBe("R0 invalid mem access 'map_value_or_null'");
    expect(e.verifier?.at).toBe(`rejected.bpf.c:${lineNo}`);
    expect(e.verifier?.source).toContain("return *count > 10;");
    expect(e.message).toContain(`R0 invalid mem access 'map_value_or_null'\n  at rejected.bpf.c:${lineNo}: return *count > 10;`);
    expect(e.message).toContain('program "unchecked_lookup"');
    expect(await waitGone("map", ids.map)).toEqual([]);
    expect(await waitGone("btf", ids.btf)).toEqual([]);
  });
});
