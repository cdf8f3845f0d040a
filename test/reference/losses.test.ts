// softmax, binaryCrossEntropy, entropy and klDivergence against hand-computed values, including the
// edge rules: masks, NaN rows, infinite logits, the probability clip and zero-probability terms.

import { describe, expect, it } from 'vitest';
import { binaryCrossEntropy, entropy, klDivergence, logSoftmax, softmax, type RefResult } from '../../src/reference';
import { assertClose } from '../util/allclose';
import { tensor } from './helpers';
import { TOL } from '../util/tolerances';

const ln = Math.log;
const softplus = (x: number) => ln(1 + Math.exp(x)); // the naive form, fine for the small |x| used here

function gradOf(r: RefResult): Float64Array {
  if (!r.grad) throw new Error('no gradient returned');
  return r.grad;
}

describe('softmax / logSoftmax', () => {
  it('hand values, with temperature', () => {
    const s = Math.exp(1) + Math.exp(2) + Math.exp(3);
    assertClose(softmax(tensor([1, 2, 3], [1, 3])), [Math.exp(1) / s, Math.exp(2) / s, Math.exp(3) / s], TOL.tight, 'T = 1');
    const s2 = Math.exp(0.5) + Math.exp(1) + Math.exp(1.5);
    assertClose(logSoftmax(tensor([1, 2, 3], [3]), { temperature: 2 }), [0.5 - ln(s2), 1 - ln(s2), 1.5 - ln(s2)], TOL.tight, 'T = 2');
  });
  it('is stable for huge logits (the row max is subtracted first)', () => {
    const e = Math.E;
    assertClose(softmax(tensor([1000, 1001, -1000, -999], [2, 2])), [1 / (1 + e), e / (1 + e), 1 / (1 + e), e / (1 + e)], TOL.tight, 'softmax');
    assertClose(logSoftmax(tensor([1000, 1001], [1, 2])), [-ln(1 + e), 1 - ln(1 + e)], TOL.tight, 'logSoftmax');
  });
  it('-Infinity entries get 0 (log: -Infinity); an all-masked row is all 0 (log: all -Infinity)', () => {
    const x = tensor([0, -Infinity, ln(3), -Infinity, -Infinity, -Infinity], [2, 3]);
    assertClose(softmax(x), [0.25, 0, 0.75, 0, 0, 0], TOL.tight, 'softmax');
    assertClose(logSoftmax(x), [ln(0.25), -Infinity, ln(0.75), -Infinity, -Infinity, -Infinity], TOL.tight, 'logSoftmax');
  });
  it('NaN or +Infinity in a row gives a row of NaN; other rows are untouched', () => {
    const x = tensor([0, NaN, 1, 0, Infinity, 1, 0, 0, 0], [3, 3]);
    assertClose(softmax(x), [NaN, NaN, NaN, NaN, NaN, NaN, 1 / 3, 1 / 3, 1 / 3], TOL.tight, 'softmax');
    assertClose(logSoftmax(x).subarray(6), [-ln(3), -ln(3), -ln(3)], TOL.tight, 'finite row');
  });
});

describe('binaryCrossEntropy', () => {
  it('hand values from logits, with posWeight and weight per column', () => {
    const x = [0, 2, -1.5, 2];
    const t = [0.3, 1, 0, 0.4];
    const r = binaryCrossEntropy(tensor(x, [2, 2]), tensor(t, [2, 2]), {
      reduction: 'none',
      posWeight: [1, 3],
      weight: [0.5, 2],
    });
    const expected = [
      0.5 * ln(2), // x = 0: every term is ln 2 whatever t is (posWeight 1)
      2 * (3 * 1 * softplus(-2)), // t = 1: only the positive term, weighted by pw = 3
      0.5 * softplus(-1.5), // t = 0: only the negative term ln(1 + e^x)
      2 * (3 * 0.4 * softplus(-2) + 0.6 * softplus(2)),
    ];
    assertClose(r.loss, expected, TOL.tight, 'loss');
    expect(r.shape).toEqual([2, 2]);
  });
  it("agrees with PyTorch's form (1−t)·x + (1+(p−1)·t)·(log1p(exp(−|x|)) + max(−x, 0)) where it is well conditioned", () => {
    const x = [-4, -1, -0.2, 0.3, 1.7, 4.5];
    const t = [0.1, 0.9, 0.5, 0, 1, 0.25];
    const pw = 2.5;
    const torch = x.map((v, i) => (1 - t[i]) * v + (1 + (pw - 1) * t[i]) * (Math.log1p(Math.exp(-Math.abs(v))) + Math.max(-v, 0)));
    const r = binaryCrossEntropy(tensor(x, [6]), tensor(t, [6]), { posWeight: pw, reduction: 'none' });
    assertClose(r.loss, torch, TOL.tight, 'loss');
  });
  it('keeps every digit for very negative logits and does not overflow for huge ones', () => {
    const x = [-30, 800, -800, 800, -800];
    const t = [0, 1, 0, 0, 1];
    const r = binaryCrossEntropy(tensor(x, [5]), tensor(t, [5]), { reduction: 'none', grad: true });
    assertClose(r.loss, [Math.log1p(Math.exp(-30)), 0, 0, 800, 800], TOL.everyDigit, 'loss');
    const s30 = Math.exp(-30) / (1 + Math.exp(-30));
    assertClose(gradOf(r), [s30, 0, 0, 1, -1], TOL.everyDigit, 'grad = σ(x) − t');
  });
  it('±Infinity logits give the limits; NaN gives NaN for that element only', () => {
    const x = [Infinity, Infinity, -Infinity, -Infinity, NaN, 0];
    const t = [1, 0, 0, 1, 0.5, 1];
    const r = binaryCrossEntropy(tensor(x, [6]), tensor(t, [6]), { reduction: 'none', grad: true });
    assertClose(r.loss, [0, Infinity, 0, Infinity, NaN, ln(2)], TOL.tight, 'loss');
    assertClose(gradOf(r), [0, 1, 0, -1, NaN, -0.5], TOL.tight, 'grad');
  });
  it('from probs: −w·[pw·t·ln x + (1−t)·ln(1−x)], clipped to [ε, 1−ε], gradient 0 where clipped', () => {
    const x = [0.3, 0.8, 0, 1];
    const t = [1, 0.25, 1, 1];
    const r = binaryCrossEntropy(tensor(x, [4]), tensor(t, [4]), { from: 'probs', posWeight: 2, reduction: 'none', grad: true });
    assertClose(r.loss, [-2 * ln(0.3), -(2 * 0.25 * ln(0.8) + 0.75 * ln(0.2)), -2 * ln(1e-7), -2 * ln(1 - 1e-7)], TOL.tight, 'loss');
    assertClose(gradOf(r), [-2 / 0.3, -2 * 0.25 / 0.8 + 0.75 / 0.2, 0, 0], TOL.tight, 'grad');
  });
  it("'mean' divides by every element, rows·cols", () => {
    const r = binaryCrossEntropy(tensor([0, 0, 0, 0, 0, 0], [2, 3]), tensor([1, 0, 1, 0, 1, 0], [2, 3]), { grad: true });
    assertClose(r.loss, [ln(2)], TOL.tight, 'mean');
    assertClose(gradOf(r), [-0.5 / 6, 0.5 / 6, -0.5 / 6, 0.5 / 6, -0.5 / 6, 0.5 / 6], TOL.tight, 'grad');
  });
});

describe('entropy', () => {
  it('from probs: uniform over 4 is ln 4 = 2 bits; 0·ln 0 = 0; no renormalisation', () => {
    const r = entropy(tensor([0.25, 0.25, 0.25, 0.25, 0.5, 0, 0.5, 0, 0.2, 0.2, 0, 0], [3, 4]), { reduction: 'none' });
    assertClose(r.loss, [ln(4), ln(2), -2 * 0.2 * ln(0.2)], TOL.tight, 'nats');
    assertClose(entropy(tensor([0.25, 0.25, 0.25, 0.25], [4]), { base: 2 }).loss, [2], TOL.tight, 'bits');
  });
  it('from probs: gradient −(ln max(p, ε) + 1), finite at p = 0', () => {
    const r = entropy(tensor([0.5, 0, 0.5], [1, 3]), { grad: true, reduction: 'sum' });
    assertClose(gradOf(r), [-(ln(0.5) + 1), -(ln(1e-7) + 1), -(ln(0.5) + 1)], TOL.tight, 'grad');
    const e = entropy(tensor([0.5, 0, 0.5], [1, 3]), { grad: true, epsilon: 1e-3 });
    assertClose(gradOf(e).subarray(1, 2), [-(ln(1e-3) + 1)], TOL.tight, 'epsilon option');
  });
  it('from logits: H = lse − Σ p·z; a masked class adds nothing; an all-masked row is 0 with gradient 0', () => {
    const x = [0, 0, 0, 0, 0, -Infinity, ln(3), -Infinity, -Infinity, -Infinity, -Infinity, -Infinity];
    const r = entropy(tensor(x, [3, 4]), { from: 'logits', reduction: 'none', grad: true });
    const h1 = -(0.25 * ln(0.25) + 0.75 * ln(0.75));
    assertClose(r.loss, [ln(4), h1, 0], TOL.tight, 'loss');
    const g = gradOf(r);
    assertClose(g.subarray(0, 4), [0, 0, 0, 0], TOL.tight, 'uniform row: a maximum');
    // dH/dz_j = −p_j·(lp_j + H)
    assertClose(g.subarray(4, 8), [-0.25 * (ln(0.25) + h1), 0, -0.75 * (ln(0.75) + h1), 0], TOL.tight, 'masked row');
    assertClose(g.subarray(8), [0, 0, 0, 0], TOL.tight, 'all masked');
  });
  it('NaN in a row (or +Infinity in logits) makes that row NaN', () => {
    const r = entropy(tensor([0.5, NaN, 0.5, 0.5], [2, 2]), { reduction: 'none', grad: true });
    assertClose(r.loss, [NaN, ln(2)], TOL.tight, 'probs');
    assertClose(gradOf(r), [NaN, NaN, -(ln(0.5) + 1), -(ln(0.5) + 1)], TOL.tight, 'probs grad');
    assertClose(entropy(tensor([0, Infinity], [1, 2]), { from: 'logits' }).loss, [NaN], TOL.tight, '+Infinity');
  });
});

describe('klDivergence', () => {
  it('from probs, hand value; P = 0 terms are skipped', () => {
    const r = klDivergence(tensor([0.25, 0.75, 0.5, 0.5], [2, 2]), tensor([0.5, 0.5, 1, 0], [2, 2]), { from: 'probs', reduction: 'none' });
    assertClose(r.loss, [0.5 * ln(0.5 / 0.25) + 0.5 * ln(0.5 / 0.75), ln(2)], TOL.tight, 'loss');
  });
  it('from probs: ln Q clipped at ε below only; gradient −P / max(Q, ε)', () => {
    const r = klDivergence(tensor([0, 1], [1, 2]), tensor([0.5, 0.5], [1, 2]), { from: 'probs', grad: true });
    assertClose(r.loss, [0.5 * (ln(0.5) - ln(1e-7)) + 0.5 * ln(0.5)], TOL.tight, 'loss');
    assertClose(gradOf(r), [-0.5 / 1e-7, -0.5], TOL.tight, 'grad');
  });
  it('from logits: dKL/dz = Q·ΣP − P, with a target that does not sum to 1', () => {
    const z = [ln(1), ln(3)]; // Q = (0.25, 0.75)
    const P = [0.3, 0.5]; // ΣP = 0.8
    const r = klDivergence(tensor(z, [1, 2]), tensor(P, [1, 2]), { grad: true });
    assertClose(r.loss, [0.3 * ln(0.3 / 0.25) + 0.5 * ln(0.5 / 0.75)], TOL.tight, 'loss');
    assertClose(gradOf(r), [0.25 * 0.8 - 0.3, 0.75 * 0.8 - 0.5], TOL.tight, 'grad');
  });
  it('target from logits is its softmax', () => {
    const r = klDivergence(tensor([0, 0], [2]), tensor([ln(1), ln(3)], [2]), { targetFrom: 'logits' });
    assertClose(r.loss, [0.25 * ln(0.25 / 0.5) + 0.75 * ln(0.75 / 0.5)], TOL.tight, 'loss');
  });
  it('masked Q logits: +Infinity where P > 0 there, the dropped-class value where P = 0', () => {
    const z = tensor([0, -Infinity, 0, 0, -Infinity, 0], [2, 3]);
    const P = tensor([0.5, 0.1, 0.4, 0.5, 0, 0.5], [2, 3]);
    const r = klDivergence(z, P, { reduction: 'none', grad: true });
    assertClose(r.loss, [Infinity, 0], TOL.tight, 'loss');
    assertClose(gradOf(r).subarray(3), [0, 0, 0], TOL.tight, 'grad of the finite row');
  });
  it('Q logits all masked: +Infinity, gradient 0; NaN in either row: NaN', () => {
    const r = klDivergence(
      tensor([-Infinity, -Infinity, 0, 0, 0, 0], [3, 2]),
      tensor([0.5, 0.5, 0.5, NaN, 0.5, 0.5], [3, 2]),
      { reduction: 'none', grad: true },
    );
    assertClose(r.loss, [Infinity, NaN, 0], TOL.tight, 'loss');
    assertClose(gradOf(r), [0, 0, NaN, NaN, 0, 0], TOL.tight, 'grad');
  });
});
