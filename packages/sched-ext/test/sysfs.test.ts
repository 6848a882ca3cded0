import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SchedExtError, SchedExtSysfs } from "../src/index.ts";

const dir = mkdtempSync(join(tmpdir(), "bpfkit-sched-ext-sysfs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("SchedExtSysfs.status", () => {
  it("refuses a kernel without sched_ext, naming the directory", () => {
    const e = (() => {
      try {
        new SchedExtSysfs(join(dir, "absent")).status();
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(SchedExtError);
    expect((e as SchedExtError).code).toBe("no-sched-ext");
    expect((e as SchedExtError).message).toContain(`${join(dir, "absent")} is absent`);
  });

  it("reads state alone when nothing runs, and ops plus root/events while one does", () => {
    const root = join(dir, "k");
    mkdirSync(root);
    writeFileSync(join(root, "state"), "disabled\n");
    writeFileSync(join(root, "enable_seq"), "3\n");
    writeFileSync(join(root, "nr_rejected"), "0\n");
    writeFileSync(join(root, "switch_all"), "1\n");
    const sysfs = new SchedExtSysfs(root);
    expect(sysfs.status()).toEqual({ state: "disabled", enableSeq: 3n, nrRejected: 0n, switchAll: true });
    mkdirSync(join(root, "root"));
    writeFileSync(join(root, "state"), "enabled\n");
    writeFileSync(join(root, "root", "ops"), "simple\n");
    writeFileSync(join(root, "root", "events"), "SCX_EV_SELECT_CPU_FALLBACK 0\nSCX_EV_DISPATCH_KEEP_LAST 12\n");
    expect(sysfs.status()).toEqual({
      state: "enabled",
      ops: "simple",
      enableSeq: 3n,
      nrRejected: 0n,
      switchAll: true,
      events: { SCX_EV_SELECT_CPU_FALLBACK: 0n, SCX_EV_DISPATCH_KEEP_LAST: 12n },
    });
  });
});
