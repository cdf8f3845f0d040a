// Shannon entropy of each row, and the KL divergence KL(P‖Q) between a target P and a prediction Q.

import type { EntropyOptions, HostTensor, KLDivergenceOptions } from '../contract/types';
import { asMatrix, matchingMatrix, readOnce } from '../contract/tensor';
import { decoded } from './half';
import { parseEntropyOptions, parseKLDivergenceOptions, type RowLossConfig } from '../contract/configs/entropy';
import { reduce, type RefResult } from './result';
import { logSoftmaxRow } from './softmax';

function hasNaN(data: ArrayLike<number>, off: number, n: number): boolean {
  for (let c = 0; c < n; c++) if (Number.isNaN(data[off + c])) return true;
  return false;
}

function finish(values: Float64Array, rows: number, cfg: RowLossConfig, grad: Float64Array | undefined): RefResult {
  const reduced = reduce(values, [rows], cfg.reduction, rows, cfg.divisor, grad);
  const result: RefResult = { loss: reduced.loss, shape: reduced.shape };
  if (grad) result.grad = grad;
  return result;
}

/**
 * Entropy per row, H = −Σ_c p_c·ln p_c with 0·ln 0 = 0.
 *
 * from 'probs' (the default here):
 * 1. H = −Σ_{p_c ≠ 0} p_c·ln p_c, exact: the value is not clipped.
 * 2. d(−p ln p)/dp = −(ln p + 1), taken as −(ln max(p_j, ε) + 1) so that p_j = 0 gives a finite value.
 *
 * from 'logits': p = softmax(z), lp = log softmax(z),
 * 1. H = −Σ_{p_c > 0} p_c·lp_c (= lse − Σ_c p_c·z_c; masked −Infinity classes add 0). A row with every
 *    class masked has no mass: H = 0, gradient 0.
 * 2. dlp_c/dz_j = δ_cj − p_j and Σ p = 1 give dH/dz_j = −p_j·(lp_j + H).
 *
 * NaN anywhere in a row (or +Infinity in logits) makes that row's value and gradient NaN.
 * 'mean' is over rows; base 2 divides value and gradient by ln 2.
 * @example
 * const r = entropy({ data: [0.75, 0.25, 0.5, 0.5], shape: [2, 2] }, { base: 2, reduction: 'none' });
 * console.log(r.loss);   // Float64Array [0.8113, 1] (bits)
 */
export function entropy(input: HostTensor, opts?: EntropyOptions): RefResult {
  input = decoded(readOnce(input), 'input');
  const x = asMatrix(input, 'input');
  const cfg = parseEntropyOptions(opts);
  const { from } = cfg;
  const { rows, cols: V, data } = x;
  const values = new Float64Array(rows);
  const grad = cfg.grad ? new Float64Array(rows * V) : undefined;
  const lp = new Float64Array(V);
  const p = new Float64Array(V);

  for (let r = 0; r < rows; r++) {
    const off = r * V;
    if (from === 'probs') {
      if (hasNaN(data, off, V)) {
        values[r] = NaN;
        grad?.fill(NaN, off, off + V);
        continue;
      }
      let h = 0;
      for (let c = 0; c < V; c++) {
        const pc = data[off + c];
        if (pc !== 0) h -= pc * Math.log(pc);
        if (grad) grad[off + c] = -(Math.log(Math.max(pc, cfg.epsilon)) + 1);
      }
      values[r] = h;
      continue;
    }
    const lse = logSoftmaxRow(data, off, lp, p);
    if (Number.isNaN(lse)) {
      values[r] = NaN;
      grad?.fill(NaN, off, off + V);
      continue;
    }
    let h = 0;
    for (let c = 0; c < V; c++) if (p[c] > 0) h -= p[c] * lp[c];
    values[r] = h;
    if (grad) for (let c = 0; c < V; c++) grad[off + c] = p[c] > 0 ? -p[c] * (lp[c] + h) : 0;
  }
  return finish(values, rows, cfg, grad);
}

/**
 * KL(P‖Q) per row for a prediction Q (`input`) and a target P (`target`), same shape:
 * 1. Each side becomes probabilities and logs: logits by (log)softmax; probabilities as given, with
 *    ln Q taken as ln max(Q, ε) and ln P exact (it is only used where P ≠ 0).
 * 2. KL = Σ_{P_c ≠ 0} P_c·(ln P_c − ln Q_c). A class with P_c > 0 that Q masks or gives 0 probability
 *    makes it +Infinity (Q from probs: finite, since ln Q is clipped).
 * 3. Gradient with respect to the input only:
 *    Q from logits: d ln Q_k/dz_c = δ_kc − Q_c, so dKL/dz_c = Q_c·Σ_k P_k − P_c;
 *    Q from probs:  dKL/dQ_c = −P_c / max(Q_c, ε).
 * A row of Q logits with every class masked: KL = +Infinity, gradient 0 (as crossEntropy).
 * NaN anywhere in either row (or +Infinity in a logits row) makes that row's value and gradient NaN.
 * 'mean' is the mean over rows (PyTorch's batchmean); base 2 divides value and gradient by ln 2.
 * @example
 * const q = { data: [0.5, 0.5], shape: [1, 2] };     // prediction
 * const p = { data: [0.75, 0.25], shape: [1, 2] };   // target
 * console.log(klDivergence(q, p, { from: 'probs' }).loss[0]);   // 0.1308 = 0.75·ln 1.5 + 0.25·ln 0.5
 */
export function klDivergence(input: HostTensor, target: HostTensor, opts?: KLDivergenceOptions): RefResult {
  input = decoded(readOnce(input), 'input');
  target = decoded(readOnce(target), 'target');
  const x = asMatrix(input, 'input');
  const cfg = parseKLDivergenceOptions(opts);
  const { from, targetFrom } = cfg;
  const t = matchingMatrix(target, 'target', input, 'input');
  const { rows, cols: V } = x;
  const values = new Float64Array(rows);
  const grad = cfg.grad ? new Float64Array(rows * V) : undefined;
  const Q = new Float64Array(V);
  const lnQ = new Float64Array(V);
  const P = new Float64Array(V);
  const lnP = new Float64Array(V);

  for (let r = 0; r < rows; r++) {
    const off = r * V;
    let invalid = false;
    let allMasked = false;
    if (from === 'logits') {
      const lse = logSoftmaxRow(x.data, off, lnQ, Q);
      invalid = Number.isNaN(lse);
      allMasked = lse === -Infinity;
    } else {
      invalid = hasNaN(x.data, off, V);
      for (let c = 0; c < V; c++) {
        Q[c] = x.data[off + c];
        lnQ[c] = Math.log(Math.max(Q[c], cfg.epsilon));
      }
    }
    if (targetFrom === 'logits') {
      const lse = logSoftmaxRow(t.data, off, lnP, P);
      invalid ||= Number.isNaN(lse);
    } else {
      invalid ||= hasNaN(t.data, off, V);
      for (let c = 0; c < V; c++) {
        P[c] = t.data[off + c];
        lnP[c] = P[c] !== 0 ? Math.log(P[c]) : 0; // unused where P = 0
      }
    }
    if (invalid) {
      values[r] = NaN;
      grad?.fill(NaN, off, off + V);
      continue;
    }
    if (allMasked) {
      values[r] = Infinity;
      continue;
    }
    let kl = 0;
    let sumP = 0;
    for (let c = 0; c < V; c++) {
      sumP += P[c];
      if (P[c] !== 0) kl += P[c] * (lnP[c] - lnQ[c]);
    }
    values[r] = kl;
    if (grad) {
      for (let c = 0; c < V; c++) {
        grad[off + c] = from === 'logits' ? Q[c] * sumP - P[c] : -P[c] / Math.max(Q[c], cfg.epsilon);
      }
    }
  }
  return finish(values, rows, cfg, grad);
}
