import { Btf, BtfPatch, Kind } from "@bpfkit/btf";
import type { ElfFile } from "@bpfkit/elf";
import { withDummyKsym } from "./object-btf.ts";

/**
 * The object's BTF as load will hand it to the kernel, before the loader's fix-ups. Resizing a
 * global data section edits it as libbpf edits its object BTF: types are appended, so every id
 * the object's code, maps and BTF.ext use stays valid.
 */
export class ObjectBtf {
  current: Btf | undefined;

  constructor(btf: Btf | undefined) {
    this.current = btf && withDummyKsym(btf);
  }
}

/** What a resize did to the section's trailing variable, or why its BTF could not follow. */
export type DatasecResize = { readonly variable: string; readonly type: number; readonly size: number } | { readonly refused: string };

/**
 * libbpf's BTF fix-up for a global data section resized to `size` bytes: the section's last
 * variable (by offset) must be an array whose element size divides what lies from it to the new
 * end; it becomes an array of that many elements (a new ARRAY type), and the DATASEC and its
 * entry take the new sizes. The DATASEC's offsets are fixed from the ELF symbols first (clang
 * leaves them 0), since its size is then no longer 0. Otherwise nothing changes and the reason
 * is returned: libbpf then creates the map without BTF.
 */
export function resizeDatasec(holder: ObjectBtf, elf: ElfFile, datasec: number, section: string, size: number): DatasecResize {
  const btf = holder.current;
  if (!btf) return { refused: "the object has no BTF" };
  if (!datasec) return { refused: "no BTF DATASEC describes its section" };
  const t = btf.type(datasec);
  if (t.kind !== "DATASEC") return { refused: "its BTF value type is not a DATASEC" };
  if (t.vars.length === 0) return { refused: "its DATASEC is empty" };
  const sec = elf.section(section);
  const offsets = t.vars.map((v) => {
    if (t.size !== 0) return v.offset;
    const name = btf.nameOf(v.type);
    return elf.symbols.find((s) => s.shndx === sec?.index && s.name === name)?.value ?? v.offset;
  });
  let last = 0;
  offsets.forEach((off, i) => {
    if (off >= offsets[last]!) last = i;
  });
  const lastVar = btf.type(t.vars[last]!.type);
  if (lastVar.kind !== "VAR") return { refused: "its DATASEC lists a type that is not a variable" };
  const array = btf.type(btf.resolve(lastVar.type));
  if (array.kind !== "ARRAY") return { refused: `its last variable, "${lastVar.name}", is not an array` };
  const offset = offsets[last]!;
  const elem = btf.sizeOf(array.elemType);
  if (elem <= 0 || size < offset || (size - offset) % elem !== 0) {
    return { refused: `the element size of its last variable "${lastVar.name}" (${elem} bytes, at offset ${offset}) does not divide the new size ${size} past that offset` };
  }
  const patch = new BtfPatch(btf);
  const type = patch.addType([0, (Kind.ARRAY << 24) >>> 0, 0, array.elemType, array.indexType, (size - offset) / elem]);
  patch.setDatasecSize(datasec, size);
  offsets.forEach((off, i) => {
    patch.setDatasecVar(datasec, i, { offset: off });
  });
  patch.setDatasecVar(datasec, last, { size: size - offset });
  patch.setVar(t.vars[last]!.type, type, lastVar.linkage);
  holder.current = Btf.parse(patch.build());
  return { variable: lastVar.name, type, size: size - offset };
}
