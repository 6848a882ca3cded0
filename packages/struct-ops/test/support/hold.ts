/**
 * A second process for lifetime tests: `bun hold.ts OBJECT MODE [PIN_DIR]` registers the object's
 * struct_ops maps and prints one JSON line {maps, links}; then
 *   exit  — exits without closing anything (pins, if PIN_DIR is given, keep links alive);
 *   hold  — waits to be killed.
 */
import { join } from "node:path";
import { BpfObject } from "@bpfkit/struct-ops";

const [path, mode, pinDir] = process.argv.slice(2);
if (!path || (mode !== "exit" && mode !== "hold")) {
  console.error("usage: hold.ts OBJECT exit|hold [PIN_DIR]");
  process.exit(2);
}
const obj = BpfObject.open(path);
obj.load();
const links = obj.attach();
for (const l of links) {
  if (pinDir && l.isKernelLink) l.pin(join(pinDir, l.map.name));
  l.disconnect();
}
console.log(JSON.stringify({ maps: links.map((l) => l.map.info().id), links: links.filter((l) => l.isKernelLink).map((l) => l.info().id) }));
// Once top-level code has run, Bun lets module bindings be collected, and a collected link's fd
// is closed by its finalizer, unregistering it: a global keeps them reachable while we wait.
(globalThis as { held?: unknown }).held = { obj, links };
if (mode === "hold") setInterval(() => {}, 1 << 30);
else process.exit(0);
