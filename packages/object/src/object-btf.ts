import { Btf, BtfBuilder, type BtfFeatures, BtfPatch, downgrade, FuncLinkage, IntEncoding, Kind, VarLinkage } from "@bpfkit/btf";
import type { ElfFile } from "@bpfkit/elf";
import { ObjectError } from "./error.ts";
import type { KconfigLayout } from "./kconfig.ts";
import { effectiveLinkage } from "./var-linkage.ts";

const DUMMY_KSYM = "dummy_ksym";

/**
 * The object's BTF with libbpf's open-time addition: when `.ksyms` lists extern functions, a
 * 4-byte variable "dummy_ksym" appended to stand in for them there (kernelReadyBtf). Added at
 * open, as libbpf adds it, so types a resized data section appends later get the ids libbpf's do.
 */
export function withDummyKsym(btf: Btf): Btf {
  const ksyms = btf.find(".ksyms", Kind.DATASEC);
  const t = ksyms === undefined ? undefined : btf.type(ksyms);
  if (t?.kind !== "DATASEC" || !t.vars.some((v) => btf.kind(v.type) === Kind.FUNC)) return btf;
  const patch = new BtfPatch(btf);
  patch.addVar(DUMMY_KSYM, findInt32(btf) ?? patch.addInt("int", 4, IntEncoding.SIGNED), VarLinkage.GLOBAL_ALLOCATED);
  return Btf.parse(patch.build());
}

/**
 * The object's BTF as the kernel must see it. clang leaves DATASEC sizes and variable offsets at 0
 * (the ELF knows them), and lists extern functions in a `.ksyms` DATASEC, which the kernel only
 * accepts for variables: each such entry becomes a 4-byte placeholder variable (the
 * "dummy_ksym" withDummyKsym added, whose name also names the functions' unnamed parameters, as
 * in libbpf), each extern variable a 4-byte int.
 */
export function kernelReadyBtf(btf: Btf, elf: ElfFile, object: string, kconfig?: KconfigLayout): Uint8Array {
  const patch = new BtfPatch(btf);
  let int4: number | undefined;
  const int = () => {
    int4 ??= findInt32(btf) ?? patch.addInt("int", 4, IntEncoding.SIGNED);
    return int4;
  };
  for (const id of btf.ids()) {
    if (btf.kind(id) !== Kind.DATASEC) continue;
    const name = btf.nameOf(id);
    const t = btf.type(id);
    if (t.kind !== "DATASEC") continue;
    if (name === ".ksyms") {
      let dummy: number | undefined;
      t.vars.forEach((v, i) => {
        const k = btf.kind(v.type);
        if (k === Kind.FUNC) {
          dummy ??= btf.findAll(DUMMY_KSYM, Kind.VAR).at(-1) ?? patch.addVar(DUMMY_KSYM, int(), VarLinkage.GLOBAL_ALLOCATED);
          patch.setFuncLinkage(v.type, FuncLinkage.GLOBAL);
          nameParams(btf, patch, btf.sizeOrType(v.type), dummy <= btf.lastId ? btf.nameOffset(dummy) : patch.addString(DUMMY_KSYM));
          patch.setDatasecVar(id, i, { type: dummy, offset: i * 4, size: 4 });
        } else {
          patch.setVar(v.type, int(), VarLinkage.GLOBAL_ALLOCATED);
          patch.setDatasecVar(id, i, { offset: i * 4, size: 4 });
        }
      });
      patch.setDatasecSize(id, t.vars.length * 4);
      continue;
    }
    if (name === ".kconfig") {
      // Laid out by the loader (clang leaves every offset 0); the externs become plain variables,
      // listed by offset as the kernel requires.
      patch.setDatasecSize(id, kconfig?.size ?? 0);
      const placed = t.vars.map((v) => {
        const bv = btf.type(v.type);
        if (bv.kind === "VAR") patch.setVar(v.type, bv.type, VarLinkage.GLOBAL_ALLOCATED);
        const e = kconfig?.externs.find((x) => x.name === bv.name);
        return { type: v.type, offset: e?.offset ?? 0, size: e?.size ?? v.size };
      });
      placed.sort((a, b) => a.offset - b.offset);
      placed.forEach((v, i) => {
        patch.setDatasecVar(id, i, v);
      });
      continue;
    }
    const section = elf.section(name);
    if (!section) throw new ObjectError(object, `BTF describes section ${name}, which the ELF does not have`, { section: name });
    if (t.size === 0) patch.setDatasecSize(id, section.size);
    t.vars.forEach((v, i) => {
      const varName = btf.nameOf(v.type);
      const sym = elf.symbols.find((s) => s.shndx === section.index && s.name === varName);
      if (!sym) return;
      if (t.size === 0) patch.setDatasecVar(id, i, { offset: sym.value });
      // Hidden globals are private to the object: the kernel should treat them as static.
      const bv = btf.type(v.type);
      if (bv.kind === "VAR" && bv.linkage !== VarLinkage.STATIC && effectiveLinkage(btf, elf, v.type) === VarLinkage.STATIC) {
        patch.setVar(v.type, bv.type, VarLinkage.STATIC);
      }
    });
  }
  return patch.build();
}

/** libbpf's int for placeholders: the first 32-bit INT. */
function findInt32(btf: Btf): number | undefined {
  for (const id of btf.ids()) {
    if (btf.kind(id) !== Kind.INT) continue;
    const t = btf.type(id);
    if (t.kind === "INT" && t.bits === 32) return id;
  }
  return undefined;
}

/** The kernel wants named parameters on a FUNC's prototype: libbpf names them after the placeholder. */
function nameParams(btf: Btf, patch: BtfPatch, protoId: number, nameOff: number): void {
  const proto = btf.type(protoId);
  if (proto.kind !== "FUNC_PROTO") return;
  proto.params.forEach((p, i) => {
    if (p.type !== 0 && p.name === "") patch.setParamName(protoId, i, nameOff);
  });
}

/**
 * Rewrites kinds the kernel does not know (FLOAT, DECL_TAG, TYPE_TAG, ENUM64, global FUNC) into
 * ones it does, keeping every type id, so the same object loads on older kernels. Untouched when
 * the kernel has them all.
 */
export function sanitizeBtf(bytes: Uint8Array, has: BtfFeatures): Uint8Array {
  if (Object.values(has).every(Boolean)) return bytes;
  const b = BtfBuilder.from(Btf.parse(bytes));
  downgrade(b, has);
  return b.build();
}
