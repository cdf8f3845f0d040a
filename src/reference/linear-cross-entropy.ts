// Linear cross-entropy: the loss of a classifier layer's logits z = h·Wᵀ (+ b) against sparse labels,
// and its gradients with respect to the hidden states h, the classifier W and the bias b.
//
// The oracle forms the logits in float64 (a block of rows at a time, so large vocabularies fit in
// memory), hands them to the reference crossEntropy, and chains its logit gradient G = dL/dz:
//   dL/dh = G·W,   dL/dW = Gᵀ·h,   dL/db = Σ_rows G.
// Fine-tuning options: `shift: 1` scores row r against labels[r + 1] of its sequence (the last row
// of each ignored), `frozenHead` leaves out dL/dW and dL/db, `extras` adds per-row labelLogProb
// (z'_y − lse), lse, argmax, correct and the softmax's entropy; `memoryBudget` is the GPU's only.

import type { CrossEntropyOptions, HostTensor, LinearOptions } from '../contract/types';
import { checkLabels, checkTensor, readOnce } from '../contract/tensor';
import { decoded, refuseHalf } from './half';
import { optionsObject } from '../contract/options';
import { GRAD_FILTER_TILE, LINEAR_KEYS, linearShapes, parseLinearOptions, scoredLabel } from '../contract/configs/linear-cross-entropy';
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
  /** With `extras`, per row: ln p of the scored label in nats (0 on ignored rows). */
  labelLogProb?: Float64Array;
  /** With `extras`: the row's log-sum-exp of the (capped) logits, in nats. */
  lse?: Float64Array;
  /** With `extras`: the row's argmax (first maximum; the first NaN counts as the maximum). */
  argmax?: Int32Array;
  /** With `extras`: 1 where argmax is the scored label, 0 otherwise and on ignored rows. */
  correct?: Int32Array;
  /** With `extras`: entropy of the row's softmax, in the call's base. */
  entropy?: Float64Array;
  /**
   * With `gradFilter`: 1 for each live 32-row × 32-class tile of G ([⌈N/32⌉, ⌈V/32⌉], row-major),
   * 0 for a skipped one.
   */
  gradFilterLive?: Uint8Array;
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
 * 5. gradFilter ε: the GPU's filter in float64, the same tiles: a 32×32 tile of G with every
 *    |G| ≤ ε·k (k = 1/Σ w[y] for 'mean', else 1; ×1/ln 2 in bits) is left out of dL/dh and dL/dW.
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
  const cfg = parseLinearOptions(o, V, [], N);
  checkLabels(labels.data, V, cfg.ignoreIndex, 'labels');
  const H = hidden.data;
  const W = weight.data;
  const B = biasT?.data;
  // The labels as scored (with shift: the next row's, a sequence's last row ignored).
  const y = Int32Array.from({ length: N }, (_, r) => scoredLabel(labels.data, r, cfg));

  const perRow = new Float64Array(N);
  const gH = cfg.grad ? new Float64Array(N * D) : undefined;
  const gW = cfg.grad && !cfg.frozenHead ? new Float64Array(V * D) : undefined;
  const gB = cfg.grad && !cfg.frozenHead && B ? new Float64Array(V) : undefined;
  const ex = cfg.extras
    ? { labelLogProb: new Float64Array(N), lse: new Float64Array(N), argmax: new Int32Array(N), correct: new Int32Array(N), entropy: new Float64Array(N) }
    : undefined;
  // The options crossEntropy understands (the bias is ours).
  const ceOpts: CrossEntropyOptions = {
    weight: cfg.weighted ? cfg.weight : undefined, ignoreIndex: cfg.ignoreIndex, labelSmoothing: cfg.smoothing, zLoss: cfg.zLoss,
    softcap: cfg.softcap > 0 ? cfg.softcap : undefined, base: cfg.divisor === 1 ? 'e' : 2, reduction: 'none', grad: cfg.grad, extras: cfg.extras,
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
    if (ex && res.lse && res.argmax && res.correct) {
      ex.lse.set(res.lse, r0);
      ex.argmax.set(res.argmax, r0);
      ex.correct.set(res.correct, r0);
      for (let r = 0; r < rows; r++) {
        const st = rowEntropy(z, r * V, V, cfg.softcap);
        ex.entropy[r0 + r] = st.entropy / cfg.divisor;
        const label = y[r0 + r];
        if (label !== cfg.ignoreIndex) ex.labelLogProb[r0 + r] = st.capped[label] - res.lse[r];
      }
    }
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

  // gradFilter: a 32×32 tile (absolute rows and classes) is live when one of its |g| is above
  // ε·k (or NaN), k = the reduction's row scale; dead tiles add nothing to gH and gW.
  const T = GRAD_FILTER_TILE;
  const tileCols = Math.ceil(V / T);
  const live = gH && cfg.gradFilter > 0 ? new Uint8Array(Math.ceil(N / T) * tileCols) : undefined;
  if (gH) {
    for (const b of blockGrads) if (scale !== 1) for (let i = 0; i < b.g.length; i++) b.g[i] *= scale;
    if (live) {
      const thr = cfg.gradFilter * scale / cfg.divisor;
      for (const { r0, rows, g } of blockGrads) {
        for (let r = 0; r < rows; r++) for (let c = 0; c < V; c++) if (!(Math.abs(g[r * V + c]) <= thr)) live[((r0 + r) / T | 0) * tileCols + (c / T | 0)] = 1;
      }
    }
    for (const { r0, rows, g } of blockGrads) {
      for (let r = 0; r < rows; r++) {
        const hOff = (r0 + r) * D;
        for (let c = 0; c < V; c++) {
          const gv = g[r * V + c];
          if (gv === 0) continue; // adds nothing; an ignored row's gradient stays 0 even with NaN in h
          if (gB) gB[c] += gv;
          if (live && !live[((r0 + r) / T | 0) * tileCols + (c / T | 0)]) continue;
          const wOff = c * D;
          for (let k = 0; k < D; k++) {
            gH[hOff + k] += gv * W[wOff + k];
            if (gW) gW[wOff + k] += gv * H[hOff + k];
          }
        }
      }
    }
  }
  const out: RefLinearResult = { loss, shape: cfg.reduction === 'none' ? [N] : [] };
  if (gH) out.gradHidden = gH;
  if (gW) out.gradWeight = gW;
  if (gB) out.gradBias = gB;
  if (live) out.gradFilterLive = live;
  if (ex) Object.assign(out, ex);
  return out;
}

/**
 * Entropy (nats) of softmax(z') over one row, z' = c·tanh(z/c) with softcap c (finite z only):
 * H = −Σ p·ln p = ln S − Σ e^(z'−m)·(z'−m) / S with m = max z', S = Σ e^(z'−m); a masked class
 * (z' = −Infinity) adds nothing, NaN or +Infinity gives NaN. Also returns the capped row.
 */
function rowEntropy(z: Float64Array, off: number, V: number, softcap: number): { entropy: number; capped: Float64Array } {
  const capped = new Float64Array(V);
  let m = -Infinity;
  for (let c = 0; c < V; c++) {
    const v = z[off + c];
    capped[c] = softcap > 0 && Number.isFinite(v) ? softcap * Math.tanh(v / softcap) : v;
    if (Number.isNaN(capped[c]) || capped[c] === Infinity) return { entropy: NaN, capped };
    m = Math.max(m, capped[c]);
  }
  if (m === -Infinity) return { entropy: NaN, capped };
  let S = 0;
  let T = 0;
  for (let c = 0; c < V; c++) {
    if (capped[c] === -Infinity) continue;
    const e = Math.exp(capped[c] - m);
    S += e;
    T += e * (capped[c] - m);
  }
  return { entropy: Math.log(S) - T / S, capped };
}
