// 16-bit floats decoded exactly: float16 (IEEE binary16: 1 sign, 5 exponent, 10 fraction bits)
// and bfloat16 (float32's upper 16 bits: 1, 8, 7). Every pattern has an exact float64 value, so
// the oracle computes on the very numbers the GPU reads.
import type { HalfDType, HostTensor } from '../contract/types';
import { declaredDType, halfBits, isHalf } from '../contract/tensor';

export { refuseHalf } from '../contract/tensor';

/** The value of a float16 bit pattern: subnormals m·2⁻²⁴, ±Infinity, NaN, −0 included. */
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

/** The value of a bfloat16 bit pattern: the float32 whose upper half it is (lower half zero). */
export function bfloat16Value(h: number): number {
  word[0] = (h & 0xffff) << 16;
  return asFloat[0];
}

/** Decodes 16-bit patterns of `dtype` into their exact values. */
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
