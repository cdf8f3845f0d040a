// Focal losses from logits: binary (torchvision's sigmoid_focal_loss), elementwise over [rows, cols],
// and softmax focal loss over the rows of [rows, V] against sparse labels or dense targets.

import type { BinaryFocalLossOptions, FocalLossOptions, HostTensor } from '../contract/types';
import { ShapeError } from '../contract/errors';
import { asMatrix, checkLabels, checkTensor, formatShape, matchingMatrix, readOnce, sameShape } from '../contract/tensor';
import { decoded, refuseHalf } from './half';
import { parseBinaryFocalOptions, parseFocalOptions } from '../contract/configs/focal';
import { reduce, type RefResult } from './result';

/** softplus(x) = ln(1 + e^x), with no overflow. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** q^γ for 0 <= q <= 1 from ln q: 1 for γ = 0 (0^0 = 1). */
const powUnit = (lnq: number, gamma: number) => (gamma === 0 ? 1 : Math.exp(gamma * lnq));

/**
 * Binary focal loss per element, logit x and target t in [0, 1]:
 *   p = σ(x), ce = t·softplus(−x) + (1 − t)·softplus(x)   (BCE with logits; a term whose
 *   coefficient is 0 adds 0), p_t = p·t + (1 − p)·(1 − t), q = 1 − p_t = t·σ(−x) + (1 − t)·σ(x),
 *   a_t = α·t + (1 − α)·(1 − t) for α >= 0, else 1,
 *   loss = a_t·ce·q^γ   (q^γ = 1 for γ = 0, 0^0 included).
 * ln q from the logit: −softplus(x) (t = 1), −softplus(−x) (t = 0), else
 * logaddexp(ln t − softplus(x), ln(1 − t) − softplus(−x)), so q^γ = exp(γ·ln q) keeps its digits
 * where p_t ≈ 1 and for |x| up to 1e38.
 * dL/dx = a_t·q^γ·[(σ(x) − t) + γ·(1 − 2t)·ce·r], r = σ(x)·σ(−x)/q (σ(x) for t = 1, σ(−x) for t = 0),
 * from dce/dx = σ(x) − t and dq/dx = (1 − 2t)·σ(x)·σ(−x).
 *
 * Special values: t NaN or outside [0, 1], or x NaN: NaN loss and gradient. x = ±Infinity is the
 * limit: x = +∞ gives loss +Infinity where t < 1 and a_t > 0 (else 0), gradient a_t·(1 − t)^(γ+1);
 * x = −∞ gives +Infinity where t > 0 and a_t > 0 (else 0), gradient −a_t·t^(γ+1).
 * 'mean' divides by rows·cols (every element); 'none' keeps [rows, cols]; base 2 divides loss and
 * gradient by ln 2.
 * @example
 * const r = binaryFocalLoss({ data: [2, -1], shape: [1, 2] }, { data: [1, 0], shape: [1, 2] }, { reduction: 'none' });
 * console.log(r.loss);   // Float64Array [0.000451, 0.0170] (α = 0.25, γ = 2)
 */
export function binaryFocalLoss(input: HostTensor, target: HostTensor, opts?: BinaryFocalLossOptions): RefResult {
  input = decoded(readOnce(input), 'input');
  target = decoded(readOnce(target), 'target');
  const x = asMatrix(input, 'input');
  const { alpha, gamma, reduction, divisor, grad: wantGrad } = parseBinaryFocalOptions(opts);
  const t = matchingMatrix(target, 'target', input, 'input');
  const n = x.rows * x.cols;
  const values = new Float64Array(n);
  const grad = wantGrad ? new Float64Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const v = x.data[i];
    const ti = t.data[i];
    if (Number.isNaN(v) || !(ti >= 0 && ti <= 1)) {
      values[i] = NaN;
      if (grad) grad[i] = NaN;
      continue;
    }
    const at = alpha < 0 ? 1 : alpha * ti + (1 - alpha) * (1 - ti);
    if (v === Infinity || v === -Infinity) {
      const u = v > 0 ? 1 - ti : ti; // q at the limit
      values[i] = u > 0 && at > 0 ? Infinity : 0;
      const g = u === 0 ? 0 : at * u * powUnit(Math.log(u), gamma);
      if (grad) grad[i] = v > 0 ? g : -g;
      continue;
    }
    const sp = softplus(v);
    const spn = softplus(-v);
    const ce = (ti !== 0 ? ti * spn : 0) + (ti !== 1 ? (1 - ti) * sp : 0);
    let lnq: number;
    let r: number;
    if (ti === 1) {
      lnq = -sp;
      r = sigmoid(v);
    } else if (ti === 0) {
      lnq = -spn;
      r = sigmoid(-v);
    } else {
      const a = Math.log(ti) - sp;
      const b = Math.log1p(-ti) - spn;
      const m = Math.max(a, b);
      lnq = m + Math.log1p(Math.exp(-Math.abs(a - b)));
      r = Math.exp(Math.min(-sp - spn - lnq, 0));
    }
    const qg = powUnit(lnq, gamma);
    values[i] = at * ce * qg;
    // σ(x) − t as (1 − t)·σ(x) − t·σ(−x): exact for 0/1 targets where σ(x) rounds to 1.
    if (grad) grad[i] = at * qg * ((1 - ti) * sigmoid(v) - ti * sigmoid(-v) + gamma * (1 - 2 * ti) * ce * r);
  }
  const reduced = reduce(values, [x.rows, x.cols], reduction, n, divisor, grad);
  const result: RefResult = { loss: reduced.loss, shape: reduced.shape };
  if (grad) result.grad = grad;
  return result;
}

/**
 * A row's log-softmax with ln s = log1p(rest), rest = Σ exp(z_c − m) over every class but the
 * first maximum `top` (logSoftmaxRow's ln s would lose the digits of a near-certain row's
 * 1 − p). Fills lp and p and returns `rest` and `top`; `rest` is NaN for a NaN or +Infinity logit
 * and -Infinity when every class is masked.
 */
function focalRow(z: ArrayLike<number>, off: number, lp: Float64Array, p: Float64Array): { rest: number; top: number } {
  const n = lp.length;
  let top = -1;
  for (let c = 0; c < n; c++) {
    const v = z[off + c];
    if (Number.isNaN(v) || v === Infinity) return { rest: NaN, top };
    if (v !== -Infinity && (top < 0 || v > z[off + top])) top = c;
  }
  if (top < 0) return { rest: -Infinity, top };
  const m = z[off + top];
  let rest = 0;
  for (let c = 0; c < n; c++) if (c !== top) rest += Math.exp(z[off + c] - m);
  const lns = Math.log1p(rest);
  for (let c = 0; c < n; c++) {
    lp[c] = z[off + c] - m - lns;
    p[c] = Math.exp(lp[c]);
  }
  return { rest, top };
}

/**
 * Softmax focal loss per row, then reduced. With p = softmax(z), lp = ln p, q_c = 1 − p_c:
 *   loss = −Σ_c C_c·q_c^γ·lp_c,  C_c = α_c·t_c (dense), α_y·[c = y] (label y);
 * a term with C_c = 0 adds 0 (masked classes the target does not touch cost nothing).
 * Gradient: dL/dz_j = p_j·G − g_j, g_c = C_c·q_c^γ·(1 − γ·h_c), h_c = p_c·lp_c/q_c, G = Σ_c g_c
 * (from d lp_c/dz_j = δ_cj − p_j and dq_c/dz_j = −p_c·(δ_cj − p_j)); h → −1 as q → 0 and h = 0
 * where p = 0. ln s = log1p(Σ exp(z_c − m) over the other classes) and q at the row maximum is
 * their share (no 1 − p cancellation for a near-certain row). γ = 0
 * is crossEntropy: g_c = C_c.
 *
 * Rows: an ignored label gives loss 0 and gradient 0 (ignore wins over NaN); NaN or +Infinity
 * logits, or a non-finite dense target, make the row's loss and gradient NaN; -Infinity logits
 * are masked classes (a target on one gives +Infinity, the gradient stays finite); every class
 * masked gives +Infinity with gradient 0. 'mean' divides by Σ α_y over kept rows (labels; NaN if
 * no row is kept, gradient 0) or by the row count (dense). Base 2 divides loss and gradient by ln 2.
 * @example
 * const r = focalLoss({ data: [2, 1, 0.1], shape: [1, 3] }, { data: new Int32Array([0]), shape: [1] }, { gamma: 2 });
 * console.log(r.loss[0]);   // 0.0485 (cross-entropy: 0.4170)
 */
export function focalLoss(input: HostTensor, target: HostTensor, opts?: FocalLossOptions): RefResult {
  input = decoded(readOnce(input), 'input');
  target = readOnce(target);
  const x = asMatrix(input, 'input');
  const cfg = parseFocalOptions(opts, x.cols);
  const targetShape = checkTensor(target, 'target');
  const labelShape = input.shape.slice(0, -1);
  const sparse = sameShape(targetShape, labelShape);
  if (!sparse && !sameShape(targetShape, input.shape)) {
    throw new ShapeError('target', `shape ${formatShape(targetShape)} must be ${formatShape(labelShape)} (labels) or ${formatShape(input.shape)} (dense targets)`);
  }
  if (sparse) refuseHalf(target, 'target', 'integer labels (Int32Array)');
  else target = decoded(target, 'target');
  if (sparse) checkLabels(target.data, x.cols, cfg.ignoreIndex, 'target');

  const { rows, cols: V, data } = x;
  const { alpha, gamma } = cfg;
  const values = new Float64Array(rows);
  const grad = cfg.grad ? new Float64Array(rows * V) : undefined;
  const lp = new Float64Array(V);
  const p = new Float64Array(V);
  const g = new Float64Array(V);
  let kept = 0;
  let denominator = sparse ? 0 : rows;
  for (let r = 0; r < rows; r++) {
    const off = r * V;
    const label = sparse ? target.data[r] : -1;
    if (sparse && label === cfg.ignoreIndex) continue;
    kept++;
    if (sparse) denominator += alpha[label];
    const row = focalRow(data, off, lp, p);
    let badTarget = false;
    if (!sparse) for (let c = 0; c < V; c++) if (!Number.isFinite(target.data[off + c])) badTarget = true;
    if (Number.isNaN(row.rest) || badTarget) {
      values[r] = NaN;
      grad?.fill(NaN, off, off + V);
      continue;
    }
    if (row.rest === -Infinity) {
      values[r] = Infinity; // no class left; gradient 0
      continue;
    }
    // The maximum's q as the other classes' share: rest / (1 + rest).
    const { top } = row;
    const qTop = row.rest / (1 + row.rest);
    let loss = 0;
    let G = 0;
    for (let c = 0; c < V; c++) {
      const C = sparse ? (c === label ? alpha[c] : 0) : alpha[c] * target.data[off + c];
      g[c] = 0;
      if (C === 0) continue;
      const q = c === top ? qTop : 1 - p[c];
      const qg = q === 0 ? (gamma === 0 ? 1 : 0) : powUnit(Math.log(q), gamma);
      const h = q === 0 ? -1 : p[c] === 0 ? 0 : (p[c] * lp[c]) / q;
      loss += C * qg * -lp[c];
      g[c] = C * qg * (1 - gamma * h);
      G += g[c];
    }
    values[r] = loss;
    if (grad) for (let j = 0; j < V; j++) grad[off + j] = sparse && j === label ? -g[j] * (j === top ? qTop : 1 - p[j]) : p[j] * G - g[j];
  }
  let reduced: { loss: Float64Array; shape: number[] };
  if (cfg.reduction === 'mean' && kept === 0) {
    reduced = { loss: Float64Array.of(NaN), shape: [] };
  } else {
    reduced = reduce(values, [rows], cfg.reduction, denominator, cfg.divisor, grad);
    if (grad && sparse) for (let r = 0; r < rows; r++) if (target.data[r] === cfg.ignoreIndex) grad.fill(0, r * V, (r + 1) * V);
  }
  const result: RefResult = { loss: reduced.loss, shape: reduced.shape };
  if (grad) result.grad = grad;
  return result;
}
