// Identities that must hold for any input, checked over seeded random inputs: the loss functions
// agree with each other where the math says they must.

import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy,
  crossEntropy,
  entropy,
  klDivergence,
  logSoftmax,
  mulberry32,
  randomLabels,
  randomLogits,
  randomProbs,
  randomUniform,
  softmax,
  type RefResult,
} from '../../src/reference';
import { assertClose } from '../util/allclose';
import { oneHot, tensor } from './helpers';
import { TOL } from '../util/tolerances';

const ROWS = 7;
const V = 9;
const shape = [ROWS, V];
const SEEDS = [1, 2, 3, 42, 1234];

function gradOf(r: RefResult): Float64Array {
  if (!r.grad) throw new Error('no gradient returned');
  return r.grad;
}

for (const seed of SEEDS) {
  describe(`seed ${seed}`, () => {
    const rng = mulberry32(seed);
    const z = randomLogits(rng, ROWS, V, 3);
    const p = randomProbs(rng, ROWS, V, 1);
    const q = randomProbs(rng, ROWS, V, 1.5);
    const y = randomLabels(rng, ROWS, V);
    const w = randomUniform(rng, V, 0.5, 2);
    const Z = tensor(z, shape);
    const P = tensor(p, shape);
    const Q = tensor(q, shape);
    const none = { reduction: 'none' } as const;

    it('softmax rows sum to 1, logSoftmax = ln softmax, temperature T = softmax of z/T', () => {
      const s = softmax(Z);
      const sums = Array.from({ length: ROWS }, (_, r) => s.subarray(r * V, (r + 1) * V).reduce((a, b) => a + b, 0));
      assertClose(sums, new Float64Array(ROWS).fill(1), TOL.tight, 'row sums');
      assertClose(logSoftmax(Z), s.map(Math.log), TOL.tight, 'log');
      const scaled = tensor(Float64Array.from(z, (v) => v / 2.5), shape);
      assertClose(softmax(Z, { temperature: 2.5 }), softmax(scaled), TOL.tight, 'temperature');
      assertClose(logSoftmax(Z, { temperature: 2.5 }), logSoftmax(scaled), TOL.tight, 'log temperature');
    });

    it('the probabilities used are inside the clip, so the identities below are exact', () => {
      expect(Math.min(...p, ...q)).toBeGreaterThan(1e-7);
      expect(Math.max(...p, ...q)).toBeLessThan(1 - 1e-7);
    });

    it('CE(p, p) = H(p)  (dense, from probs)', () => {
      const ce = crossEntropy(P, P, { from: 'probs', ...none });
      assertClose(ce.loss, entropy(P, none).loss, TOL.tight, 'CE(p,p)');
    });

    it('CE(q, p) ≥ H(p), and KL(p‖q) = CE(q, p) − H(p) ≥ 0 (from probs)', () => {
      const ce = crossEntropy(Q, P, { from: 'probs', ...none }).loss;
      const h = entropy(P, none).loss;
      const kl = klDivergence(Q, P, { from: 'probs', ...none }).loss;
      for (let r = 0; r < ROWS; r++) {
        expect(ce[r]).toBeGreaterThanOrEqual(h[r]);
        expect(kl[r]).toBeGreaterThan(0);
      }
      assertClose(kl, ce.map((c, r) => c - h[r]), TOL.tight, 'KL = CE − H');
    });

    it('KL(p‖softmax z) = CE(z, p) − H(p) (from logits), and KL(p‖p) = 0', () => {
      const ce = crossEntropy(Z, P, none).loss;
      const h = entropy(P, none).loss;
      assertClose(klDivergence(Z, P, none).loss, ce.map((c, r) => c - h[r]), TOL.tight, 'KL = CE − H');
      assertClose(klDivergence(P, P, { from: 'probs', ...none }).loss, new Float64Array(ROWS), TOL.tight, 'KL(p‖p)');
      assertClose(klDivergence(Z, Z, { targetFrom: 'logits', ...none }).loss, new Float64Array(ROWS), TOL.tight, 'KL(z‖z)');
    });

    it('a target given as logits equals its softmax given as probs (KL)', () => {
      const t = tensor(softmax(Q), shape);
      const a = klDivergence(Z, Q, { targetFrom: 'logits', ...none, grad: true });
      const b = klDivergence(Z, t, { ...none, grad: true });
      assertClose(a.loss, b.loss, TOL.tight, 'loss');
      assertClose(gradOf(a), gradOf(b), TOL.tight, 'grad');
    });

    it('from logits = from probs on softmax(z) (CE sparse and dense, entropy)', () => {
      const Zh = tensor(Float64Array.from(z, (v) => v / 2), shape); // half scale keeps softmax inside the clip
      const s = tensor(softmax(Zh), shape);
      expect(Array.from(s.data).every((v) => v > 1e-7 && v < 1 - 1e-7)).toBe(true);
      const labels = tensor(y, [ROWS]);
      assertClose(crossEntropy(s, labels, { from: 'probs', ...none }).loss, crossEntropy(Zh, labels, none).loss, TOL.tight, 'sparse');
      assertClose(crossEntropy(s, P, { from: 'probs', ...none }).loss, crossEntropy(Zh, P, none).loss, TOL.tight, 'dense');
      assertClose(entropy(s, none).loss, entropy(Zh, { from: 'logits', ...none }).loss, TOL.tight, 'entropy');
    });

    it('sparse labels = one-hot dense targets per row and in sum, with weights, smoothing and z-loss', () => {
      const labels = tensor(y, [ROWS]);
      const dense = tensor(oneHot(y, V), shape);
      for (const opts of [{}, { weight: w }, { weight: w, labelSmoothing: 0.15, zLoss: 0.02 }, { weight: w, softcap: 4 }]) {
        for (const reduction of ['none', 'sum'] as const) {
          const a = crossEntropy(Z, labels, { ...opts, reduction, grad: true });
          const b = crossEntropy(Z, dense, { ...opts, reduction, grad: true });
          assertClose(a.loss, b.loss, TOL.tight, `${reduction} loss`);
          assertClose(gradOf(a), gradOf(b), TOL.tight, `${reduction} grad`);
        }
      }
    });

    it("'mean' differs under weights exactly as documented: sparse / Σ w_y, dense / B", () => {
      const labels = tensor(y, [ROWS]);
      const dense = tensor(oneHot(y, V), shape);
      const sumW = Array.from(y).reduce((s, c) => s + w[c], 0);
      const opts = { weight: w, labelSmoothing: 0.1, grad: true };
      const sparse = crossEntropy(Z, labels, opts);
      const dn = crossEntropy(Z, dense, opts);
      assertClose([sparse.loss[0] * sumW], [dn.loss[0] * ROWS], TOL.tight, 'mean·denominator');
      assertClose(gradOf(sparse).map((g) => g * sumW), gradOf(dn).map((g) => g * ROWS), TOL.tight, 'grad·denominator');
      // without weights Σ w_y = B and the two means agree
      assertClose(crossEntropy(Z, labels).loss, crossEntropy(Z, dense).loss, TOL.tight, 'unweighted mean');
    });

    it('dense smoothing ε = dense targets pre-smoothed to (1 − ε)·t + ε/V', () => {
      const eps = 0.2;
      const smoothed = tensor(Float64Array.from(p, (t) => (1 - eps) * t + eps / V), shape);
      const a = crossEntropy(Z, P, { labelSmoothing: eps, weight: w, ...none, grad: true });
      const b = crossEntropy(Z, smoothed, { weight: w, ...none, grad: true });
      assertClose(a.loss, b.loss, TOL.tight, 'loss');
      assertClose(gradOf(a), gradOf(b), TOL.tight, 'grad');
    });

    it('smoothing ε = 1 ignores the label: the loss is (1/V)·Σ_c w_c·(−lp_c)', () => {
      const lp = logSoftmax(Z);
      const expected = Array.from({ length: ROWS }, (_, r) => {
        let s = 0;
        for (let c = 0; c < V; c++) s += w[c] * -lp[r * V + c];
        return s / V;
      });
      assertClose(crossEntropy(Z, tensor(y, [ROWS]), { labelSmoothing: 1, weight: w, ...none }).loss, expected, TOL.tight, 'ε = 1');
    });

    it('bits = nats / ln 2, loss and gradient, for every function', () => {
      // Each entry computes the same call in a given base.
      const calls: ((base: 'e' | 2) => RefResult)[] = [
        (base) => crossEntropy(Z, tensor(y, [ROWS]), { grad: true, zLoss: 0.1, labelSmoothing: 0.1, base }),
        (base) => crossEntropy(P, P, { from: 'probs', grad: true, base, ...none }),
        (base) => binaryCrossEntropy(Z, P, { grad: true, base }),
        (base) => entropy(P, { grad: true, base }),
        (base) => entropy(Z, { from: 'logits', grad: true, base, ...none }),
        (base) => klDivergence(Z, P, { grad: true, base }),
      ];
      const pairs = calls.map((f) => [f('e'), f(2)] as const);
      for (const [nats, bits] of pairs) {
        assertClose(bits.loss, nats.loss.map((v) => v / Math.LN2), TOL.tight, 'loss');
        assertClose(gradOf(bits), gradOf(nats).map((v) => v / Math.LN2), TOL.tight, 'grad');
      }
    });

    it("'sum' = Σ 'none', 'mean' = 'sum' / count (BCE: rows·cols; entropy, KL: rows)", () => {
      const sum = (r: RefResult) => r.loss.reduce((a, b) => a + b, 0);
      const bce = binaryCrossEntropy(Z, P, none);
      expect(bce.shape).toEqual(shape);
      assertClose(binaryCrossEntropy(Z, P, { reduction: 'sum' }).loss, [sum(bce)], TOL.tight, 'bce sum');
      assertClose(binaryCrossEntropy(Z, P).loss, [sum(bce) / (ROWS * V)], TOL.tight, 'bce mean');
      assertClose(entropy(P).loss, [sum(entropy(P, none)) / ROWS], TOL.tight, 'entropy mean');
      assertClose(klDivergence(Z, P).loss, [sum(klDivergence(Z, P, none)) / ROWS], TOL.tight, 'kl mean');
    });

    it('BCE from logits = BCE from probs on σ(x)', () => {
      const s = Float64Array.from(z, (v) => 1 / (1 + Math.exp(-v)));
      expect(s.every((v) => v > 1e-7 && v < 1 - 1e-7)).toBe(true);
      const opts = { posWeight: 1.7, weight: w, ...none };
      const a = binaryCrossEntropy(Z, P, opts).loss;
      const b = binaryCrossEntropy(tensor(s, shape), P, { ...opts, from: 'probs' }).loss;
      assertClose(a, b, TOL.tightLog1m, 'loss');
    });
  });
}
