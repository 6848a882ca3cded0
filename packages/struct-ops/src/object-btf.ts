import { Btf, BtfBuilder, type BtfFeatures, BtfPatch, downgrade, FuncLinkage, IntEncoding, Kind, VarLinkage } from "@bpfkit/btf";
import type { ElfFile } from "@bpfkit/elf";
import { ObjectError } from "./errors.ts";
import type { KconfigLayout } from "./kconfig.ts";
import { effectiveLinkage } from "./var-linkage.ts";

/**
 * The object's BTF as the kernel must see it. clang leaves DATASEC sizes and variable offsets at 0
 * (the ELF knows them), and lists extern functions in a `.ksyms` DATASEC, which the kernel only
 * accepts for variables: each such entry becomes a 4-byte placeholder variable.
 */
export function kernelReadyBtf(btf: Btf, elf: ElfFile, object: string, kconfig?: KconfigLayout): Uint8Array {
  const patch = new BtfPatch(btf);
  let int4: number | undefined;
  const int = () => {
    int4 ??= findInt4(btf) ?? patch.addInt("int", 4, IntEncoding.SIGNED);
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
          dummy ??= patch.addVar("dummy_ksym", int(), VarLinkage.GLOBAL_ALLOCATED);
          patch.setFuncLinkage(v.type, FuncLinkage.GLOBAL);
          nameParams(btf, patch, btf.sizeOrType(v.type));
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

function findInt4(btf: Btf): number | undefined {
  for (const id of btf.ids()) {
    if (btf.kind(id) !== Kind.INT) continue;
    const t = btf.type(id);
    if (t.kind === "INT" && t.size === 4 && t.bits === 32 && t.bitOffset === 0) return id;
  }
  return undefined;
}

/** The kernel wants named parameters on a FUNC's prototype. */
function nameParams(btf: Btf, patch: BtfPatch, protoId: number): void {
  const proto = btf.type(protoId);
  if (proto.kind !== "FUNC_PROTO") return;
  proto.params.forEach((p, i) => {
    if (p.type !== 0 && p.name === "") patch.setParamName(protoId, i, patch.addString(`arg${i}`));
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
