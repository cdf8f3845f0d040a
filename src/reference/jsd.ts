// The generalized Jensen–Shannon divergence between a student and a teacher, from logits, with
// temperature, and its gradient with respect to the student logits (float64).

import type { HostTensor, JSDivergenceOptions } from '../contract/types';
import { asMatrix, checkTensor, formatShape, matchingMatrix, readOnce } from '../contract/tensor';
import { optionsObject } from '../contract/options';
import { ShapeError } from '../contract/errors';
import { JSD_KEYS, checkJSDLabels, parseJSDOptions, type JSDConfig } from '../contract/configs/jsd';
import { decoded, refuseHalf } from './half';
import { reduce, type RefResult } from './result';
import { logSoftmaxRow } from './softmax';

/**
 * Which rows count: labels equal to ignoreIndex mark skipped rows. Any other int32 value keeps its
 * row (the label's class is not used). `null`: no labels, every row counts.
 */
function keptRows(labels: HostTensor | undefined, rows: number, cfg: JSDConfig): Uint8Array | null {
  if (labels === undefined) return null;
  labels = readOnce(labels);
  const shape = checkTensor(labels, 'options.labels');
  if (shape.length !== 1 || shape[0] !== rows) throw new ShapeError('options.labels', `shape ${formatShape(shape)} must be [${rows}] (one label per row)`);
  refuseHalf(labels, 'options.labels', 'integer labels (Int32Array)');
  checkJSDLabels(labels.data, 'options.labels');
  const kept = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) kept[r] = labels.data[r] === cfg.ignoreIndex ? 0 : 1;
  return kept;
}

/**
 * [ln P_c − ln M_c, ln Q_c − ln M_c] for a class neither side masks, with δ = lq − lp:
 *   δ <= 0: lm − lp = ln(β + (1 − β)·e^δ) = log1p((1 − β)·expm1(δ)) = a,  lq − lm = δ − a;
 *   δ  > 0: lm − lq = ln(β·e^−δ + 1 − β) = log1p(β·expm1(−δ)) = b,      lp − lm = −δ − b.
 * Equal logs (δ = 0) give exactly 0 on both sides.
 */
function mixLogs(lp: number, lq: number, beta: number): [number, number] {
  const d = lq - lp;
  if (d <= 0) {
    const a = Math.log1p((1 - beta) * Math.expm1(d));
    return [-a, d - a];
  }
  const b = Math.log1p(beta * Math.expm1(-d));
  return [-d - b, -b];
}

/**
 * Generalized JSD per row between the teacher P = softmax(teacher / T) and the student
 * Q = softmax(student / T), with M = β·P + (1 − β)·Q:
 *   0 < β < 1: JSD_β = β·KL(P‖M) + (1 − β)·KL(Q‖M) = Σ_c β·P_c·(ln P_c − ln M_c) + (1 − β)·Q_c·(ln Q_c − ln M_c),
 *   β = 0: KL(P‖Q) (forward: teacher ‖ student),  β = 1: KL(Q‖P) (reverse),
 * as Liger-Kernel's LigerJSD (whose general formula tends to 0 at both ends; the end points are
 * defined apart). Not multiplied by T² (Hinton's distillation scaling is the caller's).
 *
 * Gradient with respect to the student logits z (d Q_c/d z_j = Q_c·(δ_cj − Q_j)/T):
 *   0 < β < 1: JSD = Σ β·P ln P + (1 − β)·Q ln Q − M ln M, so dJSD/dQ_c = (1 − β)·(ln Q_c − ln M_c)
 *              and dJSD/dz_j = (1 − β)/T · Q_j·((ln Q_j − ln M_j) − KL(Q‖M));
 *   β = 0:     dKL(P‖Q)/dz_j = (Q_j − P_j)/T;
 *   β = 1:     dKL(Q‖P)/dz_j = Q_j·((ln Q_j − ln P_j) − KL(Q‖P))/T.
 *
 * Edge cases: -Infinity logits are masked classes (probability 0, 0·ln 0 = 0). NaN, or +Infinity,
 * in either row: that row's loss and gradient are NaN. A row where either side masks every class
 * has no distribution there: loss +Infinity, gradient 0 (as klDivergence). β = 0 with a class the
 * student masks and the teacher does not: +Infinity, gradient as above (finite); β = 1 with a
 * class the teacher masks and the student does not: +Infinity, gradient NaN. For 0 < β < 1 the
 * value is always finite and >= 0; rounding below 0 is clamped to 0 (identical rows give 0).
 *
 * Rows whose label is `ignoreIndex` give 0 and a zero gradient. 'mean' divides by the kept rows
 * (every row without labels); with none kept it is NaN (allIgnored 'nan') or 0 ('zero'), as
 * crossEntropy's.
 * @example
 * const s = { data: [0, 0], shape: [1, 2] };                    // student: Q = [0.5, 0.5]
 * const t = { data: [Math.log(3), 0], shape: [1, 2] };          // teacher: P = [0.75, 0.25]
 * console.log(jsDivergence(s, t, { beta: 0 }).loss[0]);         // 0.1308 = KL(P‖Q)
 */
export function jsDivergence(student: HostTensor, teacher: HostTensor, opts?: JSDivergenceOptions): RefResult {
  student = decoded(readOnce(student), 'student');
  teacher = decoded(readOnce(teacher), 'teacher');
  const s = asMatrix(student, 'student');
  const o = optionsObject(opts, JSD_KEYS);
  const cfg = parseJSDOptions(o);
  const t = matchingMatrix(teacher, 'teacher', student, 'student');
  const { rows, cols: V } = s;
  const kept = keptRows(o.labels as HostTensor | undefined, rows, cfg);
  const { beta, temperature: T, mode } = cfg;
  const values = new Float64Array(rows);
  const grad = cfg.grad ? new Float64Array(rows * V) : undefined;
  const zs = new Float64Array(V);
  const zt = new Float64Array(V);
  const Q = new Float64Array(V);
  const lq = new Float64Array(V);
  const P = new Float64Array(V);
  const lp = new Float64Array(V);
  const lqm = new Float64Array(V);
  let keptCount = 0;

  for (let r = 0; r < rows; r++) {
    const off = r * V;
    if (kept && !kept[r]) continue;
    keptCount++;
    for (let c = 0; c < V; c++) {
      zs[c] = s.data[off + c] / T;
      zt[c] = t.data[off + c] / T;
    }
    const lseQ = logSoftmaxRow(zs, 0, lq, Q);
    const lseP = logSoftmaxRow(zt, 0, lp, P);
    if (Number.isNaN(lseQ) || Number.isNaN(lseP)) {
      values[r] = NaN;
      grad?.fill(NaN, off, off + V);
      continue;
    }
    if (lseQ === -Infinity || lseP === -Infinity) {
      values[r] = Infinity;
      continue;
    }
    if (mode === 'forward') {
      let kl = 0;
      for (let c = 0; c < V; c++) if (P[c] !== 0) kl += P[c] * (lp[c] - lq[c]);
      values[r] = Math.max(0, kl);
      if (grad) for (let c = 0; c < V; c++) grad[off + c] = (Q[c] - P[c]) / T;
      continue;
    }
    if (mode === 'reverse') {
      let kl = 0;
      for (let c = 0; c < V; c++) if (Q[c] !== 0) kl += Q[c] * (lq[c] - lp[c]);
      values[r] = Math.max(0, kl);
      if (grad) {
        for (let c = 0; c < V; c++) {
          grad[off + c] = kl === Infinity ? NaN : Q[c] !== 0 ? (Q[c] * (lq[c] - lp[c] - kl)) / T : 0;
        }
      }
      continue;
    }
    let sum = 0;
    let k = 0;
    for (let c = 0; c < V; c++) {
      const pMasked = lp[c] === -Infinity;
      const qMasked = lq[c] === -Infinity;
      lqm[c] = 0;
      if (pMasked && qMasked) continue;
      if (pMasked) {
        // M = (1 − β)·Q: ln Q − ln M = −ln(1 − β)
        lqm[c] = -Math.log1p(-beta);
        sum += (1 - beta) * Q[c] * lqm[c];
      } else if (qMasked) {
        sum += beta * P[c] * -Math.log(beta);
      } else {
        const [pm, qm] = mixLogs(lp[c], lq[c], beta);
        lqm[c] = qm;
        sum += beta * P[c] * pm + (1 - beta) * Q[c] * qm;
      }
      k += Q[c] * lqm[c];
    }
    values[r] = Math.max(0, sum);
    if (grad) for (let c = 0; c < V; c++) grad[off + c] = Q[c] !== 0 ? ((1 - beta) * Q[c] * (lqm[c] - k)) / T : 0;
  }
  const denominator = kept ? keptCount : rows;
  // No kept row: every gradient is 0 already (and 0/0 would make it NaN).
  const reduced = reduce(values, [rows], cfg.reduction, Math.max(denominator, 1), 1, grad);
  if (cfg.reduction === 'mean' && denominator === 0) reduced.loss[0] = cfg.allIgnored === 'zero' ? 0 : NaN;
  const result: RefResult = { loss: reduced.loss, shape: reduced.shape };
  if (grad) result.grad = grad;
  return result;
}
