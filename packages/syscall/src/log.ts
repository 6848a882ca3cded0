/** The text the kernel wrote into a log buffer, up to its NUL. */
export function decodeLog(buf: Uint8Array): string {
  let end = buf.indexOf(0);
  if (end < 0) end = buf.byteLength;
  return new TextDecoder().decode(buf.subarray(0, end)).trimEnd();
}
