/** Malformed or unexpected BTF. Says which type and where. */
export class BtfError extends Error {
  override readonly name: string = "BtfError";
  /** The type the problem is in, when known. */
  readonly typeId: number | undefined;
  /** Byte offset into the BTF blob (or .BTF.ext), when known. */
  readonly offset: number | undefined;

  constructor(message: string, where: { typeId?: number; offset?: number } = {}) {
    const at: string[] = [];
    if (where.typeId !== undefined) at.push(`type [${where.typeId}]`);
    if (where.offset !== undefined) at.push(`offset 0x${where.offset.toString(16)}`);
    super(at.length ? `${message} (at ${at.join(", ")})` : message);
    this.typeId = where.typeId;
    this.offset = where.offset;
  }
}
