// The linear cross-entropy oracle's fine-tuning options: the causal shift against labels shifted
// by hand, a frozen head against the full gradient, the per-row extras against their definitions,
// and the options' validation.

import { describe, expect, it } from 'vitest';
import { linearCrossEntropy, mulberry32, normal, randomLabels } from '../../src/reference';
import type { RefLinearCrossEntropyOptions } from '../../src/reference';
import { assertClose } from '../util/allclose';
import { TOL } from '../util/tolerances';

function problem(seed: number, N: number, D: number, V: number) {
  const rng = mulberry32(seed);
  const randn = (n: number, s: number) => Float64Array.from({ length: n }, () => normal(rng) * s);
  const hidden = { data: randn(N * D, 1), shape: [N, D] };
  const weight = { data: randn(V * D, 0.7), shape: [V, D] };
  const bias = { data: randn(V, 0.5), shape: [V] };
  const y = randomLabels(rng, N, V);
  y[1] = -100;
  return { hidden, weight, bias, y, N, D, V };
}

describe('linearCrossEntropy oracle: shift', () => {
  const S = 4;
  const { hidden, weight, bias, y, N } = problem(5, 12, 3, 7);
  // Labels shifted by hand: row t takes label t + 1 of its sequence, the last row of each is ignored.
  const shifted = Int32Array.from({ length: N }, (_, r) => ((r + 1) % S === 0 ? -100 : y[r + 1]));
  const optionSets: RefLinearCrossEntropyOptions[] = [{}, { reduction: 'none', labelSmoothing: 0.1 }, { reduction: 'sum', zLoss: 0.01, softcap: 3 }];
  for (const opts of optionSets) {
    it(`shift: 1, sequenceLength ${S}, ${JSON.stringify(opts)}: as the labels shifted by hand`, () => {
      const a = linearCrossEntropy(hidden, weight, { data: y, shape: [N] }, { ...opts, bias, grad: true, shift: 1, sequenceLength: S });
      const b = linearCrossEntropy(hidden, weight, { data: shifted, shape: [N] }, { ...opts, bias, grad: true });
      assertClose(a.loss, b.loss, TOL.tight, 'loss');
      assertClose(a.gradHidden!, b.gradHidden!, TOL.tight, 'gradHidden');
      assertClose(a.gradWeight!, b.gradWeight!, TOL.tight, 'gradWeight');
      // A sequence's last row is ignored: its gradient is 0.
      for (let r = S - 1; r < N; r += S) expect(Array.from(a.gradHidden!.subarray(r * 3, r * 3 + 3))).toEqual([0, 0, 0]);
    });
  }
  it('shift without sequenceLength is one sequence of N rows', () => {
    const a = linearCrossEntropy(hidden, weight, { data: y, shape: [N] }, { shift: 1 });
    const one = Int32Array.from({ length: N }, (_, r) => (r === N - 1 ? -100 : y[r + 1]));
    const b = linearCrossEntropy(hidden, weight, { data: one, shape: [N] }, {});
    assertClose(a.loss, b.loss, TOL.tight, 'loss');
  });
});

describe('linearCrossEntropy oracle: frozenHead', () => {
  it('the same loss and gradHidden, no gradWeight or gradBias', () => {
    const { hidden, weight, bias, y, N } = problem(6, 9, 4, 11);
    const full = linearCrossEntropy(hidden, weight, { data: y, shape: [N] }, { bias, grad: true, labelSmoothing: 0.1 });
    const frozen = linearCrossEntropy(hidden, weight, { data: y, shape: [N] }, { bias, grad: true, labelSmoothing: 0.1, frozenHead: true });
    expect(Array.from(frozen.loss)).toEqual(Array.from(full.loss));
    expect(Array.from(frozen.gradHidden!)).toEqual(Array.from(full.gradHidden!));
    expect(frozen.gradWeight).toBeUndefined();
    expect(frozen.gradBias).toBeUndefined();
  });
});

describe('linearCrossEntropy oracle: extras', () => {
  for (const base of ['e', 2] as const) {
    it(`base ${base}: labelLogProb = ln p (nats) = −(plain per-row loss)·ln base, entropy = −Σ p·log p, argmax, correct; ignored rows`, () => {
      const { hidden, weight, bias, y, N, D, V } = problem(7, 10, 5, 9);
      const r = linearCrossEntropy(hidden, weight, { data: y, shape: [N] }, { bias, base, reduction: 'none', extras: true });
      const ln = base === 2 ? Math.LN2 : 1;
      for (let i = 0; i < N; i++) {
        const z = Array.from({ length: V }, (_, c) => {
          let s = bias.data[c];
          for (let k = 0; k < D; k++) s += hidden.data[i * D + k] * weight.data[c * D + k];
          return s;
        });
        const m = Math.max(...z);
        const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
        const p = z.map((v) => Math.exp(v - lse));
        const ignored = y[i] === -100;
        expect(r.lse![i]).toBeCloseTo(lse, 12);
        expect(r.entropy![i]).toBeCloseTo(-p.reduce((a, q) => a + q * Math.log(q), 0) / ln, 12);
        expect(r.argmax![i]).toBe(z.indexOf(m));
        expect(r.correct![i]).toBe(!ignored && z.indexOf(m) === y[i] ? 1 : 0);
        expect(r.labelLogProb![i]).toBe(ignored ? 0 : r.labelLogProb![i]);
        if (!ignored) {
          expect(r.labelLogProb![i]).toBeCloseTo(z[y[i]] - lse, 12);
          expect(r.labelLogProb![i]).toBeCloseTo(-r.loss[i] * ln, 12);
        }
      }
    });
  }
  it('with shift: the scored label is the next row\'s', () => {
    const { hidden, weight, y, N } = problem(8, 8, 3, 6);
    const r = linearCrossEntropy(hidden, weight, { data: y, shape: [N] }, { reduction: 'none', extras: true, shift: 1, sequenceLength: 4 });
    for (let i = 0; i < N; i++) {
      if ((i + 1) % 4 === 0 || y[i + 1] === -100) {
        expect(r.labelLogProb![i]).toBe(0);
        expect(r.correct![i]).toBe(0);
      } else {
        expect(r.labelLogProb![i]).toBeCloseTo(-r.loss[i], 12);
        expect(r.correct![i]).toBe(r.argmax![i] === y[i + 1] ? 1 : 0);
      }
    }
  });
});

describe('linearCrossEntropy oracle: fine-tuning options are checked', () => {
  const { hidden, weight, y, N } = problem(9, 6, 2, 4);
  const cases: [string, Record<string, unknown>][] = [
    ['options.shift', { shift: 2 }],
    ['options.shift', { shift: true }],
    ['options.sequenceLength', { sequenceLength: 3 }],
    ['options.sequenceLength', { shift: 1, sequenceLength: 4 }],
    ['options.sequenceLength', { shift: 1, sequenceLength: 0 }],
    ['options.sequenceLength', { shift: 1, sequenceLength: 1.5 }],
    ['options.frozenHead', { frozenHead: 1 }],
    ['options.memoryBudget', { memoryBudget: 0 }],
    ['options.memoryBudget', { memoryBudget: 10.5 }],
    ['options.memoryBudget', { memoryBudget: Infinity }],
  ];
  for (const [argument, opts] of cases) {
    it(`${JSON.stringify(opts)} names ${argument}`, () => {
      let err: unknown;
      try {
        linearCrossEntropy(hidden, weight, { data: y, shape: [N] }, opts as RefLinearCrossEntropyOptions);
      } catch (e) {
        err = e;
      }
      expect((err as Error)?.name).toBe('OptionError');
      expect((err as { argument?: string }).argument).toBe(argument);
    });
  }
  it('a memoryBudget is accepted (the oracle has no scratch to size)', () => {
    const a = linearCrossEntropy(hidden, weight, { data: y, shape: [N] }, { memoryBudget: 1 });
    const b = linearCrossEntropy(hidden, weight, { data: y, shape: [N] }, {});
    expect(Array.from(a.loss)).toEqual(Array.from(b.loss));
  });
});
