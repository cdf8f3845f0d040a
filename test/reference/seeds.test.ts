// The worked examples of the two seed articles (/work/shared/seeds): container entropies, the 75/25
// forecast, the cat/dog/horse/fox prediction and the car/bike/plane/boat softmax output, all in bits.
// Each expected value is the hand formula; the rounded figure the article quotes is checked too.

import { describe, expect, it } from 'vitest';
import { crossEntropy, entropy } from '../../src/reference';
import { assertClose } from '../util/allclose';
import { tensor } from './helpers';
import { TOL } from '../util/tolerances';

const bits = { base: 2 } as const;

/** −Σ p·log2 p with 0·log 0 = 0, written out for two outcomes. */
function h2(a: number, b: number): number {
  const term = (p: number) => (p === 0 ? 0 : -p * Math.log2(p));
  return term(a) + term(b);
}

describe('seed: three containers (entropy in bits)', () => {
  const cases = [
    { name: 'container 1: 26/30 cubes, 4/30 spheres', p: [26 / 30, 4 / 30], quoted: 0.5665 },
    { name: 'container 2: 14/30 spheres, 16/30 cubes', p: [14 / 30, 16 / 30], quoted: 0.9968 },
    { name: 'container 3: certain (1, 0)', p: [1, 0], quoted: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = entropy(tensor(c.p, [2]), bits);
      assertClose(r.loss, [h2(c.p[0], c.p[1])], TOL.tight, 'entropy');
      assertClose(r.loss, [c.quoted], TOL.quoted(4), 'quoted figure');
    });
  }

  it('container 1 < container 2, and all three in one batch (none / mean)', () => {
    const data = [26 / 30, 4 / 30, 14 / 30, 16 / 30, 1, 0];
    const each = [h2(26 / 30, 4 / 30), h2(14 / 30, 16 / 30), 0];
    const none = entropy(tensor(data, [3, 2]), { ...bits, reduction: 'none' });
    assertClose(none.loss, each, TOL.tight, 'per container');
    expect(none.loss[0]).toBeLessThan(none.loss[1]); // container 1 is the more certain
    const mean = entropy(tensor(data, [3, 2]), bits);
    assertClose(mean.loss, [(each[0] + each[1] + each[2]) / 3], TOL.tight, 'mean');
  });

  it('the same entropies from logits ln p (softmax(ln p) = p)', () => {
    const data = [Math.log(26 / 30), Math.log(4 / 30), Math.log(14 / 30), Math.log(16 / 30), 0, -Infinity];
    const r = entropy(tensor(data, [3, 2]), { ...bits, from: 'logits', reduction: 'none' });
    assertClose(r.loss, [h2(26 / 30, 4 / 30), h2(14 / 30, 16 / 30), 0], TOL.tight, 'entropy from logits');
  });
});

describe('seed: world cup forecast 75% / 25%', () => {
  it('entropy ≈ 0.8113 bits (article: 0.81)', () => {
    const r = entropy(tensor([0.75, 0.25], [1, 2]), bits);
    const expected = -(0.75 * Math.log2(0.75) + 0.25 * Math.log2(0.25));
    assertClose(r.loss, [expected], TOL.tight, 'entropy');
    assertClose(r.loss, [0.8113], TOL.quoted(4), 'quoted 4 decimals');
    assertClose(r.loss, [0.81], TOL.quoted(2), 'article figure 0.81');
  });

  it('50/50 is 1 bit', () => {
    assertClose(entropy(tensor([0.5, 0.5], [2]), bits).loss, [1], TOL.tight, '50/50');
  });
});

describe('seed: cat/dog/horse/fox prediction [0.4, 0.3, 0.1, 0.1] against cat', () => {
  const q = [0.4, 0.3, 0.1, 0.1]; // sums to 0.9: used as given (no normalize)
  it('sparse label, from probs: −log2 0.4 ≈ 1.3219 bits (article: 1.32)', () => {
    const r = crossEntropy(tensor(q, [1, 4]), tensor([0], [1]), { ...bits, from: 'probs' });
    assertClose(r.loss, [-Math.log2(0.4)], TOL.tight, 'cross-entropy');
    assertClose(r.loss, [1.3219], TOL.quoted(4), 'quoted 4 decimals');
    assertClose(r.loss, [1.32], TOL.quoted(2), 'article figure 1.32');
  });
  it('one-hot dense target [1, 0, 0, 0] gives the same', () => {
    const r = crossEntropy(tensor(q, [4]), tensor([1, 0, 0, 0], [4]), { ...bits, from: 'probs' });
    assertClose(r.loss, [-Math.log2(0.4)], TOL.tight, 'cross-entropy');
  });
  it('with normalize (Keras categorical) the row is rescaled to 0.4/0.9', () => {
    const r = crossEntropy(tensor(q, [1, 4]), tensor([0], [1]), { ...bits, from: 'probs', normalize: true });
    assertClose(r.loss, [-Math.log2(0.4 / 0.9)], TOL.tight, 'normalized');
  });
  it('the entropy of the one-hot target is 0, so CE = KL here', () => {
    assertClose(entropy(tensor([1, 0, 0, 0], [4]), bits).loss, [0], TOL.tight, 'H(one-hot)');
  });
});

describe('seed: car/bike/plane/boat softmax [0.775, 0.116, 0.039, 0.070] against car', () => {
  const s = [0.775, 0.116, 0.039, 0.07];
  it('−log2 0.775 ≈ 0.3677 bits', () => {
    const r = crossEntropy(tensor(s, [1, 4]), tensor([0], [1]), { ...bits, from: 'probs' });
    assertClose(r.loss, [-Math.log2(0.775)], TOL.tight, 'sparse');
    assertClose(r.loss, [0.3677], TOL.quoted(4), 'quoted figure');
    const dense = crossEntropy(tensor(s, [1, 4]), tensor([1, 0, 0, 0], [1, 4]), { ...bits, from: 'probs' });
    assertClose(dense.loss, [-Math.log2(0.775)], TOL.tight, 'dense');
  });
  it('from the logits ln s (a softmax output that sums to 1) as well', () => {
    const z = s.map(Math.log);
    const r = crossEntropy(tensor(z, [1, 4]), tensor([0], [1]), bits);
    assertClose(r.loss, [-Math.log2(0.775)], TOL.tight, 'from logits');
  });
});
