// 16-bit floats decoded exactly: float16 (IEEE binary16: 1 sign, 5 exponent, 10 fraction bits)
// and bfloat16 (float32's upper 16 bits: 1, 8, 7). Every pattern has an exact float64 value, so
// the oracle computes on the very numbers the GPU reads.
import type { HalfDType, HostTensor } from '../contract/types';
import { declaredDType, halfBits, isHalf } from '../contract/tensor';

export { refuseHalf } from '../contract/tensor';

/**
 * The value of a float16 bit pattern: subnormals m·2⁻²⁴, ±Infinity, NaN, −0 included.
 * @example
 * float16Value(0x3c00);   // 1
 * float16Value(0x7bff);   // 65504
 */
export function float16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * m * 2 ** -24;
  return sign * (1024 + m) * 2 ** (e - 25);
}

const word = new Uint32Array(1);
const asFloat = new Float32Array(word.buffer);

/**
 * The value of a bfloat16 bit pattern: the float32 whose upper half it is (lower half zero).
 * @example
 * bfloat16Value(0x3f80);   // 1
 */
export function bfloat16Value(h: number): number {
  word[0] = (h & 0xffff) << 16;
  return asFloat[0];
}

/**
 * Decodes 16-bit patterns of `dtype` into their exact values.
 * @example
 * decodeHalf(new Uint16Array([0x3c00, 0xc000]), 'float16');   // Float64Array [1, -2]
 */
export function decodeHalf(bits: ArrayLike<number>, dtype: HalfDType): Float64Array {
  const value = dtype === 'float16' ? float16Value : bfloat16Value;
  const out = new Float64Array(bits.length);
  for (let i = 0; i < out.length; i++) out[i] = value(bits[i]);
  return out;
}

/**
 * A host tensor with its values as numbers: float16 / bfloat16 data (by `dtype`, or a
 * Float16Array) decoded; anything else as it is, for the usual checks to judge.
 */
export function decoded<T extends HostTensor>(t: T, name: string): T {
  const dtype = declaredDType(t, name);
  if (!isHalf(dtype)) return t;
  return { data: decodeHalf(halfBits(t.data, dtype, name), dtype), shape: t.shape } as unknown as T;
}

// ---- encoding: numbers to 16-bit patterns, round to nearest even --------------------------------

/** float16 pattern of x (round to nearest even; past 65504 by half an ulp: ±Infinity; NaN: 0x7e00). */
export function toFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | roundEven(a * 2 ** 24); // subnormal (1024 becomes the smallest normal)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let frac = roundEven((a / 2 ** e - 1) * 1024);
  if (frac === 1024) {
    frac = 0;
    e++;
  }
  return e + 15 >= 31 ? sign | 0x7c00 : sign | ((e + 15) << 10) | frac;
}

/** bfloat16 pattern of x rounded to float32 first (round to nearest even; NaN stays NaN). */
export function toBfloat16Bits(x: number): number {
  asFloat[0] = x;
  const u = word[0];
  if (Number.isNaN(asFloat[0])) return (u >>> 16) | 0x40;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

function roundEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/**
 * Numbers as patterns of `dtype`, each rounded to float32 first (as a float32 result on the GPU
 * is packed): the CPU fallback's 16-bit gradients.
 */
export function toHalfBits(values: ArrayLike<number>, dtype: HalfDType): Uint16Array {
  const enc = dtype === 'float16' ? toFloat16Bits : toBfloat16Bits;
  const out = new Uint16Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = enc(Math.fround(values[i]));
  return out;
}
