// The seeded generators the oracle and GPU tests share: deterministic, in range, float32 data.

import { describe, expect, it } from 'vitest';
import { mulberry32, randomLabels, randomLogits, randomProbs, randomUniform } from '../../src/reference';
import { assertClose } from '../util/allclose';
import { TOL } from '../util/tolerances';

describe('random inputs', () => {
  it('mulberry32 is deterministic and pinned (the reference sequence for seed 1)', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    assertClose(first, [0.6270739405881613, 0.002735721180215478, 0.5274470399599522], TOL.exact, 'seed 1');
    expect(mulberry32(2)()).not.toBe(first[0]);
  });
  it('values lie in [0, 1) over many draws', () => {
    const r = mulberry32(99);
    for (let i = 0; i < 10000; i++) {
      const u = r();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });
  it('randomLogits: float32, the requested size, roughly N(0, scale²)', () => {
    const z = randomLogits(mulberry32(3), 100, 50, 2);
    expect(z).toBeInstanceOf(Float32Array);
    expect(z.length).toBe(5000);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const sd = Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(sd - 2)).toBeLessThan(0.1);
  });
  it('randomProbs: positive rows summing to 1 up to float32 rounding', () => {
    const rows = 20;
    const cols = 7;
    const p = randomProbs(mulberry32(4), rows, cols, 2);
    expect(p).toBeInstanceOf(Float32Array);
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
    const sums = Array.from({ length: rows }, (_, r) => p.subarray(r * cols, (r + 1) * cols).reduce((s, v) => s + v, 0));
    assertClose(sums, new Float64Array(rows).fill(1), TOL.float32RowSum, 'row sums');
  });
  it('randomUniform: n float32 values in [lo, hi)', () => {
    const u = randomUniform(mulberry32(5), 1000, 0.5, 2);
    expect(u).toBeInstanceOf(Float32Array);
    expect(u.every((v) => v >= 0.5 && v <= 2)).toBe(true);
  });
  it('randomLabels: int32 in [0, classes), ignoreIndex for about the requested fraction', () => {
    const y = randomLabels(mulberry32(6), 2000, 5);
    expect(y).toBeInstanceOf(Int32Array);
    expect(y.every((v) => v >= 0 && v < 5)).toBe(true);
    const z = randomLabels(mulberry32(6), 2000, 5, { ignoreFraction: 0.25, ignoreIndex: -1 });
    const ignored = z.filter((v) => v === -1).length / 2000;
    expect(Math.abs(ignored - 0.25)).toBeLessThan(0.05);
    expect(z.every((v) => v === -1 || (v >= 0 && v < 5))).toBe(true);
  });
});
