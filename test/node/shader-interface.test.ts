// Each shader family's interface is declared once, in its layout table (src/kernels/layouts/),
// and the WGSL declarations are generated from it. These checks keep the table honest: every
// uniform field, binding, flag and shared constant is used by the family's shaders, the shaders
// read nothing the table lacks and declare none of it themselves, and the host's writer takes
// exactly the table's fields.
import { describe, it, expect } from 'vitest';
import { FAMILIES, LAYOUTS, type Family } from '../../src/gpu/shaders';
import type { LayoutSpec } from '../../src/kernels/layouts/layout';

/** The family's module without its generated declarations, comments stripped. */
function body(f: Family): string {
  const code = FAMILIES[f].code.replace(LAYOUTS[f].wgsl, '');
  return code.replace(/\/\/.*$/gm, '');
}

const used = (code: string, pattern: string) => new RegExp(pattern).test(code);

describe('shader interfaces (layout tables)', () => {
  for (const f of Object.keys(LAYOUTS) as Family[]) {
    const { kinds, wgsl } = LAYOUTS[f];
    const spec: LayoutSpec = LAYOUTS[f].spec;
    const code = body(f);

    it(`${f}: every uniform field is read (P.<name>), and only those`, () => {
      const fields = Object.keys(spec.uniforms);
      expect(fields.filter((k) => !used(code, `\\bP\\.${k}\\b`)), 'fields no shader reads').toEqual([]);
      const read = new Set([...code.matchAll(/\bP\.(\w+)/g)].map((m) => m[1]));
      expect([...read].filter((k) => !fields.includes(k)), 'fields the table lacks').toEqual([]);
    });

    it(`${f}: every binding, flag and shared constant is used`, () => {
      // A float input is read through its generated accessor, load_<name>.
      const reads = (k: string) => used(code, `\\b${k}\\[`) || (spec.bindings[k].floats === true && used(code, `\\bload_${k}\\(`));
      expect(Object.keys(spec.bindings).filter((k) => !reads(k)), 'bindings').toEqual([]);
      expect(Object.keys(spec.flags ?? {}).filter((k) => !used(code, `\\bF_${k}\\b`)), 'flags').toEqual([]);
      expect(Object.keys(spec.consts ?? {}).filter((k) => !used(code, `\\b${k}\\b`)), 'constants').toEqual([]);
    });

    it(`${f}: the shaders declare none of it themselves`, () => {
      for (const decl of [/struct\s+Params\b/, /var\s*<\s*uniform\s*>/, /@binding\(/, /override\s+FLAGS\b/, /const\s+F_\w+/]) {
        expect(code, String(decl)).not.toMatch(decl);
      }
      for (const k of Object.keys(spec.consts ?? {})) expect(code).not.toMatch(new RegExp(`const\\s+${k}\\b`));
      expect(FAMILIES[f].code).toContain(wgsl);
      expect(FAMILIES[f].bindings).toEqual(kinds);
    });

    it(`${f}: flags are distinct bits`, () => {
      const bits = Object.values(spec.flags ?? {}).map((b) => b.value);
      for (const b of bits) expect(b > 0 && (b & (b - 1)) === 0, `${b} is one bit`).toBe(true);
      expect(new Set(bits).size).toBe(bits.length);
    });
  }

  it('the uniform writer takes every field by name, in table order, and refuses missing or unknown ones', () => {
    const { reduce } = LAYOUTS;
    const bytes = reduce.uniforms({ n: 7, mode: reduce.C.MODE_MEAN_N, zero_if_empty: 1 });
    expect(bytes.byteLength).toBe(16);
    expect([...new Uint32Array(bytes)]).toEqual([7, 2, 1, 0]);
    const { crossEntropy } = LAYOUTS;
    const f32 = new DataView(crossEntropy.uniforms({
      rows: 1, cols: 2, x_base: 0, t_base: 0, g_base: 0, row0: 0, total_rows: 1, slicing: 0,
      ignore_index: -100, smoothing: 0.25, zloss: 0, softcap: 0, eps: 0, out_scale: 1, split: 1, fold_prep: 0, topk: 0,
    }));
    expect(f32.byteLength).toBe(80);
    expect(f32.getInt32(8 * 4, true)).toBe(-100);
    expect(f32.getFloat32(9 * 4, true)).toBe(0.25);
    // @ts-expect-error a missing field is a type error, and refused at run time
    expect(() => reduce.uniforms({ n: 7, mode: 0 })).toThrow(/missing zero_if_empty/);
    // @ts-expect-error an unknown field likewise
    expect(() => reduce.uniforms({ n: 7, mode: 0, zero_if_empty: 0, flags: 1 })).toThrow(/unknown flags/);
  });
});
