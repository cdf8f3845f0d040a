// The linear cross-entropy oracle: agreement with crossEntropy on explicit logits (chained by
// hand-written matmuls here), central finite differences of its three gradients, and validation.

import { describe, expect, it } from 'vitest';
import { crossEntropy, linearCrossEntropy, mulberry32, normal, randomLabels } from '../../src/reference';
import type { RefLinearCrossEntropyOptions } from '../../src/reference';
import { assertClose } from '../util/allclose';
import { numericGrad } from './helpers';
import { TOL } from '../util/tolerances';

function randn(rng: () => number, n: number, scale: number): Float64Array {
  return Float64Array.from({ length: n }, () => normal(rng) * scale);
}

function problem(seed: number, N: number, D: number, V: number, ignoreEvery = 0) {
  const rng = mulberry32(seed);
  const h = randn(rng, N * D, 1);
  const w = randn(rng, V * D, 0.7);
  const b = randn(rng, V, 0.5);
  const y = randomLabels(rng, N, V);
  if (ignoreEvery) for (let i = 0; i < N; i += ignoreEvery) y[i] = -100;
  return { h, w, b, y, N, D, V };
}

const OPTION_SETS: RefLinearCrossEntropyOptions[] = [
  {},
  { reduction: 'sum' },
  { reduction: 'none' },
  { labelSmoothing: 0.2, zLoss: 0.01 },
  { softcap: 2.5, base: 2 },
  { weight: [0.5, 2, 1, 1.5, 0.25], labelSmoothing: 0.1 },
];

describe('linearCrossEntropy oracle agrees with crossEntropy on explicit logits', () => {
  for (const opts of OPTION_SETS) {
    it(JSON.stringify(opts), () => {
      const { h, w, b, y, N, D, V } = problem(3, 6, 4, 5, 4);
      const z = new Float64Array(N * V);
      for (let r = 0; r < N; r++) for (let c = 0; c < V; c++) {
        let s = b[c];
        for (let k = 0; k < D; k++) s += h[r * D + k] * w[c * D + k];
        z[r * V + c] = s;
      }
      const ce = crossEntropy({ data: z, shape: [N, V] }, { data: y, shape: [N] }, { ...opts, grad: true });
      const lin = linearCrossEntropy({ data: h, shape: [N, D] }, { data: w, shape: [V, D] }, { data: y, shape: [N] }, { ...opts, bias: { data: b, shape: [V] }, grad: true });
      assertClose(lin.loss, ce.loss, TOL.tight, 'loss');
      expect(lin.shape).toEqual(ce.shape);
      const G = ce.grad!;
      const gh = new Float64Array(N * D);
      const gw = new Float64Array(V * D);
      const gb = new Float64Array(V);
      for (let r = 0; r < N; r++) for (let c = 0; c < V; c++) {
        gb[c] += G[r * V + c];
        for (let k = 0; k < D; k++) {
          gh[r * D + k] += G[r * V + c] * w[c * D + k];
          gw[c * D + k] += G[r * V + c] * h[r * D + k];
        }
      }
      assertClose(lin.gradHidden!, gh, TOL.tight, 'gradHidden');
      assertClose(lin.gradWeight!, gw, TOL.tight, 'gradWeight');
      assertClose(lin.gradBias!, gb, TOL.tight, 'gradBias');
    });
  }

  it('row blocks: a vocabulary larger than one block of logits gives the same result', () => {
    // 2^20 logits per block: V = 300000 puts 3 rows in 3 blocks of one row each.
    const { h, w, y, N, D, V } = problem(9, 3, 2, 300_000);
    const lin = linearCrossEntropy({ data: h, shape: [N, D] }, { data: w, shape: [V, D] }, { data: y, shape: [N] }, { reduction: 'sum' });
    let s = 0;
    for (let r = 0; r < N; r++) {
      const one = linearCrossEntropy({ data: h.subarray(r * D, r * D + D), shape: [1, D] }, { data: w, shape: [V, D] }, { data: [y[r]], shape: [1] }, { reduction: 'sum' });
      s += one.loss[0];
    }
    assertClose(lin.loss, [s], TOL.tight, 'sum of single rows');
  });
});

describe('linearCrossEntropy oracle gradients against central differences', () => {
  for (const opts of OPTION_SETS) {
    it(JSON.stringify(opts), () => {
      const { h, w, b, y, N, D, V } = problem(11, 4, 3, 5, 3);
      const run = (hh: ArrayLike<number>, ww: ArrayLike<number>, bb: ArrayLike<number>) => {
        const r = linearCrossEntropy({ data: hh, shape: [N, D] }, { data: ww, shape: [V, D] }, { data: y, shape: [N] }, { ...opts, bias: { data: bb, shape: [V] } });
        let s = 0;
        for (const v of r.loss) s += v;
        return s;
      };
      const lin = linearCrossEntropy({ data: h, shape: [N, D] }, { data: w, shape: [V, D] }, { data: y, shape: [N] }, { ...opts, bias: { data: b, shape: [V] }, grad: true });
      assertClose(lin.gradHidden!, numericGrad((x) => run(x, w, b), h), TOL.finiteDifference, 'gradHidden');
      assertClose(lin.gradWeight!, numericGrad((x) => run(h, x, b), w), TOL.finiteDifference, 'gradWeight');
      assertClose(lin.gradBias!, numericGrad((x) => run(h, w, x), b), TOL.finiteDifference, 'gradBias');
    });
  }

  it("every row ignored: 'mean' is NaN (or 0 with allIgnored: 'zero'), gradients 0", () => {
    const { h, w, N, D, V } = problem(5, 3, 2, 4);
    const y = new Int32Array(N).fill(-100);
    const args = [{ data: h, shape: [N, D] }, { data: w, shape: [V, D] }, { data: y, shape: [N] }] as const;
    const a = linearCrossEntropy(...args, { grad: true });
    expect(Number.isNaN(a.loss[0])).toBe(true);
    assertClose(a.gradHidden!, new Float64Array(N * D), TOL.tight, 'gradHidden');
    assertClose(a.gradWeight!, new Float64Array(V * D), TOL.tight, 'gradWeight');
    expect(linearCrossEntropy(...args, { allIgnored: 'zero' }).loss[0]).toBe(0);
  });
});

describe('linearCrossEntropy oracle validation', () => {
  const h = { data: new Float64Array(6), shape: [2, 3] };
  const w = { data: new Float64Array(12), shape: [4, 3] };
  const y = { data: new Int32Array([0, 3]), shape: [2] };
  const cases: [string, () => unknown, string, string][] = [
    ['D mismatch', () => linearCrossEntropy(h, { data: new Float64Array(8), shape: [4, 2] }, y), 'ShapeError', 'weight'],
    ['labels length', () => linearCrossEntropy(h, w, { data: [0], shape: [1] }), 'ShapeError', 'labels'],
    ['bias length', () => linearCrossEntropy(h, w, y, { bias: { data: [0, 0, 0], shape: [3] } }), 'ShapeError', 'options.bias'],
    ['hidden rank', () => linearCrossEntropy({ data: new Float64Array(3), shape: [3] }, w, y), 'ShapeError', 'hidden'],
    ['label out of range', () => linearCrossEntropy(h, w, { data: [0, 4], shape: [2] }), 'LabelRangeError', 'labels'],
    ['from probs', () => linearCrossEntropy(h, w, y, { from: 'probs' } as RefLinearCrossEntropyOptions), 'OptionError', 'options.from'],
    ['smoothing out of range', () => linearCrossEntropy(h, w, y, { labelSmoothing: 2 }), 'OptionError', 'options.labelSmoothing'],
  ];
  for (const [title, f, name, arg] of cases) {
    it(title, () => {
      let err: unknown;
      try { f(); } catch (e) { err = e; }
      expect((err as Error | undefined)?.name).toBe(name);
      expect((err as { argument?: string }).argument).toBe(arg);
    });
  }
});
