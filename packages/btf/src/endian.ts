/** True when this machine stores numbers little-endian: typed-array views of BTF in that order need no byte swapping. */
export const hostLittleEndian: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
