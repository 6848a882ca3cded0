import { UnsupportedRuntimeError } from "../error.ts";
import type { Backend } from "./backend.ts";

// The backend is chosen once, at import, by the runtime we find ourselves in. Under Node (no FFI
// here) nothing is loaded, so the pure parts of bpfkit still import fine; the first bpf() call
// then says what to do.
const g = globalThis as { Bun?: unknown; Deno?: unknown };
const loaded: Backend | undefined = g.Bun
  ? (await import("./bun.ts")).backend
  : g.Deno
    ? (await import("./deno.ts")).backend
    : undefined;

export function backend(): Backend {
  if (!loaded) throw new UnsupportedRuntimeError();
  return loaded;
}

export function hasBackend(): boolean {
  return loaded !== undefined;
}
