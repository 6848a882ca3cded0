import { BtfError } from "./error.ts";

export const BTF_MAGIC = 0xeb9f;

export interface BtfHeader {
  readonly littleEndian: boolean;
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  /** Absolute offsets into the blob (header length already added). */
  readonly typeStart: number;
  readonly typeLen: number;
  readonly strStart: number;
  readonly strLen: number;
}

/** Reads and bounds-checks the BTF header; the magic's byte order gives the blob's. */
export function readHeader(bytes: Uint8Array): BtfHeader {
  if (bytes.byteLength < 24) throw new BtfError(`BTF is ${bytes.byteLength} bytes, shorter than its 24-byte header: truncated`, { offset: 0, code: "truncated" });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  if (view.getUint16(0, true) === BTF_MAGIC) le = true;
  else if (view.getUint16(0, false) === BTF_MAGIC) le = false;
  else {
    throw new BtfError(`not BTF: magic is 0x${view.getUint16(0, true).toString(16)}, expected 0xeb9f`, { offset: 0, code: "bad-magic" });
  }
  const version = view.getUint8(2);
  if (version !== 1) throw new BtfError(`unsupported BTF version ${version} (only 1 exists)`, { offset: 2, code: "unsupported" });
  const hdrLen = view.getUint32(4, le);
  if (hdrLen < 24 || hdrLen > bytes.byteLength) {
    throw new BtfError(`BTF header length ${hdrLen} is outside 24..${bytes.byteLength}`, { offset: 4, code: "malformed" });
  }
  const typeOff = view.getUint32(8, le);
  const typeLen = view.getUint32(12, le);
  const strOff = view.getUint32(16, le);
  const strLen = view.getUint32(20, le);
  const body = bytes.byteLength - hdrLen;
  if (typeOff > body || typeLen > body - typeOff) {
    throw new BtfError(`BTF type section ${typeOff}+${typeLen} runs past the end of the data (${body} bytes): truncated or corrupt`, { offset: 8, code: "truncated" });
  }
  if (strOff > body || strLen > body - strOff) {
    throw new BtfError(`BTF string section ${strOff}+${strLen} runs past the end of the data (${body} bytes): truncated or corrupt`, { offset: 16, code: "truncated" });
  }
  if (typeLen % 4 !== 0) throw new BtfError(`BTF type section length ${typeLen} is not a multiple of 4`, { offset: 12, code: "malformed" });
  return {
    littleEndian: le,
    version,
    flags: view.getUint8(3),
    hdrLen,
    typeStart: hdrLen + typeOff,
    typeLen,
    strStart: hdrLen + strOff,
    strLen,
  };
}
