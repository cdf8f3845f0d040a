// Binary cross-entropy, elementwise over [rows, cols], from logits or probabilities, with a positive
// weight and an element weight per column.

import type { BinaryCrossEntropyOptions, HostTensor } from '../contract/types';
import { asMatrix, matchingMatrix, readOnce } from '../contract/tensor';
import { decoded } from './half';
import { parseBinaryCrossEntropyOptions } from '../contract/configs/binary-cross-entropy';
import { reduce, type RefResult } from './result';

/** softplus(x) = ln(1 + e^x) = max(x, 0) + log1p(exp(−|x|)): no overflow, exact limits at ±Infinity. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** σ(x) = 1 / (1 + e^-x), evaluated so that exp never overflows. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Per element, target t, positive weight pw, element weight w (both per column or one number):
 *
 * from 'logits' (default): with ln σ(x) = −softplus(−x) and ln(1 − σ(x)) = −softplus(x),
 * 1. loss = w·[pw·t·softplus(−x) + (1−t)·softplus(x)].
 *    This equals PyTorch's w·[(1−t)·x + (1+(pw−1)·t)·(log1p(exp(−|x|)) + max(−x, 0))] since
 *    softplus(x) = x + softplus(−x), but adds two non-negative terms instead of cancelling large ones
 *    (for x = −30, t = 0 the other form loses every digit of 9.4e−14). A term whose coefficient is 0
 *    adds 0, so ±Infinity logits give the limit (x = +Infinity, t = 1: loss 0).
 * 2. softplus' = σ, so dL/dx = w·[(1−t)·σ(x) − pw·t·σ(−x)] = w·[(1−t) − (1+(pw−1)·t)·σ(−x)].
 *
 * from 'probs': x̂ = clip(x, ε, 1−ε),
 * 1. loss = −w·[pw·t·ln x̂ + (1−t)·ln(1 − x̂)]   (ln(1 − x̂) as log1p(−x̂)).
 * 2. dL/dx = w·[−pw·t/x̂ + (1−t)/(1−x̂)] strictly inside (ε, 1−ε), 0 where the clip is active.
 *
 * A NaN input element gives NaN loss and gradient for that element. 'mean' divides by rows·cols
 * (every element, as PyTorch); 'none' keeps [rows, cols]; base 2 divides loss and gradient by ln 2.
 * @example
 * const r = binaryCrossEntropy({ data: [0.5, -1], shape: [1, 2] }, { data: [1, 0], shape: [1, 2] }, { grad: true });
 * console.log(r.loss[0]);   // 0.3937 (the mean of the 2 elements)
 */
export function binaryCrossEntropy(
  input: HostTensor,
  target: HostTensor,
  opts?: BinaryCrossEntropyOptions,
): RefResult {
  input = decoded(readOnce(input), 'input');
  target = decoded(readOnce(target), 'target');
  const x = asMatrix(input, 'input');
  const { from, reduction, posWeight, weight, epsilon, divisor, grad: wantGrad } = parseBinaryCrossEntropyOptions(opts, x.cols);
  const t = matchingMatrix(target, 'target', input, 'input');

  const n = x.rows * x.cols;
  const values = new Float64Array(n);
  const grad = wantGrad ? new Float64Array(n) : undefined;
  const lo = epsilon;
  const hi = 1 - epsilon;
  for (let i = 0; i < n; i++) {
    const col = i % x.cols;
    const w = weight[col];
    const pw = posWeight[col];
    const v = x.data[i];
    const ti = t.data[i];
    if (Number.isNaN(v)) {
      values[i] = NaN;
      if (grad) grad[i] = NaN;
      continue;
    }
    const a = pw * ti; // coefficient of the positive term
    const b = 1 - ti; // coefficient of the negative term
    if (from === 'logits') {
      const pos = a !== 0 ? a * softplus(-v) : 0;
      const neg = b !== 0 ? b * softplus(v) : 0;
      values[i] = w * (pos + neg);
      if (grad) grad[i] = w * (b * sigmoid(v) - a * sigmoid(-v));
    } else {
      const xh = Math.min(Math.max(v, lo), hi);
      values[i] = -w * (a * Math.log(xh) + b * Math.log1p(-xh));
      if (grad) grad[i] = v > lo && v < hi ? w * (-a / xh + b / (1 - xh)) : 0;
    }
  }
  const reduced = reduce(values, [x.rows, x.cols], reduction, n, divisor, grad);
  const result: RefResult = { loss: reduced.loss, shape: reduced.shape };
  if (grad) result.grad = grad;
  return result;
}
