// Every tolerance the tests compare with, each with the reason for its value. allclose passes
// where |actual − expected| ≤ atol + rtol·|expected|; NaN and ±Infinity must match exactly.
// GPU results are float32 kernels against the float64 oracle run on the same float32 inputs.
import type { Tolerance } from './allclose';

const tol = (rtol: number, atol: number): Tolerance => ({ rtol, atol });

/** The spacing of float32 numbers at x > 0. */
const ulp32 = (x: number): number => 2 ** (Math.floor(Math.log2(x)) - 23);

function maxAbsFinite(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) m = Math.max(m, Math.abs(a[i]));
  return m;
}

type ReductionOptions = Readonly<Record<string, unknown>>;

/** The factor a reduction puts on every gradient: 1/count for a mean (the default), else 1. */
export function meanScale(count: number, options: ReductionOptions = {}): number {
  return options.reduction === undefined || options.reduction === 'mean' ? 1 / count : 1;
}

export const TOL = {
  /** Integers (argmax, hits, counts), copies, and data read back unchanged: nothing rounds. */
  exact: tol(0, 0),

  // ---- float32 GPU results

  /**
   * A handful of float32 operations (a row of 2 to 4 classes, the README's examples): exp and log
   * within ~3 ulp and a division within 2.5, so 1e-6 relative (~8 ulp); 1e-7 absolute near 0.
   */
  fewTerms: tol(1e-6, 1e-7),
  /**
   * A loss, softmax, log-softmax or log-sum-exp over a row of any length: each thread sums up to
   * ~V/64 terms in float32 before a tree merge, a relative error of a few 1e-6; 1e-6 absolute for
   * values near 0. Batch reductions are Kahan sums, adding nothing visible.
   */
  loss: tol(1e-5, 1e-6),
  /**
   * Entropy and KL divergence of V classes: differences of terms of size ln V (KL = CE − H near
   * P ≈ Q), so a value near 0 keeps a couple of ulp of ln V: 1.9e-6 from V = 2981 on, and never
   * less than `loss`'s floor.
   */
  divergence: (classes: number): Tolerance => tol(1e-5, Math.max(1e-6, 2 * ulp32(Math.log(classes)))),
  /**
   * A gradient softmax − target: exp(z − lse) turns lse's absolute error into a relative one and
   * p − 1 at the label cancels, keeping it absolute: 1e-4 relative, 1e-6 absolute times `scale`,
   * the factor the reduction puts on every gradient (meanScale) where a test asks for it.
   */
  grad: (scale = 1): Tolerance => tol(1e-4, 1e-6 * scale),
  /**
   * jsDivergence's gradient Q_j·((ln Q_j − ln M_j) − k): a difference of logs as large as the
   * logits' spread over T (`logSpread`), each a few float32 ulps off, so its absolute error grows
   * with that spread rather than with Q: TOL.grad's floor times the spread (at least 1).
   */
  jsdGrad: (scale: number, logSpread: number): Tolerance => tol(1e-4, 1e-6 * scale * Math.max(1, logSpread)),
  /**
   * Binary cross-entropy per element: a few float32 operations (exp ~1 ulp, log1p ~3 ulp, a
   * division 2.5 ulp) and two non-negative terms, no cancellation: 1e-5 relative. 1e-36 absolute
   * is the float32 floor: below the smallest normal (1.2e-38) a GPU may flush to 0 what the oracle
   * keeps (e^-100), and weights and 1/ln 2 (up to ~6) leave that under 1e-37.
   */
  bce: tol(1e-5, 1e-36),
  /** Binary cross-entropy summed or averaged: Kahan sums per thread, then trees, all float32. */
  bceSum: tol(1e-5, 0),
  /**
   * Its gradient w·[(1 − t)σ(x) − pw·t·σ(−x)]: with soft targets the two terms cancel where
   * σ(x) ≈ pw·t/(1 − t + pw·t), leaving float32 rounding of O(w·(1 + pw)) terms (~1e-7 each), hence
   * 1e-6 times the gradient's scale (1/count for a mean, 1/ln 2 in bits); with 0/1 targets one
   * term is 0 and only the float32 floor remains.
   */
  bceGrad: (soft: boolean, count = 1, options: ReductionOptions = {}): Tolerance =>
    tol(1e-5, soft ? (1e-6 * meanScale(count, options)) / (options.base === 2 ? Math.LN2 : 1) : 1e-36),
  /**
   * Focal losses: q^γ = exp(γ·ln q) turns a few ulp of relative error in ln q into γ·|ln q|·2^-24
   * relative, at most ~87·2^-24·few ≈ 1.5e-5 wherever q^γ is a normal float32 (γ·|ln q| < 87):
   * 2e-5 relative. Absolute: the float32 floor (1e-36) per element (binary), `loss`'s 1e-6 for a
   * row's sum of log-softmax terms (softmax).
   */
  focal: tol(2e-5, 1e-36),
  focalRow: tol(2e-5, 1e-6),
  /**
   * Their gradients: g = C·q^γ·(1 − γ·h) (softmax) and a_t·q^γ·[(σ − t) + γ·(1 − 2t)·ce·r]
   * (binary) hold terms up to (1 + γ) times the cross-entropy's, which cancel in p_j·G − g_j and,
   * for soft targets, in σ − t: `grad`'s 1e-6 absolute times (1 + γ) and the reduction's scale;
   * 0/1 binary targets add two same-signed terms, leaving the float32 floor.
   */
  focalGrad: (gamma: number, scale = 1, cancels = true): Tolerance => tol(1e-4, cancels ? 1e-6 * (1 + gamma) * scale : 1e-36),
  /**
   * linearCrossEntropy's loss: each logit is a float32 dot product over D (relative error
   * ~√D·2^-24 of Σ|h·w|, ~1e-6 for D ≤ 1024 at the tests' scales), then `loss`'s log-sum-exp.
   */
  linearLoss: tol(2e-5, 1e-6),
  /**
   * Its gradients dH, dW, db: sums of up to V or N terms p − t of both signs in float32, so an
   * element near 0 after that cancellation is judged against its array: 1e-3 relative, and
   * 1e-4 × max |expected| absolute.
   */
  linearGrad: (expected: ArrayLike<number>): Tolerance => tol(1e-3, 1e-4 * Math.max(maxAbsFinite(expected), 1e-30)),

  // ---- the CPU fallback and the interop adapters

  /** The CPU fallback: the float64 oracle rounded to float32, within half an ulp (2^-24). */
  roundedToF32: tol(2 ** -24, 2 ** -150),
  /**
   * This library against TF.js's own float32 loss and autodiff: two float32 implementations with
   * different summation orders (and TF.js's log(softmax) path).
   */
  vsTfjs: tol(1e-4, 1e-5),
  /** A TF.js model's parameter gradients against TF.js: sums of many products of the two logit gradients. */
  vsTfjsParams: tol(1e-3, 1e-5),
  /** tf.sum of the test's 6,400 logits (|sum| ~ 10^2): TF.js's float32 tree sum, a few 1e-6 of it. */
  tfjsSum: tol(1e-5, 1e-4),
  /** A float32 sum of ~256k products in TF.js: its rounding stays within 1e-4 of Σ|terms|. */
  tfjsDot: (absSum: number): Tolerance => tol(0, 1e-4 * absSum),
  /**
   * ONNX Runtime's float32 logits against a float64 forward pass: the float32 dot-product bound
   * δ = (D + H + 2)·2^-24·Σ|terms| per row, whatever the summation order.
   */
  ortLogits: (delta: number): Tolerance => tol(0, delta),
  /** ONNX Runtime's float32 softmax (a teacher of 10 classes) against float64: a few ulp. */
  ortSoftmax: tol(1e-5, 1e-7),
  /**
   * A loss of ONNX Runtime's logits against the oracle on float64 logits: a cross-entropy row
   * lse(z) − Σ t_c·z_c (Σ t_c = 1) moves by at most 2δ; `loss`'s floor and 2e-5 relative cover the
   * float32 loss and the teacher's float32 softmax. A 'sum' over `rows` rows adds their bounds.
   */
  throughOrt: (delta: number, rows = 1): Tolerance => tol(2e-5, rows * (2 * delta + 1e-6)),
  /**
   * The demo's oracle KL against CE − H(P): KL and H(P) read P as float32 while CE smooths the label
   * in float64 and clips q at 1 − 1e-7: ~1e-7 relative differences in inputs, times a few bits.
   */
  float32Inputs: tol(1e-6, 1e-6),

  // ---- the float64 oracle

  /**
   * The same float64 math by two routes (a formula and its rearrangement, nats and bits): a few
   * ulp times the condition of the sum, far below 1e-12.
   */
  tight: tol(1e-12, 1e-13),
  /** A result that must keep every digit (a few ulp of 2.2e-16) and be exactly 0 where 0 is exact. */
  everyDigit: tol(1e-15, 0),
  /** As `tight` where ln(1 − σ(x)) loses a few digits for large x. */
  tightLog1m: tol(1e-10, 1e-13),
  /**
   * An analytic gradient against central differences with step h = 1e-6·max(1, |x|): truncation
   * O(h²·f''') ≈ 1e-12 and rounding ~1e-16·|f|/h ≈ 1e-10·|f|, so 1e-6 leaves a wide margin while
   * any wrong term (O(1) relative) fails.
   */
  finiteDifference: tol(1e-6, 1e-7),
  /** Float32 probabilities of a row summed in float64: V roundings of 2^-24 relative each. */
  float32RowSum: tol(0, 1e-6),
  /** A figure quoted to `digits` decimals: within half a unit of its last digit. */
  quoted: (digits: number): Tolerance => tol(0, 0.5 * 10 ** -digits),
};
