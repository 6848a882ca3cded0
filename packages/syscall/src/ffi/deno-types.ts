/**
 * The slice of Deno's FFI namespace the Deno backend uses, typed here so that tsc (which has
 * Bun and Node types, never Deno's) and `deno check` both accept ffi/deno.ts unchanged.
 * A module of types only: nothing here exists at run time.
 */

export type DenoNativeType = "i32" | "u32" | "i64" | "u64" | "buffer" | "pointer";

export interface DenoForeignFunction {
  readonly parameters: readonly DenoNativeType[];
  readonly result: DenoNativeType;
}

/** Deno.PointerObject: opaque. */
export type DenoPointer = object | null;

export interface DenoFfi {
  readonly build: { readonly arch: string };
  readonly permissions: { querySync(desc: { name: "ffi" }): { readonly state: string } };
  dlopen(
    path: string,
    symbols: Record<string, DenoForeignFunction>,
  ): { readonly symbols: Record<string, (...args: unknown[]) => unknown>; close(): void };
  readonly UnsafePointer: {
    of(buf: Uint8Array): DenoPointer;
    value(p: DenoPointer): bigint;
    create(address: bigint): DenoPointer;
  };
  readonly UnsafeFnPointer: new (
    p: DenoPointer,
    definition: DenoForeignFunction,
  ) => { call(...args: unknown[]): unknown };
  readonly UnsafePointerView: {
    getArrayBuffer(p: object, byteLength: number, offset?: number): ArrayBuffer;
  };
}
