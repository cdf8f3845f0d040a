// The page codec keeps what plain JSON loses.
import { describe, it, expect } from 'vitest';
import { encode, decode } from './wire';

const roundTrip = <T>(v: T): T => decode<T>(encode(v));

describe('wire codec', () => {
  it('keeps NaN, both infinities and -0, wherever they are', () => {
    const back = roundTrip({ a: [NaN, Infinity, -Infinity, -0, 0, 1.5], b: { c: NaN }, d: -0 });
    expect(back.a).toEqual([NaN, Infinity, -Infinity, -0, 0, 1.5]);
    expect(Object.is(back.a[3], -0)).toBe(true);
    expect(Object.is(back.a[4], 0)).toBe(true);
    expect(back.b.c).toBeNaN();
    expect(Object.is(back.d, -0)).toBe(true);
  });

  it('keeps typed arrays with their type and special values', () => {
    const back = roundTrip({ x: Float32Array.of(1, NaN, -Infinity, -0), y: Int32Array.of(-100, 3), z: Uint8Array.of(255) });
    expect(back.x).toBeInstanceOf(Float32Array);
    expect(Array.from(back.x)).toEqual([1, NaN, -Infinity, -0]);
    expect(Object.is(back.x[3], -0)).toBe(true);
    expect(back.y).toBeInstanceOf(Int32Array);
    expect(Array.from(back.y)).toEqual([-100, 3]);
    expect(back.z).toBeInstanceOf(Uint8Array);
  });

  it('leaves plain data as JSON has it, and an object that only looks tagged alone', () => {
    const v = { s: 'NaN', n: null, list: [1, 'two', { $num: 'NaN', extra: 1 }], t: true };
    expect(roundTrip(v)).toEqual(v);
    expect(encode([1, 2])).toBe('[1,2]');
    expect(roundTrip(undefined)).toBeNull();
  });
});
