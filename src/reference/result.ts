// The result type of every reference loss, and the one place where per-row losses are reduced and
// converted to the requested log base.

import type { Reduction } from '../contract/types';

/**
 * What every reference loss returns: the loss in float64, its shape, and the gradient and extras
 * when asked.
 */
export interface RefResult {
  /** Length 1 for `'sum'`/`'mean'`; one value per row for `'none'` (BCE: one per element). */
  loss: Float64Array;
  /** `[]` for `'sum'`/`'mean'`; `[rows]` for `'none'` (BCE: `[rows, cols]`). */
  shape: number[];
  /** d(reduced loss)/d(input), same length as the input. For `'none'`, the gradient of the sum. */
  grad?: Float64Array;
  /** crossEntropy from logits with `extras`: per-row log-sum-exp of the (soft-capped) logits, nats. */
  lse?: Float64Array;
  /** With `extras`: per-row argmax of the input (first maximum wins; a NaN counts as the maximum). */
  argmax?: Int32Array;
  /** With `extras` and sparse labels: 1 where argmax == label, 0 otherwise and for ignored rows. */
  correct?: Int32Array;
  /** crossEntropy from logits with `extras` and sparse labels: ln p of the label, nats (0 for ignored rows). */
  labelLogProb?: Float64Array;
  /** crossEntropy from logits with `extras`: the entropy of the row's softmax, in the call's base. */
  entropy?: Float64Array;
  /** crossEntropy with `extras` and `topK`: 1 where fewer than k classes rank above the label. */
  topKHit?: Int32Array;
}

/**
 * Reduces per-row (or per-element) losses in nats and converts them to the requested base.
 * 1. `'none'`: each value / divisor, with `shape` as given.
 * 2. `'sum'`:  (Σ values) / divisor.
 * 3. `'mean'`: (Σ values) / denominator / divisor (the caller chooses the denominator: rows,
 *    elements, or a sum of class weights).
 * The gradient, accumulated for the SUM of the per-row losses, is scaled the same way in place.
 */
export function reduce(
  values: Float64Array,
  shape: number[],
  reduction: Reduction,
  denominator: number,
  divisor: number,
  grad: Float64Array | undefined,
): { loss: Float64Array; shape: number[] } {
  if (grad) {
    for (let i = 0; i < grad.length; i++) {
      grad[i] = reduction === 'mean' ? grad[i] / denominator / divisor : grad[i] / divisor;
    }
  }
  if (reduction === 'none') {
    const loss = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) loss[i] = values[i] / divisor;
    return { loss, shape };
  }
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const loss = new Float64Array(1);
  loss[0] = reduction === 'mean' ? sum / denominator / divisor : sum / divisor;
  return { loss, shape: [] };
}
