// Row-wise softmax and log-softmax in float64, and the one-row kernel every logits-based loss uses,
// so that all of them share a single rule for masked (-Infinity) and invalid (NaN, +Infinity) logits.

import type { HostTensor, SoftmaxOptions } from '../contract/types';
import { asMatrix, readOnce } from '../contract/tensor';
import { decoded } from './half';
import { parseSoftmaxOptions } from '../contract/configs/softmax';

/**
 * Log-softmax of the row z[off .. off+n), n = lp.length. Fills `lp` and `p` and returns
 * lse = ln Σ exp z.
 * 1. A NaN or +Infinity anywhere makes the row invalid: lse, every lp and every p are NaN.
 * 2. -Infinity marks a masked class: p_c = 0, lp_c = -Infinity.
 * 3. Every class masked: no probability mass at all, so lse = -Infinity, p = 0, lp = -Infinity.
 * 4. Otherwise, with m = max over the finite z and s = Σ_c exp(z_c - m) (each term in [0, 1], so
 *    nothing overflows and s >= 1): lse = m + ln s, lp_c = (z_c - m) - ln s, p_c = exp(z_c - m) / s.
 */
export function logSoftmaxRow(z: ArrayLike<number>, off: number, lp: Float64Array, p: Float64Array): number {
  const n = lp.length;
  let m = -Infinity;
  for (let c = 0; c < n; c++) {
    const v = z[off + c];
    if (Number.isNaN(v) || v === Infinity) {
      lp.fill(NaN);
      p.fill(NaN);
      return NaN;
    }
    if (v > m) m = v;
  }
  if (m === -Infinity) {
    lp.fill(-Infinity);
    p.fill(0);
    return -Infinity;
  }
  let s = 0;
  for (let c = 0; c < n; c++) {
    const e = Math.exp(z[off + c] - m); // exp(-Infinity) = 0 for masked classes
    p[c] = e;
    s += e;
  }
  const logS = Math.log(s);
  for (let c = 0; c < n; c++) {
    p[c] /= s;
    lp[c] = z[off + c] - m - logS;
  }
  return m + logS;
}

/** Runs `logSoftmaxRow` on every row of x / T and copies out `p` or `lp`. */
function rowwise(x: HostTensor, opts: SoftmaxOptions | undefined, want: 'p' | 'lp'): Float64Array {
  x = decoded(readOnce(x), 'input');
  const m = asMatrix(x, 'input'); // named 'input' in errors, as in every other function
  const t = parseSoftmaxOptions(opts).temperature;
  const out = new Float64Array(m.rows * m.cols);
  const z = new Float64Array(m.cols);
  const lp = new Float64Array(m.cols);
  const p = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) {
    const off = r * m.cols;
    for (let c = 0; c < m.cols; c++) z[c] = m.data[off + c] / t;
    logSoftmaxRow(z, 0, lp, p);
    out.set(want === 'p' ? p : lp, off);
  }
  return out;
}

/**
 * softmax(x / T) per row: p_c = exp(x_c/T - lse), stable by subtracting the row max first.
 * Masked (-Infinity) entries give 0; an all-masked row gives all zeros; NaN or +Infinity anywhere in a
 * row gives a row of NaN. A 1-D x of shape [V] is one row.
 * @example
 * const p = softmax({ data: [1, 2, 3, 0, 0, -Infinity], shape: [2, 3] });
 * // Float64Array [0.0900, 0.2447, 0.6652, 0.5, 0.5, 0]
 */
export function softmax(x: HostTensor, opts?: SoftmaxOptions): Float64Array {
  return rowwise(x, opts, 'p');
}

/**
 * log softmax(x / T) per row: lp_c = x_c/T - lse(x/T), computed as (x_c/T - m) - ln Σ exp(x/T - m).
 * Masked entries (and every entry of an all-masked row) give -Infinity; NaN/+Infinity rows give NaN.
 * @example
 * const lp = logSoftmax({ data: [1, 2, 3], shape: [3] });   // Float64Array [-2.4076, -1.4076, -0.4076]
 */
export function logSoftmax(x: HostTensor, opts?: SoftmaxOptions): Float64Array {
  return rowwise(x, opts, 'lp');
}
