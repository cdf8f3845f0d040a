// Seeded random inputs shared by the oracle tests and the GPU tests. They return bare typed arrays,
// float32 (labels int32), so the GPU kernels and the float64 oracle read exactly the same numbers.

/** A generator of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: a tiny 32-bit PRNG; the same seed gives the same sequence on every platform.
 * @example
 * const rng = mulberry32(42);
 * console.log(rng());   // 0.6011037519201636, on every platform
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A standard normal sample (Box–Muller; 1 − u keeps the log argument in (0, 1]).
 * @example
 * const z = normal(mulberry32(42));   // -1.2848
 */
export function normal(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Logits for a `[rows, cols]` matrix (row-major), each scale·N(0, 1), rounded to float32.
 * @example
 * const logits = randomLogits(mulberry32(1), 64, 10, 3);   // Float32Array(640), standard deviation 3
 */
export function randomLogits(rng: Rng, rows: number, cols: number, scale = 1): Float32Array {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = scale * normal(rng);
  return data;
}

/**
 * `n` values uniform in [lo, hi), rounded to float32 (BCE targets, probabilities, weights).
 * @example
 * const targets = randomUniform(mulberry32(1), 64 * 10);   // BCE targets in [0, 1)
 */
export function randomUniform(rng: Rng, n: number, lo = 0, hi = 1): Float32Array {
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * rng();
  return data;
}

/** Options of {@link randomLabels}. */
export interface RandomLabelOptions {
  /** Fraction of rows (on average) whose label is `ignoreIndex`. Default 0. */
  ignoreFraction?: number;
  /** The label of ignored rows. Default -100. */
  ignoreIndex?: number;
}

/**
 * `rows` integer labels uniform over [0, classes), some set to ignoreIndex if asked.
 * @example
 * const labels = randomLabels(mulberry32(7), 6, 10, { ignoreFraction: 0.5 });
 * // Int32Array [-100, 6, 4, -100, 7, -100]
 */
export function randomLabels(rng: Rng, rows: number, classes: number, opts: RandomLabelOptions = {}): Int32Array {
  const { ignoreFraction = 0, ignoreIndex = -100 } = opts;
  const data = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const ignore = ignoreFraction > 0 && rng() < ignoreFraction;
    const y = Math.min(classes - 1, Math.floor(rng() * classes));
    data[i] = ignore ? ignoreIndex : y;
  }
  return data;
}

/**
 * Probability rows of a `[rows, cols]` matrix: softmax of scale·N(0, 1), rounded to float32, so every
 * entry is positive and each row sums to 1 up to float32 rounding (about 1e-7). A larger scale gives
 * peakier rows.
 * @example
 * const probs = randomProbs(mulberry32(1), 64, 10);   // 64 rows of 10 probabilities, each row summing to 1
 */
export function randomProbs(rng: Rng, rows: number, cols: number, scale = 1): Float32Array {
  const data = new Float32Array(rows * cols);
  const e = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) {
      e[c] = Math.exp(scale * normal(rng));
      s += e[c];
    }
    for (let c = 0; c < cols; c++) data[r * cols + c] = e[c] / s;
  }
  return data;
}
