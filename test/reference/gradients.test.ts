// Every analytic gradient against central finite differences, over every option combination:
// d(total loss)/d(input), where the total is the reduced loss (or the sum of a 'none' result).

import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy,
  crossEntropy,
  entropy,
  klDivergence,
  mulberry32,
  randomLogits,
  randomProbs,
  randomUniform,
  type RefResult,
} from '../../src/reference';
import type {
  BinaryCrossEntropyOptions,
  CrossEntropyOptions,
  EntropyOptions,
  HostTensor,
  KLDivergenceOptions,
} from '../../src/index';
import { assertClose } from '../util/allclose';
import { describeCase, numericGrad, product, tensor, total } from './helpers';
import { TOL } from '../util/tolerances';

const ROWS = 5;
const V = 6;
const shape = [ROWS, V];
const rng = mulberry32(20240611);
const logits = Float64Array.from(randomLogits(rng, ROWS, V, 2));
const probs = Float64Array.from(randomProbs(rng, ROWS, V, 1));
const softTargets = Float64Array.from(randomProbs(rng, ROWS, V, 1.5));
const weights = Float64Array.from(randomUniform(rng, V, 0.5, 2));
/** Probabilities scaled per row by 0.6 .. 1.4, so `normalize` has a real sum to divide by. */
const unnormalized = probs.map((p, i) => p * (0.6 + 0.2 * Math.floor(i / V)));
const labels = Int32Array.from([0, 3, 5, 1, 2]);
const labelsWithIgnore = Int32Array.from([0, -100, 5, 1, -100]);

function gradOf(r: RefResult): Float64Array {
  if (!r.grad) throw new Error('no gradient returned');
  return r.grad;
}

/** Checks the gradient `run` returns at x against central differences of its total loss. */
function checkGrad(run: (x: Float64Array, grad: boolean) => RefResult, x: Float64Array, label: string, skip?: (i: number) => boolean): void {
  const analytic = gradOf(run(x, true));
  expect(analytic.length).toBe(x.length);
  const numeric = numericGrad((xs) => total(run(xs, false)), x, 1e-6, skip);
  assertClose(analytic, numeric, TOL.finiteDifference, label);
}

describe('crossEntropy from logits, sparse labels: gradient = finite differences', () => {
  const cases = product({
    weight: [undefined, weights],
    labelSmoothing: [0, 0.2],
    ignore: [false, true],
    zLoss: [0, 0.1],
    softcap: [undefined, 3],
    reduction: ['none', 'sum', 'mean'] as const,
    base: ['e', 2] as const,
  });
  for (const c of cases) {
    it(describeCase(c), () => {
      const { ignore, ...rest } = c;
      const opts: CrossEntropyOptions = rest;
      const target = tensor(ignore ? labelsWithIgnore : labels, [ROWS]);
      checkGrad((x, grad) => crossEntropy(tensor(x, shape), target, { ...opts, grad }), logits, 'grad');
    });
  }
});

describe('crossEntropy from logits, dense targets: gradient = finite differences', () => {
  const cases = product({
    target: ['soft', 'onehot'] as const,
    weight: [undefined, weights],
    labelSmoothing: [0, 0.3],
    zLoss: [0, 0.1],
    softcap: [undefined, 3],
    reduction: ['none', 'sum', 'mean'] as const,
    base: ['e', 2] as const,
  });
  for (const c of cases) {
    it(describeCase(c), () => {
      const { target: kind, ...opts } = c;
      const t = kind === 'soft' ? softTargets : oneHotOf(labels);
      checkGrad((x, grad) => crossEntropy(tensor(x, shape), tensor(t, shape), { ...opts, grad }), logits, 'grad');
    });
  }
});

function oneHotOf(y: ArrayLike<number>): Float64Array {
  const out = new Float64Array(y.length * V);
  for (let i = 0; i < y.length; i++) out[i * V + y[i]] = 1;
  return out;
}

describe('crossEntropy from probs: gradient = finite differences', () => {
  const cases = product({
    target: ['sparse', 'sparse+ignore', 'soft'] as const,
    normalize: [false, true],
    weight: [undefined, weights],
    labelSmoothing: [0, 0.25],
    reduction: ['none', 'sum', 'mean'] as const,
    base: ['e', 2] as const,
  });
  for (const c of cases) {
    it(describeCase(c), () => {
      const { target: kind, ...rest } = c;
      const opts: CrossEntropyOptions = { ...rest, from: 'probs' };
      const t: HostTensor =
        kind === 'soft'
          ? tensor(softTargets, shape)
          : tensor(kind === 'sparse' ? labels : labelsWithIgnore, [ROWS]);
      const x = c.normalize ? unnormalized : probs;
      checkGrad((xs, grad) => crossEntropy(tensor(xs, shape), t, { ...opts, grad }), x, 'grad');
    });
  }

  it('the gradient is 0 where the clip is active (p below ε, p above 1 − ε)', () => {
    const x = Float64Array.from([1e-9, 0.5, 0.5, 1 - 1e-9, 1e-9, 1e-9]);
    const r = crossEntropy(tensor(x, [2, 3]), tensor([0, 0], [2]), { from: 'probs', grad: true, reduction: 'sum' });
    assertClose(gradOf(r), [0, 0, 0, 0, 0, 0], TOL.finiteDifference, 'clipped');
  });
});

describe('crossEntropy with -Infinity masks: gradient = finite differences on the finite entries', () => {
  const masked = logits.slice();
  masked[1] = -Infinity; // row 0, label 0: class 1 masked
  masked[V + 4] = -Infinity; // row 1, label 3: class 4 masked
  const isMasked = (i: number) => masked[i] === -Infinity;
  const cases = product({
    weight: [undefined, weights],
    zLoss: [0, 0.1],
    softcap: [undefined, 3],
    reduction: ['none', 'mean'] as const,
  });
  for (const c of cases) {
    it(`sparse ${describeCase(c)}`, () => {
      const run = (x: Float64Array, grad: boolean) => crossEntropy(tensor(x, shape), tensor(labels, [ROWS]), { ...c, grad });
      expect(Number.isFinite(total(run(masked, false)))).toBe(true);
      checkGrad(run, masked, 'grad', isMasked);
      const g = gradOf(run(masked, true));
      expect([g[1], g[V + 4]]).toEqual([0, 0]); // p = 0 and no target weight there
    });
    it(`dense one-hot ${describeCase(c)}`, () => {
      const run = (x: Float64Array, grad: boolean) => crossEntropy(tensor(x, shape), tensor(oneHotOf(labels), shape), { ...c, grad });
      checkGrad(run, masked, 'grad', isMasked);
    });
  }
});

describe('binaryCrossEntropy: gradient = finite differences', () => {
  const B = 4;
  const C = 5;
  const bshape = [B, C];
  const r2 = mulberry32(7);
  const x = Float64Array.from(randomLogits(r2, B, C, 3));
  const p = Float64Array.from(randomUniform(r2, B * C, 0.02, 0.98));
  const soft = Float64Array.from(randomUniform(r2, B * C));
  const hard = soft.map((u) => (u < 0.5 ? 0 : 1));
  const colArray = Float64Array.from(randomUniform(r2, C, 0.3, 3));
  const cases = product({
    from: ['logits', 'probs'] as const,
    target: ['soft', 'hard'] as const,
    posWeight: [undefined, 2.5, colArray],
    weight: [undefined, 0.7, colArray],
    reduction: ['none', 'sum', 'mean'] as const,
    base: ['e', 2] as const,
  });
  for (const c of cases) {
    it(describeCase(c), () => {
      const { target: kind, ...opts } = c;
      const t = tensor(kind === 'soft' ? soft : hard, bshape);
      const input = c.from === 'logits' ? x : p;
      checkGrad((xs, grad) => binaryCrossEntropy(tensor(xs, bshape), t, { ...opts, grad } as BinaryCrossEntropyOptions), input, 'grad');
    });
  }
});

describe('entropy: gradient = finite differences', () => {
  const maskedLogits = logits.slice();
  maskedLogits[2] = -Infinity;
  const cases = product({
    input: ['probs', 'logits', 'masked logits'] as const,
    reduction: ['none', 'sum', 'mean'] as const,
    base: ['e', 2] as const,
  });
  for (const c of cases) {
    it(describeCase(c), () => {
      const { input, ...rest } = c;
      const opts: EntropyOptions = { ...rest, from: input === 'probs' ? 'probs' : 'logits' };
      const x = input === 'probs' ? probs : input === 'logits' ? logits : maskedLogits;
      checkGrad((xs, grad) => entropy(tensor(xs, shape), { ...opts, grad }), x, 'grad', (i) => x[i] === -Infinity);
    });
  }
});

describe('klDivergence: gradient = finite differences, all four kind combinations', () => {
  const targetWithZero = softTargets.slice();
  targetWithZero[3] = 0; // a P = 0 term, skipped by the sum
  const cases = product({
    from: ['logits', 'probs'] as const,
    targetFrom: ['logits', 'probs'] as const,
    reduction: ['none', 'sum', 'mean'] as const,
    base: ['e', 2] as const,
  });
  for (const c of cases) {
    it(describeCase(c), () => {
      const opts: KLDivergenceOptions = c;
      const x = c.from === 'logits' ? logits : probs;
      const t = tensor(c.targetFrom === 'logits' ? softTargets.map((v) => 3 * v - 1) : targetWithZero, shape);
      checkGrad((xs, grad) => klDivergence(tensor(xs, shape), t, { ...opts, grad }), x, 'grad');
    });
  }
});
