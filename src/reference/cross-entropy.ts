// Cross-entropy of a [rows, V] input (logits or probabilities) against sparse labels [rows] or dense
// targets [rows, V], with class weights, label smoothing, ignore index, z-loss and soft-capping.

import type { CrossEntropyOptions, HostTensor } from '../contract/types';
import { OptionError, ShapeError } from '../contract/errors';
import { checkLabels, checkTensor, asMatrix, formatShape, readOnce, sameShape } from '../contract/tensor';
import { decoded, refuseHalf } from './half';
import { parseCrossEntropyOptions } from '../contract/configs/cross-entropy';
import { reduce, type RefResult } from './result';
import { logSoftmaxRow } from './softmax';

/** Index of the row maximum; the first maximum wins, and the first NaN counts as the maximum. */
function argmaxRow(data: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  for (let c = 0; c < n; c++) {
    const v = data[off + c];
    if (Number.isNaN(v)) return c;
    if (v > data[off + best]) best = c;
  }
  return best;
}

/** NaN ranks above every number (torch.topk), then the usual order. */
const ranksAbove = (a: number, b: number): boolean => (Number.isNaN(a) ? !Number.isNaN(b) : a > b);

/** Top-k hit of label y: fewer than k classes rank strictly above it (ties count as hits, as in_top_k). */
export function topKHitRow(data: ArrayLike<number>, off: number, n: number, y: number, k: number): boolean {
  const zy = data[off + y];
  let above = 0;
  for (let c = 0; c < n; c++) if (ranksAbove(data[off + c], zy)) above++;
  return above < k;
}

/**
 * Cross-entropy per row, then reduced. Every row's loss is written as Σ_c C_c·(−lp_c), where C_c is
 * the weight the target puts on class c:
 *   sparse label y, smoothing ε, weights w:  C_c = (ε/V)·w_c + [c = y]·(1−ε)·w_y
 *   dense target t:                          C_c = w_c·t'_c,  t' = (1−ε)·t + ε/V
 * which is PyTorch's (1−ε)·w_y·(−lp_y) + (ε/V)·Σ_c w_c·(−lp_c) for labels. A term with C_c = 0 adds 0
 * even where lp_c = −Infinity (a masked class the target does not touch costs nothing).
 *
 * from 'logits' (default):
 * 1. z' = c·tanh(z/c) with softcap c, else z' = z. Only finite logits are capped: −Infinity stays a
 *    masked class (p = 0); NaN or +Infinity anywhere makes the row's loss and gradient NaN.
 * 2. lse = ln Σ exp z', lp = z' − lse, p = softmax(z').
 * 3. loss = Σ_c C_c·(−lp_c) + zLoss·lse².  A target on a masked class gives +Infinity; so does a row
 *    with every class masked (its gradient is 0).
 * 4. d/dz'_c: −lp_k = lse − z'_k and d lse/dz'_c = p_c, so g_c = p_c·(Σ_k C_k + 2·zLoss·lse) − C_c.
 *    Through the cap, dz'/dz = 1 − (z'/c)² (1 for masked classes, which the cap leaves alone).
 *
 * from 'probs':
 * 1. q = p / Σ_c p_c with normalize, else q = p; q̂ = clip(q, ε, 1−ε); lp = ln q̂. NaN anywhere in
 *    the row makes it NaN. zLoss and softcap are rejected.
 * 2. loss = Σ_c C_c·(−lp_c).
 * 3. dL/dq_c = −C_c / q̂_c strictly inside (ε, 1−ε), 0 where the clip is active. With normalize,
 *    dq_c/dp_j = (δ_cj − q_c)/S gives dL/dp_j = (dL/dq_j − Σ_c q_c·dL/dq_c) / S.
 *
 * Rows and reduction: a sparse row whose label is ignoreIndex has loss 0 and gradient 0 and is left
 * out of every count (ignore wins over NaN input). 'mean' divides by Σ w_y over kept rows for labels
 * (PyTorch; the smoothing term included) and by the row count for dense targets. A 'mean' with no
 * kept row is NaN (allIgnored 'nan') or 0 ('zero'), gradient all 0; kept rows whose label weights
 * sum to 0 give IEEE x/0 (NaN or Infinity), as PyTorch. The gradient gets the same 1/denominator.
 * Base 2 divides loss, gradient and the z-loss term by ln 2; extras.lse stays in nats.
 *
 * Extras from logits also give, per row, from the (soft-capped) softmax p = softmax(z'), whatever
 * the smoothing, weights or z-loss:
 *   entropy       H = −Σ_c p_c·ln p_c (0·ln 0 = 0), in the call's base; NaN for a row with NaN or
 *                 +Infinity, or with every class masked (no distribution). Ignored rows get it too.
 *   labelLogProb  ln p_y = z'_y − lse in nats (sparse labels): −Infinity for a masked label or an
 *                 all-masked row, NaN for a row with NaN or +Infinity, 0 for an ignored row.
 *   topKHit       with topK = k (sparse labels): 1 iff #{j : z_j ranks above z_y} < k, on the raw
 *                 logits (the cap is monotone), NaN ranking above every number and ties with the
 *                 label counting as hits (TensorFlow's in_top_k); 0 for an ignored row.
 * @example
 * const r = crossEntropy(
 *   { data: [2, 1, 0.1, 0.5, -1, 3], shape: [2, 3] },
 *   { data: new Int32Array([0, 2]), shape: [2] },
 *   { reduction: 'none', grad: true },
 * );
 * console.log(r.loss, r.shape);   // Float64Array [0.4170, 0.0957] [2]; r.grad: 6 values
 */
export function crossEntropy(input: HostTensor, target: HostTensor, opts?: CrossEntropyOptions): RefResult {
  input = decoded(readOnce(input), 'input');
  target = readOnce(target);
  const x = asMatrix(input, 'input');
  const cfg = parseCrossEntropyOptions(opts, x.cols);
  const targetShape = checkTensor(target, 'target');
  const labelShape = input.shape.slice(0, -1);
  const sparse = sameShape(targetShape, labelShape);
  if (!sparse && !sameShape(targetShape, input.shape)) {
    throw new ShapeError(
      'target',
      `shape ${formatShape(targetShape)} must be ${formatShape(labelShape)} (labels) ` +
        `or ${formatShape(input.shape)} (dense targets)`,
    );
  }
  if (sparse) refuseHalf(target, 'target', 'integer labels (Int32Array)');
  else target = decoded(target, 'target');
  if (sparse) checkLabels(target.data, x.cols, cfg.ignoreIndex, 'target');

  const { rows, cols: V, data } = x;
  const { weight, smoothing: eps, zLoss, softcap } = cfg;
  const values = new Float64Array(rows);
  const grad = cfg.grad ? new Float64Array(rows * V) : undefined;
  const lse = cfg.extras && cfg.from === 'logits' ? new Float64Array(rows) : undefined;
  const argmax = cfg.extras ? new Int32Array(rows) : undefined;
  const correct = cfg.extras && sparse ? new Int32Array(rows) : undefined;
  const entropy = lse ? new Float64Array(rows) : undefined;
  const labelLogProb = lse && sparse ? new Float64Array(rows) : undefined;
  if (cfg.topK > 0 && !sparse) throw new OptionError('options.topK', 'needs sparse labels (a label per row to rank), not dense targets');
  const topKHit = cfg.topK > 0 ? new Int32Array(rows) : undefined;
  const z = new Float64Array(V);
  const lp = new Float64Array(V);
  const p = new Float64Array(V);
  const C = new Float64Array(V);
  const dq = new Float64Array(V);
  let kept = 0;
  let denominator = sparse ? 0 : rows;

  for (let r = 0; r < rows; r++) {
    const off = r * V;
    const label = sparse ? target.data[r] : -1;
    const ignored = sparse && label === cfg.ignoreIndex;
    if (argmax) argmax[r] = argmaxRow(data, off, V);
    if (correct && argmax) correct[r] = !ignored && argmax[r] === label ? 1 : 0;

    // Row log-probabilities (logits: also the row lse, kept for extras even on ignored rows).
    let rowLse = 0;
    let invalid = false;
    if (cfg.from === 'logits') {
      for (let c = 0; c < V; c++) {
        const v = data[off + c];
        z[c] = softcap > 0 && Number.isFinite(v) ? softcap * Math.tanh(v / softcap) : v;
      }
      rowLse = logSoftmaxRow(z, 0, lp, p);
      if (lse) lse[r] = rowLse;
      invalid = Number.isNaN(rowLse);
      if (entropy) {
        let h = 0;
        for (let c = 0; c < V; c++) if (p[c] > 0) h -= p[c] * lp[c];
        entropy[r] = invalid || rowLse === -Infinity ? NaN : h / cfg.divisor;
      }
      if (labelLogProb) labelLogProb[r] = ignored ? 0 : invalid ? NaN : rowLse === -Infinity ? -Infinity : lp[label];
      if (topKHit) topKHit[r] = !ignored && topKHitRow(data, off, V, label, cfg.topK) ? 1 : 0;
    }
    if (ignored) continue;
    kept++;
    if (sparse) denominator += weight[label];

    // Coefficients C_c of −lp_c, and their sum.
    let sumC = 0;
    for (let c = 0; c < V; c++) {
      C[c] = sparse ? (eps / V) * weight[c] : weight[c] * ((1 - eps) * target.data[off + c] + eps / V);
    }
    if (sparse) C[label] += (1 - eps) * weight[label];
    for (let c = 0; c < V; c++) sumC += C[c];

    if (cfg.from === 'logits') {
      if (invalid) {
        values[r] = NaN;
        grad?.fill(NaN, off, off + V);
        continue;
      }
      if (rowLse === -Infinity) {
        values[r] = Infinity; // no class left: the target has no probability mass; gradient stays 0
        continue;
      }
      let loss = 0;
      for (let c = 0; c < V; c++) if (C[c] !== 0) loss += C[c] * -lp[c];
      values[r] = loss + zLoss * rowLse * rowLse;
      if (grad) {
        const k = sumC + 2 * zLoss * rowLse;
        for (let c = 0; c < V; c++) {
          let g = p[c] * k - C[c];
          if (softcap > 0 && Number.isFinite(data[off + c])) g *= 1 - (z[c] / softcap) * (z[c] / softcap);
          grad[off + c] = g;
        }
      }
      continue;
    }

    // from 'probs'
    let hasNaN = false;
    let S = 0;
    for (let c = 0; c < V; c++) {
      const v = data[off + c];
      if (Number.isNaN(v)) hasNaN = true;
      S += v;
    }
    if (hasNaN) {
      values[r] = NaN;
      grad?.fill(NaN, off, off + V);
      continue;
    }
    if (!cfg.normalize) S = 1;
    const lo = cfg.epsilon;
    const hi = 1 - cfg.epsilon;
    let loss = 0;
    let dot = 0; // Σ_c q_c·dL/dq_c, for the normalize chain rule
    for (let c = 0; c < V; c++) {
      const q = cfg.normalize ? data[off + c] / S : data[off + c];
      const qh = Math.min(Math.max(q, lo), hi);
      if (C[c] !== 0) loss += C[c] * -Math.log(qh);
      dq[c] = q > lo && q < hi ? -C[c] / qh : 0;
      dot += q * dq[c];
    }
    values[r] = loss;
    if (grad) {
      for (let c = 0; c < V; c++) grad[off + c] = cfg.normalize ? (dq[c] - dot) / S : dq[c];
    }
  }

  let reduced: { loss: Float64Array; shape: number[] };
  if (cfg.reduction === 'mean' && kept === 0) {
    reduced = { loss: Float64Array.of(cfg.allIgnored === 'zero' ? 0 : NaN), shape: [] };
  } else {
    reduced = reduce(values, [rows], cfg.reduction, denominator, cfg.divisor, grad);
    // An ignored row's gradient is 0 even when the kept weights sum to 0 (not 0/0).
    if (grad && sparse) for (let r = 0; r < rows; r++) if (target.data[r] === cfg.ignoreIndex) grad.fill(0, r * V, (r + 1) * V);
  }
  const result: RefResult = { loss: reduced.loss, shape: reduced.shape };
  if (grad) result.grad = grad;
  if (lse) result.lse = lse;
  if (argmax) result.argmax = argmax;
  if (correct) result.correct = correct;
  if (labelLogProb) result.labelLogProb = labelLogProb;
  if (entropy) result.entropy = entropy;
  if (topKHit) result.topKHit = topKHit;
  return result;
}
