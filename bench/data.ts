// Seeded inputs for one shape, and the float64 oracle that every implementation is checked
// against before it is timed. The oracle runs over row chunks ('sum' per chunk, then / rows) so a
// 262 MB input never needs a float64 copy of itself or of its gradient.
import { crossEntropy } from '../src/reference/cross-entropy';
import { mulberry32, randomLabels, randomLogits } from '../src/reference/random';
import { allclose } from '../test/util/allclose';
import { toHalfBits } from '../test/util/half';
import { decodeHalf } from '../src/reference/half';
import type { Check, Shape } from './types';

export interface Inputs {
  rows: number;
  classes: number;
  logits: Float32Array;
  labels: Int32Array;
  /** The oracle's mean loss (float64). */
  expected: number;
}

/** Relative tolerance on the mean loss (float32 kernels against float64). */
export const LOSS_RTOL = 1e-4;
/** Gradient tolerance: README's 1e-4 relative + 1e-6 absolute, the absolute part for a 'sum'
 *  gradient, so divided by rows for the mean's. */
export const GRAD_RTOL = 1e-4;
export const gradAtol = (rows: number) => 1e-6 / rows;

/** Rows per oracle chunk: about 4M elements. */
function chunkRows(classes: number): number {
  return Math.max(1, Math.floor((1 << 22) / classes));
}

export function makeInputs([rows, classes]: Shape, seed: number): Inputs {
  const rng = mulberry32(seed);
  const logits = randomLogits(rng, rows, classes, 2);
  const labels = randomLabels(rng, rows, classes);
  return { rows, classes, logits, labels, expected: meanLoss(logits, labels, rows, classes) };
}

/** The oracle's mean loss, over row chunks. */
function meanLoss(logits: Float32Array, labels: Int32Array, rows: number, classes: number): number {
  let sum = 0;
  const step = chunkRows(classes);
  for (let r0 = 0; r0 < rows; r0 += step) {
    const n = Math.min(step, rows - r0);
    const ref = crossEntropy({ data: logits.subarray(r0 * classes, (r0 + n) * classes), shape: [n, classes] },
      { data: labels.subarray(r0, r0 + n), shape: [n] }, { reduction: 'sum' });
    sum += ref.loss[0];
  }
  return sum / rows;
}

const halves = new WeakMap<Inputs, Inputs & { bits: Uint16Array }>();

/**
 * The inputs as float16 (round to nearest even): the patterns the float16 rows upload, and the
 * same inputs with the logits those patterns hold and the oracle's loss of them, to check those
 * rows against. Made once per shape, when a float16 row first asks.
 */
export function halfInputs(inp: Inputs): Inputs & { bits: Uint16Array } {
  let h = halves.get(inp);
  if (!h) {
    const bits = toHalfBits(inp.logits, 'float16');
    const logits = Float32Array.from(decodeHalf(bits, 'float16'));
    h = { ...inp, logits, bits, expected: meanLoss(logits, inp.labels, inp.rows, inp.classes) };
    halves.set(inp, h);
  }
  return h;
}

/** Compares a mean loss (and optionally a gradient of the mean) with the oracle. */
export function checkResult(inp: Inputs, loss: number, grad?: Float32Array): Check {
  const relErr = Math.abs(loss - inp.expected) / Math.abs(inp.expected);
  const lossOk = Number.isFinite(loss) && relErr <= LOSS_RTOL;
  const check: Check = {
    ok: lossOk, loss, expected: inp.expected, relErr,
    message: `loss ${fmt(loss)} vs oracle ${fmt(inp.expected)} (rel err ${relErr.toExponential(1)}${lossOk ? '' : `, > ${LOSS_RTOL}`})`,
  };
  if (grad) {
    check.grad = checkGrad(inp, grad);
    check.ok = check.ok && check.grad.ok;
    check.message += `; ${check.grad.message}`;
  }
  return check;
}

function checkGrad(inp: Inputs, grad: Float32Array): NonNullable<Check['grad']> {
  const { rows, classes: V, logits, labels } = inp;
  if (grad.length < rows * V) return { ok: false, failed: -1, count: rows * V, worst: Infinity, message: `gradient has ${grad.length} values, expected ${rows * V}` };
  const tol = { rtol: GRAD_RTOL, atol: gradAtol(rows) };
  let failed = 0;
  let worst = 0;
  let first = '';
  const step = chunkRows(V);
  for (let r0 = 0; r0 < rows; r0 += step) {
    const n = Math.min(step, rows - r0);
    const ref = crossEntropy({ data: logits.subarray(r0 * V, (r0 + n) * V), shape: [n, V] },
      { data: labels.subarray(r0, r0 + n), shape: [n] }, { reduction: 'sum', grad: true });
    const want = ref.grad!;
    for (let i = 0; i < want.length; i++) want[i] /= rows;
    const r = allclose(grad.subarray(r0 * V, (r0 + n) * V), want, tol, 'grad', 1);
    failed += r.failed;
    worst = Math.max(worst, r.worst);
    if (!r.ok && !first) first = r.message;
  }
  const ok = failed === 0;
  return {
    ok, failed, count: rows * V, worst,
    message: ok ? `grad ok (worst ${worst.toFixed(2)} of tolerance)` : `grad: ${failed} of ${rows * V} outside tolerance; ${first}`,
  };
}

/**
 * Roof check: the kernel's partial sums must add up to Σ x, or Σ exp(x) for the exp diagnostic,
 * within float32 accumulation error (relative to Σ|x|: each thread adds up to n / threads terms in
 * sequence), and a written copy must be exactly 2·x.
 */
export function checkSum(inp: Inputs, sum: number, y?: Float32Array, exp = false): Check {
  let want = 0;
  let abs = 0;
  const x = inp.logits;
  for (let i = 0; i < x.length; i++) {
    const v = exp ? Math.exp(x[i]) : x[i];
    want += v;
    abs += Math.abs(v);
  }
  const err = Math.abs(sum - want) / abs;
  let ok = err <= (exp ? 1e-3 : 1e-5);
  let message = `${exp ? 'Σexp(x)' : 'Σx'} ${fmt(sum)} vs ${fmt(want)} (error ${err.toExponential(1)} of Σ|·|)`;
  if (y) {
    let bad = 0;
    for (let i = 0; i < x.length; i++) if (y[i] !== 2 * x[i]) bad++;
    ok = ok && bad === 0;
    message += bad ? `; ${bad} written values wrong` : '; written copy exact';
  }
  return { ok, loss: sum, expected: want, relErr: err, message };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(7) : String(v);
}
