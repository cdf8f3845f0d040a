// crossEntropy against hand-computed cases: smoothing + ignore + weights (the combination PyTorch got
// wrong in issues 69339 and 73205), z-loss, soft-cap, -Infinity masks, NaN rows, all-ignored batches,
// the probability clip, and the extras (lse, argmax, correct).

import { describe, expect, it } from 'vitest';
import { crossEntropy, type RefResult } from '../../src/reference';
import { assertClose } from '../util/allclose';
import { tensor } from './helpers';
import { TOL } from '../util/tolerances';

const ln = Math.log;

function gradOf(r: RefResult): Float64Array {
  if (!r.grad) throw new Error('no gradient returned');
  return r.grad;
}

describe('label smoothing with ignoreIndex and class weights, worked by hand', () => {
  // 3 rows, 3 classes. Logits ln(1, 2, 3) give p = (1/6, 2/6, 3/6) exactly; ln(1, 1, 2) gives (1/4, 1/4, 1/2).
  // Row 1 is ignored. w = (1, 2, 0.5), so W = Σ w = 3.5; ε = 0.3, so ε/V = 0.1 and 1 − ε = 0.7.
  const z = [ln(1), ln(2), ln(3), 5, -2, 0.5, ln(1), ln(1), ln(2)];
  const y = [0, -100, 2];
  const opts = { weight: [1, 2, 0.5], labelSmoothing: 0.3 };
  // loss_i = 0.7·w_y·(−lp_y) + 0.1·Σ_c w_c·(−lp_c)
  // row 0: −lp = (ln 6, ln 3, ln 2): 0.7·1·ln 6 + 0.1·(1·ln 6 + 2·ln 3 + 0.5·ln 2) = 0.85·ln 2 + 1.0·ln 3
  // row 2: −lp = (ln 4, ln 4, ln 2): 0.7·0.5·ln 2 + 0.1·(1·ln 4 + 2·ln 4 + 0.5·ln 2) = 0.35·ln 2 + 0.65·ln 2
  const row0 = 0.7 * 1 * ln(6) + 0.1 * (1 * ln(6) + 2 * ln(3) + 0.5 * ln(2));
  const row2 = 0.7 * 0.5 * ln(2) + 0.1 * (1 * ln(4) + 2 * ln(4) + 0.5 * ln(2));
  const denominator = 1 + 0.5; // w[y] of the kept rows 0 and 2

  it('the hand arithmetic itself: rows are 0.85 ln 2 + ln 3 and 1.0 ln 2', () => {
    assertClose([row0, row2], [0.85 * ln(2) + ln(3), ln(2)], TOL.tight, 'simplified');
  });

  it("'none' gives each row, 0 for the ignored one", () => {
    const r = crossEntropy(tensor(z, [3, 3]), tensor(y, [3]), { ...opts, reduction: 'none' });
    assertClose(r.loss, [row0, 0, row2], TOL.tight, 'none');
    expect(r.shape).toEqual([3]);
  });

  it("'sum' adds the kept rows", () => {
    const r = crossEntropy(tensor(z, [3, 3]), tensor(y, [3]), { ...opts, reduction: 'sum' });
    assertClose(r.loss, [row0 + row2], TOL.tight, 'sum');
    expect(r.shape).toEqual([]);
  });

  it("'mean' divides the whole sum, smoothing term included, by Σ w_y over kept rows", () => {
    const r = crossEntropy(tensor(z, [3, 3]), tensor(y, [3]), opts);
    const expected = (row0 + row2) / denominator;
    assertClose(r.loss, [expected], TOL.tight, 'mean');
    assertClose(r.loss, [(1.85 * ln(2) + ln(3)) / 1.5], TOL.tight, 'mean, simplified');
    // The wrong answers this must not give: dividing by the kept-row count, or letting the ignored
    // row's smoothing term in (row 1's −lp with ε/V·w).
    expect(Math.abs(r.loss[0] - (row0 + row2) / 2)).toBeGreaterThan(0.1);
    const lse1 = ln(Math.exp(5) + Math.exp(-2) + Math.exp(0.5));
    const leaked = 0.1 * (1 * (lse1 - 5) + 2 * (lse1 + 2) + 0.5 * (lse1 - 0.5));
    expect(Math.abs(r.loss[0] - (row0 + row2 + leaked) / denominator)).toBeGreaterThan(0.1);
  });

  it('gradient by hand: (p·S − C) / Σ w_y, zero on the ignored row', () => {
    // row 0 (y = 0): S = 0.7·1 + 0.1·3.5 = 1.05, C = (0.8, 0.2, 0.05) → p·S − C = (−0.625, 0.15, 0.475)
    // row 2 (y = 2): S = 0.7·0.5 + 0.35 = 0.7, C = (0.1, 0.2, 0.4)   → p·S − C = (0.075, −0.025, −0.05)
    const g0 = [(1 / 6) * 1.05 - 0.8, (2 / 6) * 1.05 - 0.2, (3 / 6) * 1.05 - 0.05];
    const g2 = [(1 / 4) * 0.7 - 0.1, (1 / 4) * 0.7 - 0.2, (2 / 4) * 0.7 - 0.4];
    assertClose([...g0, ...g2], [-0.625, 0.15, 0.475, 0.075, -0.025, -0.05], TOL.tight, 'hand arithmetic');
    const r = crossEntropy(tensor(z, [3, 3]), tensor(y, [3]), { ...opts, grad: true });
    const expected = [...g0, 0, 0, 0, ...g2].map((g) => g / denominator);
    assertClose(gradOf(r), expected, TOL.tight, 'grad');
  });

  it('the same rows as dense smoothed one-hot targets: equal per row, mean over B instead', () => {
    const dense = [1, 0, 0, 0, 0, 1];
    const zKept = [...z.slice(0, 3), ...z.slice(6)];
    const none = crossEntropy(tensor(zKept, [2, 3]), tensor(dense, [2, 3]), { ...opts, reduction: 'none' });
    assertClose(none.loss, [row0, row2], TOL.tight, 'dense none');
    const mean = crossEntropy(tensor(zKept, [2, 3]), tensor(dense, [2, 3]), opts);
    assertClose(mean.loss, [(row0 + row2) / 2], TOL.tight, 'dense mean divides by B = 2');
  });
});

describe('z-loss and soft-cap by hand', () => {
  const z = [1, 2, 3];
  const lse = ln(Math.exp(1) + Math.exp(2) + Math.exp(3));
  it('zLoss adds zLoss·lse² to each kept row (and is divided by ln 2 in bits)', () => {
    const r = crossEntropy(tensor(z, [1, 3]), tensor([2], [1]), { zLoss: 0.01 });
    assertClose(r.loss, [lse - 3 + 0.01 * lse * lse], TOL.tight, 'nats');
    const b = crossEntropy(tensor(z, [1, 3]), tensor([2], [1]), { zLoss: 0.01, base: 2 });
    assertClose(b.loss, [(lse - 3 + 0.01 * lse * lse) / Math.LN2], TOL.tight, 'bits');
  });
  it('softcap c replaces z by c·tanh(z/c) before the softmax', () => {
    const c = 2;
    const zc = z.map((v) => c * Math.tanh(v / c));
    const lsec = ln(zc.reduce((s, v) => s + Math.exp(v), 0));
    const r = crossEntropy(tensor(z, [1, 3]), tensor([0], [1]), { softcap: c, extras: true });
    assertClose(r.loss, [lsec - zc[0]], TOL.tight, 'loss');
    assertClose(r.lse ?? [], [lsec], TOL.tight, 'lse of the capped logits');
  });
  it('z-loss on an ignored row adds nothing', () => {
    const r = crossEntropy(tensor([...z, ...z], [2, 3]), tensor([2, -100], [2]), { zLoss: 0.5, reduction: 'none' });
    assertClose(r.loss, [lse - 3 + 0.5 * lse * lse, 0], TOL.tight, 'none');
  });
});

describe('-Infinity masks', () => {
  it('a masked non-target class gives the loss and gradient of dropping that class', () => {
    const masked = crossEntropy(tensor([1, 2, -Infinity, 0.5], [1, 4]), tensor([0], [1]), { grad: true, weight: [1, 2, 3, 0.5], zLoss: 0.1 });
    const dropped = crossEntropy(tensor([1, 2, 0.5], [1, 3]), tensor([0], [1]), { grad: true, weight: [1, 2, 0.5], zLoss: 0.1 });
    assertClose(masked.loss, dropped.loss, TOL.tight, 'loss');
    const g = gradOf(dropped);
    assertClose(gradOf(masked), [g[0], g[1], 0, g[2]], TOL.tight, 'grad');
  });
  it('a soft-cap leaves a mask masked', () => {
    const masked = crossEntropy(tensor([1, -Infinity, 2.5], [1, 3]), tensor([0], [1]), { softcap: 2, grad: true });
    const dropped = crossEntropy(tensor([1, 2.5], [1, 2]), tensor([0], [1]), { softcap: 2, grad: true });
    assertClose(masked.loss, dropped.loss, TOL.tight, 'loss');
    assertClose(gradOf(masked), [gradOf(dropped)[0], 0, gradOf(dropped)[1]], TOL.tight, 'grad');
  });
  it('a masked target class gives +Infinity, with the finite gradient p − onehot', () => {
    const z = [1, -Infinity, 2];
    const r = crossEntropy(tensor(z, [1, 3]), tensor([1], [1]), { grad: true, reduction: 'sum' });
    assertClose(r.loss, [Infinity], TOL.tight, 'loss');
    const s = Math.exp(1) + Math.exp(2);
    assertClose(gradOf(r), [Math.exp(1) / s, -1, Math.exp(2) / s], TOL.tight, 'grad');
  });
  it('smoothing puts mass on a masked class: +Infinity', () => {
    const r = crossEntropy(tensor([1, -Infinity, 2], [1, 3]), tensor([0], [1]), { labelSmoothing: 0.1 });
    assertClose(r.loss, [Infinity], TOL.tight, 'loss');
  });
  it('a dense target with 0 on a masked class is finite; with mass there, +Infinity', () => {
    const z = tensor([1, -Infinity, 2], [1, 3]);
    const s = Math.exp(1) + Math.exp(2);
    assertClose(crossEntropy(z, tensor([0.5, 0, 0.5], [1, 3])).loss, [ln(s) - 1.5], TOL.tight, 'finite');
    assertClose(crossEntropy(z, tensor([0.5, 0.25, 0.25], [1, 3])).loss, [Infinity], TOL.tight, 'infinite');
  });
  it('a row with every class masked: +Infinity and gradient 0, other rows unaffected', () => {
    const z = [-Infinity, -Infinity, -Infinity, 0, 1, 2];
    const r = crossEntropy(tensor(z, [2, 3]), tensor([0, 2], [2]), { grad: true, reduction: 'none', extras: true });
    const lse = ln(1 + Math.exp(1) + Math.exp(2));
    assertClose(r.loss, [Infinity, lse - 2], TOL.tight, 'loss');
    const p = [1, Math.exp(1), Math.exp(2)].map((e) => e / Math.exp(lse));
    assertClose(gradOf(r), [0, 0, 0, p[0], p[1], p[2] - 1], TOL.tight, 'grad');
    assertClose(r.lse ?? [], [-Infinity, lse], TOL.tight, 'lse');
    const mean = crossEntropy(tensor(z, [2, 3]), tensor([0, 2], [2]), { grad: true });
    assertClose(mean.loss, [Infinity], TOL.tight, 'mean');
    assertClose(gradOf(mean), [0, 0, 0, p[0] / 2, p[1] / 2, (p[2] - 1) / 2], TOL.tight, 'mean grad');
  });
});

describe('NaN and +Infinity input', () => {
  it('NaN in a row makes that row NaN (loss and gradient); other rows are untouched', () => {
    const z = [0, 1, 2, 0, NaN, 2];
    const r = crossEntropy(tensor(z, [2, 3]), tensor([2, 0], [2]), { grad: true, reduction: 'none' });
    const lse = ln(1 + Math.exp(1) + Math.exp(2));
    assertClose(r.loss, [lse - 2, NaN], TOL.tight, 'loss');
    const g = gradOf(r);
    assertClose(g.subarray(3), [NaN, NaN, NaN], TOL.tight, 'NaN row grad');
    assertClose(g.subarray(0, 3), [1 / Math.exp(lse), Math.exp(1 - lse), Math.exp(2 - lse) - 1], TOL.tight, 'finite row');
    assertClose(crossEntropy(tensor(z, [2, 3]), tensor([2, 0], [2])).loss, [NaN], TOL.tight, 'mean');
  });
  it('NaN on a class the target does not touch still poisons the row', () => {
    const r = crossEntropy(tensor([0, NaN, 2], [1, 3]), tensor([0], [1]), { weight: [1, 0, 1] });
    assertClose(r.loss, [NaN], TOL.tight, 'loss');
  });
  it('+Infinity in a logits row makes it NaN too', () => {
    const r = crossEntropy(tensor([0, Infinity, 2], [1, 3]), tensor([1], [1]), { grad: true });
    assertClose(r.loss, [NaN], TOL.tight, 'loss');
    assertClose(gradOf(r), [NaN, NaN, NaN], TOL.tight, 'grad');
  });
  it('an ignored row is 0 even when it holds NaN', () => {
    const r = crossEntropy(tensor([NaN, 1, 2, 0, 0, 0], [2, 3]), tensor([-100, 1], [2]), { grad: true });
    assertClose(r.loss, [ln(3)], TOL.tight, 'loss');
    assertClose(gradOf(r), [0, 0, 0, 1 / 3, -2 / 3, 1 / 3], TOL.tight, 'grad');
  });
  it('NaN in a probabilities row makes that row NaN', () => {
    const r = crossEntropy(tensor([0.5, NaN, 0.5, 0.2, 0.3, 0.5], [2, 3]), tensor([0, 2], [2]), { from: 'probs', grad: true, reduction: 'none' });
    assertClose(r.loss, [NaN, -ln(0.5)], TOL.tight, 'loss');
    assertClose(gradOf(r), [NaN, NaN, NaN, 0, 0, -1 / 0.5], TOL.tight, 'grad');
  });
});

describe('all rows ignored', () => {
  const z = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const y = tensor([-100, -100], [2]);
  it("'mean' with allIgnored 'nan' (default) is NaN, gradient 0", () => {
    const r = crossEntropy(z, y, { grad: true });
    assertClose(r.loss, [NaN], TOL.tight, 'loss');
    assertClose(gradOf(r), new Float64Array(6), TOL.tight, 'grad');
  });
  it("'mean' with allIgnored 'zero' is 0, gradient 0", () => {
    const r = crossEntropy(z, y, { grad: true, allIgnored: 'zero', labelSmoothing: 0.2, zLoss: 0.1 });
    assertClose(r.loss, [0], TOL.tight, 'loss');
    assertClose(gradOf(r), new Float64Array(6), TOL.tight, 'grad');
  });
  it("'sum' is 0 and 'none' is all zeros either way", () => {
    assertClose(crossEntropy(z, y, { reduction: 'sum' }).loss, [0], TOL.tight, 'sum');
    assertClose(crossEntropy(z, y, { reduction: 'none' }).loss, [0, 0], TOL.tight, 'none');
  });
  it('from probs as well', () => {
    const p = tensor([0.2, 0.3, 0.5, 0.1, 0.1, 0.8], [2, 3]);
    assertClose(crossEntropy(p, y, { from: 'probs' }).loss, [NaN], TOL.tight, 'nan');
    assertClose(crossEntropy(p, y, { from: 'probs', allIgnored: 'zero' }).loss, [0], TOL.tight, 'zero');
  });
});

describe('weights on the labels that sum to 0', () => {
  it("'mean' is 0/0 = NaN (IEEE, as PyTorch), 'sum' is 0", () => {
    const z = tensor([0, 1, 2, 2, 1, 0], [2, 3]);
    const y = tensor([0, 2], [2]);
    assertClose(crossEntropy(z, y, { weight: [0, 1, 0] }).loss, [NaN], TOL.tight, 'mean');
    assertClose(crossEntropy(z, y, { weight: [0, 1, 0], reduction: 'sum' }).loss, [0], TOL.tight, 'sum');
  });
});

describe('ignoreIndex', () => {
  it('a custom ignoreIndex inside [0, V) ignores that class label', () => {
    const z = [0, 1, 2, 2, 1, 0];
    const r = crossEntropy(tensor(z, [2, 3]), tensor([1, 0], [2]), { ignoreIndex: 1, reduction: 'none' });
    const lse = ln(1 + Math.exp(1) + Math.exp(2));
    assertClose(r.loss, [0, lse - 2], TOL.tight, 'none');
  });
  it('-100 is an ordinary invalid label once ignoreIndex is changed', () => {
    expect(() => crossEntropy(tensor([0, 1], [1, 2]), tensor([-100], [1]), { ignoreIndex: -1 })).toThrow(/target/);
  });
  it('does not apply to dense targets', () => {
    const r = crossEntropy(tensor([0, 0], [1, 2]), tensor([1, 0], [1, 2]), { ignoreIndex: 0 });
    assertClose(r.loss, [ln(2)], TOL.tight, 'dense');
  });
});

describe('from probs: the clip', () => {
  it('p = 0 on the label saturates at −ln ε (≈ 16.118 nats for ε = 1e-7, Keras)', () => {
    const r = crossEntropy(tensor([0, 1], [1, 2]), tensor([0], [1]), { from: 'probs' });
    assertClose(r.loss, [-ln(1e-7)], TOL.tight, 'saturated');
    assertClose(r.loss, [16.1181], TOL.quoted(4), 'about 16.1 nats');
  });
  it('p = 1 on the label costs −ln(1 − ε), not 0', () => {
    const r = crossEntropy(tensor([1, 0], [1, 2]), tensor([0], [1]), { from: 'probs', epsilon: 1e-3 });
    assertClose(r.loss, [-ln(1 - 1e-3)], TOL.tight, 'upper clip');
  });
  it('normalize divides by the row sum before clipping', () => {
    const r = crossEntropy(tensor([2, 6], [1, 2]), tensor([0], [1]), { from: 'probs', normalize: true });
    assertClose(r.loss, [-ln(0.25)], TOL.tight, 'normalized');
  });
});

describe('extras', () => {
  const z = [1, 3, 3, 2, 0, 0, 0, 0, 5, -Infinity, 1, 2, -1, -2, NaN, 4];
  const y = [1, 2, -100, 3];
  const r = crossEntropy(tensor(z, [4, 4]), tensor(y, [4]), { extras: true, reduction: 'none' });
  it('lse per row in nats (including the ignored row; NaN for a NaN row)', () => {
    const lse0 = ln(Math.exp(1) + 2 * Math.exp(3) + Math.exp(2));
    const lse2 = ln(Math.exp(5) + Math.exp(1) + Math.exp(2));
    assertClose(r.lse ?? [], [lse0, ln(4), lse2, NaN], TOL.tight, 'lse');
    const bits = crossEntropy(tensor(z, [4, 4]), tensor(y, [4]), { extras: true, base: 2 });
    assertClose(bits.lse ?? [], [lse0, ln(4), lse2, NaN], TOL.tight, 'lse stays in nats with base 2');
  });
  it('argmax: first maximum wins on ties; a NaN counts as the maximum', () => {
    expect(Array.from(r.argmax ?? [])).toEqual([1, 0, 0, 2]);
  });
  it('correct: argmax == label, 0 for the ignored row', () => {
    expect(Array.from(r.correct ?? [])).toEqual([1, 0, 0, 0]);
    const hit = crossEntropy(tensor(z, [4, 4]), tensor([2, 0, 0, 2], [4]), { extras: true });
    expect(Array.from(hit.correct ?? [])).toEqual([0, 1, 1, 1]);
  });
  it('from probs: argmax and correct, no lse', () => {
    const p = crossEntropy(tensor([0.2, 0.5, 0.3, 0.6, 0.2, 0.2], [2, 3]), tensor([1, 2], [2]), { from: 'probs', extras: true });
    expect(p.lse).toBeUndefined();
    expect(Array.from(p.argmax ?? [])).toEqual([1, 0]);
    expect(Array.from(p.correct ?? [])).toEqual([1, 0]);
  });
  it('dense targets: lse and argmax, no correct', () => {
    const d = crossEntropy(tensor([0, 1, 1, 0], [2, 2]), tensor([1, 0, 0, 1], [2, 2]), { extras: true });
    expect(d.correct).toBeUndefined();
    expect(Array.from(d.argmax ?? [])).toEqual([1, 0]);
    assertClose(d.lse ?? [], [ln(1 + Math.E), ln(1 + Math.E)], TOL.tight, 'lse');
  });
  it('nothing extra without the option', () => {
    const plain = crossEntropy(tensor(z, [4, 4]), tensor(y, [4]));
    expect([plain.lse, plain.argmax, plain.correct, plain.grad]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('shapes', () => {
  it('a 1-D input [V] is one row; its label has shape [] and its dense target shape [V]', () => {
    const z = [0.5, -1, 2];
    const lse = ln(Math.exp(0.5) + Math.exp(-1) + Math.exp(2));
    const sparse = crossEntropy(tensor(z, [3]), tensor([2], []), { reduction: 'none', grad: true });
    assertClose(sparse.loss, [lse - 2], TOL.tight, 'sparse');
    expect(sparse.shape).toEqual([1]);
    expect(sparse.grad?.length).toBe(3);
    const dense = crossEntropy(tensor(z, [3]), tensor([0, 0, 1], [3]));
    assertClose(dense.loss, [lse - 2], TOL.tight, 'dense');
  });
  it("'none' has shape [rows], 'sum' and 'mean' shape []", () => {
    const z = tensor([0, 1, 1, 0], [2, 2]);
    const y = tensor([0, 0], [2]);
    expect(crossEntropy(z, y, { reduction: 'none' }).shape).toEqual([2]);
    expect(crossEntropy(z, y, { reduction: 'sum' }).shape).toEqual([]);
    expect(crossEntropy(z, y).shape).toEqual([]);
  });
});
