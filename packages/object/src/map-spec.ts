/** A map's definition as the object gives it (sizes, flags, BTF ids, pinning): what MAP_CREATE is asked for. */
export interface MapSpec {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  btfKeyTypeId: number;
  btfValueTypeId: number;
  numaNode?: number;
  mapExtra?: bigint;
  /** Pinning (Pinning.BY_NAME: at `<pinRoot>/<name>`, reusing a compatible map already there). */
  pinning?: number;
  /** A map-in-map's inner map definition: the template its values must match. */
  inner?: MapSpec;
}
