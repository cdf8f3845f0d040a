// Numbers to 16-bit float patterns, round to nearest even (test data: the oracle decodes the
// patterns themselves, so the GPU and the oracle always see the same values).
import type { HalfDType } from '../../src/contract/types';

/** float16 pattern of x (round to nearest even; past 65504 by half an ulp: ±Infinity). */
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

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** bfloat16 pattern of x rounded to float32 first (round to nearest even; NaN stays NaN). */
export function toBfloat16Bits(x: number): number {
  f32[0] = x;
  const u = u32[0];
  if (Number.isNaN(f32[0])) return (u >>> 16) | 0x40;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

function roundEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/** Numbers as patterns of `dtype`. */
export function toHalfBits(values: ArrayLike<number>, dtype: HalfDType): Uint16Array {
  const enc = dtype === 'float16' ? toFloat16Bits : toBfloat16Bits;
  return Uint16Array.from(Array.from(values, enc));
}
