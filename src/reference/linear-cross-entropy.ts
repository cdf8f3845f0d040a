// Linear cross-entropy: the loss of a classifier layer's logits z = h·Wᵀ (+ b) against sparse labels,
// and its gradients with respect to the hidden states h, the classifier W and the bias b.
//
// The oracle forms the logits in float64 (a block of rows at a time, so large vocabularies fit in
// memory), hands them to the reference crossEntropy, and chains its logit gradient G = dL/dz:
//   dL/dh = G·W,   dL/dW = Gᵀ·h,   dL/db = Σ_rows G.

import type { CrossEntropyOptions, HostTensor, LinearOptions } from '../contract/types';
import { checkLabels, checkTensor, readOnce } from '../contract/tensor';
import { decoded, refuseHalf } from './half';
import { optionsObject } from '../contract/options';
import { LINEAR_KEYS, linearShapes, parseLinearOptions } from '../contract/configs/linear-cross-entropy';
import { crossEntropy } from './cross-entropy';

/** Options of linearCrossEntropy: crossEntropy's for sparse labels from logits, plus the bias. */
export interface RefLinearCrossEntropyOptions extends LinearOptions {
  /** Classifier bias, shape [V]. */
  bias?: HostTensor;
}

/** What the reference {@link linearCrossEntropy} returns: the loss and, with `grad`, its gradients, in float64. */
export interface RefLinearResult {
  /** Length 1 for 'sum' / 'mean', one value per row for 'none'. */
  loss: Float64Array;
  /** `[]` for 'sum' / 'mean'; `[N]` for 'none'. */
  shape: number[];
  /** d loss / d hidden, [N, D] (for 'none': of the sum of the rows' losses). */
  gradHidden?: Float64Array;
  /** d loss / d weight, [V, D]. */
  gradWeight?: Float64Array;
  /** d loss / d bias, [V] (when a bias was given). */
  gradBias?: Float64Array;
}

/** Rows of logits formed at a time: keeps the float64 block near 8 MB whatever V is. */
const BLOCK_ELEMS = 1 << 20;

/**
 * 1. Per block of rows: z = h·Wᵀ + b in float64.
 * 2. Reference crossEntropy of z with reduction 'none' (per-row losses in the requested base) and
 *    its gradient G (of the sum of those losses).
 * 3. Reduction: 'sum' adds the rows; 'mean' divides by Σ w[y] over kept rows (PyTorch), G too; a
 *    'mean' with every row ignored is NaN ('nan') or 0 ('zero') with zero gradients.
 * 4. dL/dh = G·W, dL/dW = Gᵀ·h, dL/db = Σ_rows G (the same scale as G).
 * @example
 * const r = linearCrossEntropy(
 *   { data: [1, 0, 0, 1], shape: [2, 2] },            // hidden [N = 2, D = 2]
 *   { data: [1, 2, 3, 4, 5, 6], shape: [3, 2] },      // weight [V = 3, D = 2]
 *   { data: new Int32Array([2, 0]), shape: [2] },     // labels [N]
 *   { grad: true },
 * );
 * console.log(r.loss[0], r.gradWeight!.length);       // 2.1429 6
 */
export function linearCrossEntropy(hidden: HostTensor, weight: HostTensor, labels: HostTensor, opts?: RefLinearCrossEntropyOptions): RefLinearResult {
  hidden = decoded(readOnce(hidden), 'hidden');
  weight = decoded(readOnce(weight), 'weight');
  labels = readOnce(labels);
  const hShape = checkTensor(hidden, 'hidden');
  const wShape = checkTensor(weight, 'weight');
  const lShape = checkTensor(labels, 'labels');
  refuseHalf(labels, 'labels', 'integer labels (Int32Array)');
  const o = optionsObject(opts, LINEAR_KEYS);
  const biasT = readOnce(o.bias as HostTensor | undefined);
  const bShape = biasT !== undefined ? checkTensor(biasT, 'options.bias') : undefined;
  if (biasT !== undefined) refuseHalf(biasT, 'options.bias', 'float32 data');
  const { n: N, d: D, v: V } = linearShapes(hShape, wShape, lShape, bShape);
  const cfg = parseLinearOptions(o, V);
  checkLabels(labels.data, V, cfg.ignoreIndex, 'labels');
  const H = hidden.data;
  const W = weight.data;
  const B = biasT?.data;
  const y = labels.data;

  const perRow = new Float64Array(N);
  const gH = cfg.grad ? new Float64Array(N * D) : undefined;
  const gW = cfg.grad ? new Float64Array(V * D) : undefined;
  const gB = cfg.grad && B ? new Float64Array(V) : undefined;
  // The options crossEntropy understands (the bias is ours).
  const ceOpts: CrossEntropyOptions = {
    weight: cfg.weighted ? cfg.weight : undefined, ignoreIndex: cfg.ignoreIndex, labelSmoothing: cfg.smoothing, zLoss: cfg.zLoss,
    softcap: cfg.softcap > 0 ? cfg.softcap : undefined, base: cfg.divisor === 1 ? 'e' : 2, reduction: 'none', grad: cfg.grad,
  };
  const rowsPerBlock = Math.max(1, Math.floor(BLOCK_ELEMS / V));
  const blockGrads: { r0: number; rows: number; g: Float64Array }[] = [];
  for (let r0 = 0; r0 < N; r0 += rowsPerBlock) {
    const rows = Math.min(rowsPerBlock, N - r0);
    const z = new Float64Array(rows * V);
    for (let r = 0; r < rows; r++) {
      const h = (r0 + r) * D;
      for (let c = 0; c < V; c++) {
        let acc = B ? B[c] : 0;
        const w = c * D;
        for (let k = 0; k < D; k++) acc += H[h + k] * W[w + k];
        z[r * V + c] = acc;
      }
    }
    const res = crossEntropy({ data: z, shape: [rows, V] }, { data: Array.from({ length: rows }, (_, i) => y[r0 + i]), shape: [rows] }, ceOpts);
    perRow.set(res.loss, r0);
    if (res.grad) blockGrads.push({ r0, rows, g: res.grad });
  }

  // Reduction; the mean's denominator is Σ w[y] over kept rows, as crossEntropy's.
  let kept = 0;
  let denominator = 0;
  for (let i = 0; i < N; i++) {
    if (y[i] === cfg.ignoreIndex) continue;
    kept++;
    denominator += cfg.weight[y[i]];
  }
  let loss: Float64Array;
  let scale = 1;
  if (cfg.reduction === 'none') loss = perRow;
  else {
    let s = 0;
    for (let i = 0; i < N; i++) s += perRow[i];
    if (cfg.reduction === 'mean') {
      if (kept === 0) {
        s = cfg.allIgnored === 'zero' ? 0 : NaN;
        scale = 0; // every gradient is 0 already; avoids 0/0
      } else {
        s /= denominator;
        scale = 1 / denominator;
      }
    }
    loss = Float64Array.of(s);
  }

  if (gH && gW) {
    for (const { r0, rows, g } of blockGrads) {
      if (scale !== 1) for (let i = 0; i < g.length; i++) g[i] *= scale;
      for (let r = 0; r < rows; r++) {
        const hOff = (r0 + r) * D;
        for (let c = 0; c < V; c++) {
          const gv = g[r * V + c];
          if (gv === 0) continue; // adds nothing; an ignored row's gradient stays 0 even with NaN in h
          const wOff = c * D;
          for (let k = 0; k < D; k++) {
            gH[hOff + k] += gv * W[wOff + k];
            gW[wOff + k] += gv * H[hOff + k];
          }
          if (gB) gB[c] += gv;
        }
      }
    }
  }
  const out: RefLinearResult = { loss, shape: cfg.reduction === 'none' ? [N] : [] };
  if (gH) out.gradHidden = gH;
  if (gW) out.gradWeight = gW;
  if (gB) out.gradBias = gB;
  return out;
}
