// The WHATWG text codecs exist in every runtime bpfkit supports (Bun, Deno, Node, browsers), but
// this package compiles with no runtime types at all; declare just what it uses.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string);
  decode(input?: Uint8Array): string;
}
