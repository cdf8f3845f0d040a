// A shader family's host–shader interface, declared once: its uniform fields (in order), its
// storage bindings (float inputs with their element-type override and accessor), its
// feature-flag bits and the constants both sides use. The WGSL
// declarations are generated from it (and prepended to the family's shader), and the host writes
// the uniforms and lists the bindings by name through it.

export type Scalar = 'u32' | 'i32' | 'f32';
export type BindingKind = 'read' | 'rw';

export interface Field {
  type: Scalar;
  doc?: string;
}

export interface Storage {
  access: BindingKind;
  /** WGSL element type of the bound array (u32, f32, i32, vec2<u32>). */
  elem: string;
  doc?: string;
  /**
   * A float input of float32, float16 or bfloat16 elements, chosen per pipeline by the override
   * `<name>_DTYPE`; the shaders read it only through `load_<name>(i)` (element i as float32 bits).
   */
  floats?: boolean;
}

export interface Named {
  value: number;
  doc?: string;
}

export interface LayoutSpec {
  /** Fields of `struct Params` (binding 0, `P`), in block order. */
  uniforms: Record<string, Field>;
  /** Storage bindings from binding 1 on, in binding order. */
  bindings: Record<string, Storage>;
  /** Feature-flag bits: `F_<name>` in WGSL, with the FLAGS override and `has(F_...)` that tests it. */
  flags?: Record<string, Named>;
  /** u32 constants shared by host and shader. */
  consts?: Record<string, Named>;
}

export const u32 = (doc?: string): Field => ({ type: 'u32', doc });
export const i32 = (doc?: string): Field => ({ type: 'i32', doc });
export const f32 = (doc?: string): Field => ({ type: 'f32', doc });
export const read = (elem: string, doc?: string): Storage => ({ access: 'read', elem, doc });
export const rw = (elem: string, doc?: string): Storage => ({ access: 'rw', elem, doc });
export const named = (value: number, doc?: string): Named => ({ value, doc });
/** A float input (array<u32>) read through its accessor; see Storage.floats. */
export const floats = (access: BindingKind, doc?: string): Storage => ({ access, elem: 'u32', doc, floats: true });

/** `<name>_DTYPE` of a float input: its element type. 16-bit elements lie two per word, element 2k in the low half. */
export const DTYPE_CODE = { float32: 0, float16: 1, bfloat16: 2 } as const;
export type FloatDType = keyof typeof DTYPE_CODE;

/** A bound buffer region, as a Dispatch lists it. */
export interface BoundRegion {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

type Keys<T> = T extends Record<string, unknown> ? keyof T & string : never;
export type UniformValues<S extends LayoutSpec> = { readonly [K in keyof S['uniforms']]: number };
export type BindingValues<S extends LayoutSpec> = { readonly [K in keyof S['bindings']]: BoundRegion };

export interface Layout<S extends LayoutSpec> {
  readonly name: string;
  readonly spec: S;
  /** Flag bits by name. */
  readonly F: { readonly [K in Keys<S['flags']>]: number };
  /** Shared constants by name. */
  readonly C: { readonly [K in Keys<S['consts']>]: number };
  /** Access of each storage binding, from binding 1 on (what the engine's bind-group layout needs). */
  readonly kinds: readonly BindingKind[];
  /** The WGSL declarations: flags, constants, `struct Params` and the bindings. */
  readonly wgsl: string;
  /** The uniform block from every field by name (nothing missing, nothing unknown). */
  uniforms(values: UniformValues<S>): ArrayBuffer;
  /** The storage bindings in binding order, from every binding by name. */
  bindings(values: BindingValues<S>): BoundRegion[];
  /**
   * Override constants for the float inputs' element types, by binding name: `<name>_DTYPE` for
   * each that is not float32 (float32 is the default, so its pipelines are the usual ones).
   */
  dtypes(values: { readonly [K in keyof S['bindings']]?: string }): Record<string, number>;
}

/** Uniform blocks are at most 256 bytes (the engine's slot), a 16-byte multiple. */
const MAX_UNIFORM_WORDS = 64;

export function defineLayout<const S extends LayoutSpec>(name: string, spec: S): Layout<S> {
  const fields = Object.entries(spec.uniforms);
  const bindingNames = Object.keys(spec.bindings);
  if (fields.length > MAX_UNIFORM_WORDS) throw new Error(`${name}: ${fields.length} uniform fields exceed the 256-byte block`);
  const values = (rec: Record<string, Named> | undefined) => Object.fromEntries(Object.entries(rec ?? {}).map(([k, v]) => [k, v.value]));
  return {
    name,
    spec,
    F: values(spec.flags) as Layout<S>['F'],
    C: values(spec.consts) as Layout<S>['C'],
    kinds: Object.values(spec.bindings).map((b) => b.access),
    wgsl: wgslOf(name, spec),
    uniforms(v) {
      checkNames(name, 'uniform', fields.map(([k]) => k), v);
      const words = Math.max(4, Math.ceil(fields.length / 4) * 4);
      const dv = new DataView(new ArrayBuffer(words * 4));
      fields.forEach(([k, f], i) => {
        const x = (v as Record<string, number>)[k];
        if (f.type === 'f32') dv.setFloat32(i * 4, x, true);
        else if (f.type === 'i32') dv.setInt32(i * 4, x | 0, true);
        else dv.setUint32(i * 4, x >>> 0, true);
      });
      return dv.buffer;
    },
    bindings(v) {
      checkNames(name, 'binding', bindingNames, v);
      return bindingNames.map((k) => (v as Record<string, BoundRegion>)[k]);
    },
    dtypes(v) {
      const out: Record<string, number> = {};
      for (const [k, d] of Object.entries(v as Record<string, string | undefined>)) {
        if (d === undefined) continue;
        if (!spec.bindings[k]?.floats) throw new Error(`${name}: binding ${k} is not a float input`);
        if (!(d in DTYPE_CODE)) throw new Error(`${name}: binding ${k} cannot read ${d}`);
        const code = DTYPE_CODE[d as FloatDType];
        if (code !== 0) out[`${k}_DTYPE`] = code;
      }
      return out;
    },
  };
}

/** Every declared name given, and no other (the types say so too; this catches casts and spreads). */
function checkNames(family: string, what: string, declared: string[], given: object): void {
  const missing = declared.filter((k) => !(k in given));
  const unknown = Object.keys(given).filter((k) => !declared.includes(k));
  if (missing.length || unknown.length) {
    throw new Error(`${family}: ${what}s ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && unknown.length ? '; ' : ''}${unknown.length ? `unknown ${unknown.join(', ')}` : ''}`);
  }
}

const comment = (doc?: string) => (doc ? `  // ${doc}` : '');

function wgslOf(name: string, spec: LayoutSpec): string {
  const lines = [`// ${name}'s interface, generated from its layout table (src/kernels/layouts/).`];
  if (spec.flags) {
    lines.push(
      '',
      "// The call's feature flags (F_*), fixed when the pipeline is built: the loops carry no branch",
      '// for a feature the call does not use.',
      'override FLAGS: u32 = 0u;',
      ...Object.entries(spec.flags).map(([k, f]) => `const F_${k}: u32 = ${f.value}u;${comment(f.doc)}`),
      '',
      'fn has(f: u32) -> bool {',
      '  return (FLAGS & f) != 0u;',
      '}',
      '',
    );
  }
  for (const [k, c] of Object.entries(spec.consts ?? {})) lines.push(`const ${k}: u32 = ${c.value}u;${comment(c.doc)}`);
  lines.push('', 'struct Params {');
  for (const [k, f] of Object.entries(spec.uniforms)) lines.push(`  ${k}: ${f.type},${comment(f.doc)}`);
  lines.push('}', '', '@group(0) @binding(0) var<uniform> P: Params;');
  Object.entries(spec.bindings).forEach(([k, b], i) => {
    const access = b.access === 'read' ? 'read' : 'read_write';
    lines.push(`@group(0) @binding(${i + 1}) var<storage, ${access}> ${k}: array<${b.elem}>;${comment(b.doc)}`);
  });
  const inputs = Object.keys(spec.bindings).filter((k) => spec.bindings[k].floats);
  if (inputs.length) lines.push(...HALF_WGSL, ...inputs.flatMap(accessor));
  return `${lines.join('\n')}\n`;
}

// 16-bit floats become float32 bits exactly. float16 by unpack2x16float, except the patterns
// whose conversion WGSL leaves open (±Inf and NaN, and subnormals, which a device may flush),
// built from their bits; bfloat16 is float32's upper half.
const HALF_WGSL = [
  '',
  ...Object.entries(DTYPE_CODE).map(([k, v]) => `const DTYPE_${k.toUpperCase()}: u32 = ${v}u;`),
  '',
  'fn half_bits(h: u32, dtype: u32) -> u32 {',
  '  if (dtype == DTYPE_BFLOAT16) {',
  '    return h << 16u;',
  '  }',
  '  let sign = (h & 0x8000u) << 16u;',
  '  let e = h & 0x7c00u;',
  '  if (e == 0x7c00u) {',
  '    return sign | 0x7f800000u | ((h & 0x3ffu) << 13u);',
  '  }',
  '  if (e == 0u) {',
  '    return sign | bitcast<u32>(f32(h & 0x3ffu) * 5.9604644775390625e-8);  // m · 2^-24, exact',
  '  }',
  '  return bitcast<u32>(unpack2x16float(h).x);',
  '}',
];

/** A float input's override and accessor: element i as float32 bits, whatever the element type. */
const accessor = (k: string) => [
  '',
  `override ${k}_DTYPE: u32 = DTYPE_FLOAT32;`,
  '',
  `fn load_${k}(i: u32) -> u32 {`,
  `  if (${k}_DTYPE == DTYPE_FLOAT32) {`,
  `    return ${k}[i];`,
  '  }',
  `  return half_bits((${k}[i >> 1u] >> ((i & 1u) << 4u)) & 0xffffu, ${k}_DTYPE);`,
  '}',
];
