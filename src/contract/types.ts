// Option and tensor types shared by the GPU API and the float64 reference, so that the same call
// (same operation name, same arguments, same options) runs on either.

/** How per-row (or per-element) losses are combined over the batch. */
export type Reduction = 'none' | 'sum' | 'mean';

/** Logarithm base: `'e'` gives nats, `2` gives bits (nats / ln 2, gradients included). */
export type LogBase = 'e' | 2;

/** What the input holds: raw scores (logits) or probabilities. */
export type InputKind = 'logits' | 'probs';

/**
 * Element types a tensor may carry. Labels are `int32`; outputs are `float32`. Inputs, dense
 * targets and probabilities may also be `float16` or `bfloat16` (16-bit patterns, two per word on
 * the GPU), read exactly and computed in float32.
 */
export type DType = 'float32' | 'int32' | 'float16' | 'bfloat16';

/** The 16-bit float types an input may carry: IEEE binary16, or bfloat16 (float32's top half). */
export type HalfDType = 'float16' | 'bfloat16';

/** A gradient's element type: float32, or the input's own dtype. */
export type GradDType = 'float32' | 'input';

/**
 * A tensor on the host: row-major data and its shape. Rows are the batch and the last axis is the
 * classes, so a matrix is `[rows, classes]` and labels are `[rows]`.
 */
export interface HostTensor {
  /**
   * The values, row-major: a `Float32Array` (or any array of numbers) for inputs and targets, an
   * `Int32Array` (or an array of integers) for labels.
   */
  readonly data: ArrayLike<number>;
  /** The dimensions, each an integer >= 1, whose product is `data.length`. */
  readonly shape: readonly number[];
  /**
   * `'float16'` or `'bfloat16'`: `data` holds 16-bit patterns (a `Uint16Array`, or for float16 a
   * `Float16Array` where the runtime has one). Default: float32 values (int32 for labels).
   */
  readonly dtype?: DType;
}

/** Options of `softmax` and `logSoftmax`. */
export interface SoftmaxOptions {
  /** Divide the logits by this before the softmax (distillation). Default 1. Must be > 0. */
  temperature?: number;
}

/**
 * Options of `crossEntropy`, shared by the GPU API and the float64 reference. PyTorch's defaults:
 * logits in, the mean over the kept rows out.
 */
export interface CrossEntropyOptions {
  /** Whether `input` holds logits (default) or probabilities. */
  from?: InputKind;
  /** Default `'mean'`. */
  reduction?: Reduction;
  /** Per-class weights, length `classes`. */
  weight?: ArrayLike<number>;
  /** Sparse labels equal to this are ignored: zero loss, zero gradient, left out of the mean. Default -100. */
  ignoreIndex?: number;
  /** `mean` over a batch whose rows are all ignored: `'nan'` (PyTorch, default) or `'zero'` (Keras). */
  allIgnored?: 'nan' | 'zero';
  /** Label smoothing ε in [0, 1]: PyTorch's rule, ε/C spread over all classes. */
  labelSmoothing?: number;
  /** Default `'e'`. */
  base?: LogBase;
  /** z-loss coefficient: adds `zLoss · lse²` to each kept row (logits only). Default 0. */
  zLoss?: number;
  /** Soft-cap c > 0: logits become `c · tanh(x / c)` before the softmax (logits only). */
  softcap?: number;
  /** Probability clip ε for `from: 'probs'`: p is clipped to [ε, 1 − ε]. Default 1e-7 (Keras). */
  epsilon?: number;
  /** For `from: 'probs'`: divide each row by its sum before clipping (Keras categorical). Default false. */
  normalize?: boolean;
  /** Also return the gradient of the reduced loss with respect to the input. */
  grad?: boolean;
  /**
   * Also return per-row log-sum-exp, argmax and (sparse labels) whether argmax hits the label;
   * from logits also the entropy of the softmax and (sparse labels) the label's log-probability.
   */
  extras?: boolean;
  /** With `extras`, sparse labels from logits: also per-row top-k hits (`topKHit`) for this k >= 1. */
  topK?: number;
  /**
   * The gradient's element type: `'float32'` (default), or `'input'`: the input's dtype, so a
   * float16 / bfloat16 input gets a gradient of its own type (rounded to nearest even from the
   * float32 result; a float32 input's stays float32). The oracle's gradient is float64 either way.
   */
  gradDtype?: GradDType;
}

/**
 * linearCrossEntropy's options without the bias (each side takes it in its own tensor type):
 * crossEntropy's for sparse labels from logits, and those for fine-tuning.
 */
export type LinearOptions = Omit<CrossEntropyOptions, 'from' | 'epsilon' | 'normalize' | 'extras' | 'topK' | 'gradDtype'> & LinearFineTuneOptions;

/** linearCrossEntropy's options for training with a fixed head, per-token outputs and causal shift. */
export interface LinearFineTuneOptions {
  /**
   * The classifier (and bias) is frozen: with `grad`, only `gradHidden` is computed; no
   * `gradWeight` / `gradBias` is allocated or computed. Default false.
   */
  frozenHead?: boolean;
  /**
   * Also return per row `labelLogProb` (ln p of the label in nats, as crossEntropy's; 0 on ignored rows),
   * `lse` (nats), `argmax` and `correct` (1 where argmax = label, 0 on ignored rows), and `entropy`
   * of the row's softmax (in the call's base). Default false.
   */
  extras?: boolean;
  /**
   * 1: row t of each sequence is scored against label t + 1 of the same sequence, and each
   * sequence's last row is ignored (causal language modelling; no shifted copy is made). Default 0.
   */
  shift?: 0 | 1;
  /** With `shift: 1`: rows per sequence S (hidden is [B·S, D], labels [B·S]). Default N (one sequence). */
  sequenceLength?: number;
  /**
   * Bytes the call's scratch (`scratchBytes`) may take: the forward's vocabulary splits and the
   * backward's vocabulary chunk are sized to fit it. Default: chunks of V/32 classes (at least 512),
   * within one storage binding.
   */
  memoryBudget?: number;
  /**
   * Gradient filtering (Cut Cross-Entropy's): with `grad`, a 32-row × 32-class tile of the logit
   * gradient whose entries are all at most ε times the reduction's row scale (for plain 'mean'
   * cross-entropy: |p − onehot| ≤ ε) is left out of `gradHidden` and `gradWeight`, skipping its
   * matrix work. An approximation: each skipped tile changes an element by at most
   * 32·ε·scale·max|W| (gradHidden) or 32·ε·scale·max|h| (gradWeight). `'auto'`: ε = 2^-28 (float32
   * epsilon / 32, Cut Cross-Entropy's rule); a number: ε in (0, 1). Default false (exact).
   */
  gradFilter?: false | 'auto' | number;
}

/** Options of `binaryCrossEntropy`, shared by the GPU API and the float64 reference. */
export interface BinaryCrossEntropyOptions {
  /** Whether `input` holds logits (default; the stable softplus form) or probabilities. */
  from?: InputKind;
  /** Default `'mean'` (over every element). */
  reduction?: Reduction;
  /** Weight of the positive term, per column (length `cols`) or one number for all. */
  posWeight?: number | ArrayLike<number>;
  /** Per-column weight of each element's loss (length `cols`) or one number. */
  weight?: number | ArrayLike<number>;
  /** Probability clip for `from: 'probs'`: x is clipped to [ε, 1 − ε]. Default 1e-7. */
  epsilon?: number;
  /** Default `'e'` (nats); 2 gives bits. */
  base?: LogBase;
  /** Also return the gradient of the reduced loss with respect to the input. */
  grad?: boolean;
  /**
   * The gradient's element type: `'float32'` (default), or `'input'`: the input's dtype, so a
   * float16 / bfloat16 input gets a gradient of its own type (rounded to nearest even from the
   * float32 result; a float32 input's stays float32). The oracle's gradient is float64 either way.
   */
  gradDtype?: GradDType;
}

/**
 * Options of `binaryFocalLoss` (torchvision's `sigmoid_focal_loss`, from logits), shared by the GPU
 * API and the float64 reference. Targets are probabilities in [0, 1] (0/1 or soft).
 */
export interface BinaryFocalLossOptions {
  /** Weight of the positive class: α·t + (1 − α)·(1 − t) per element; α < 0 means none. Default 0.25 (torchvision). At most 1. */
  alpha?: number;
  /** Focusing exponent γ ≥ 0 of (1 − p_t); 0 gives (alpha-weighted) BCE. Default 2 (torchvision). */
  gamma?: number;
  /** Default `'mean'` (over every element; torchvision's default is `'none'`). */
  reduction?: Reduction;
  /** Default `'e'` (nats); 2 gives bits. */
  base?: LogBase;
  /** Also return the gradient of the reduced loss with respect to the input logits. */
  grad?: boolean;
  /**
   * The gradient's element type: `'float32'` (default), or `'input'`: the input's dtype, so a
   * float16 / bfloat16 input gets a gradient of its own type (rounded to nearest even from the
   * float32 result; a float32 input's stays float32). The oracle's gradient is float64 either way.
   */
  gradDtype?: GradDType;
}

/**
 * Options of `focalLoss` (softmax focal loss from logits), shared by the GPU API and the float64
 * reference: −Σ_c α_c·t_c·(1 − p_c)^γ·ln p_c per row.
 */
export interface FocalLossOptions {
  /** Focusing exponent γ ≥ 0; 0 gives crossEntropy. Default 2. */
  gamma?: number;
  /**
   * Per-class weight α_c (crossEntropy's `weight`): one number for every class or an array of
   * length `classes`, each >= 0. Default: none (1). Sparse 'mean' divides by Σ α_label over kept
   * rows, so one number cancels there and scales only 'sum' and 'none'.
   */
  alpha?: number | ArrayLike<number>;
  /** Sparse labels equal to this are ignored: zero loss, zero gradient, left out of the mean. Default -100. */
  ignoreIndex?: number;
  /** Default `'mean'`: Σ loss / Σ α_label over kept rows (labels), Σ loss / rows (dense targets). */
  reduction?: Reduction;
  /** Default `'e'` (nats); 2 gives bits. */
  base?: LogBase;
  /** Also return the gradient of the reduced loss with respect to the input logits. */
  grad?: boolean;
  /**
   * The gradient's element type: `'float32'` (default), or `'input'`: the input's dtype, so a
   * float16 / bfloat16 input gets a gradient of its own type (rounded to nearest even from the
   * float32 result; a float32 input's stays float32). The oracle's gradient is float64 either way.
   */
  gradDtype?: GradDType;
}

/** Options of `entropy`, shared by the GPU API and the float64 reference. */
export interface EntropyOptions {
  /** Whether `input` holds probabilities (default) or logits (taken through a softmax). */
  from?: InputKind;
  /** Default `'mean'` (over rows). */
  reduction?: Reduction;
  /** Default `'e'` (nats); 2 gives bits. */
  base?: LogBase;
  /**
   * From probabilities: the gradient −(ln p + 1) uses ln max(p, ε). The entropy itself is exact
   * (0·ln 0 = 0, no clip). Default 1e-7.
   */
  epsilon?: number;
  /** Also return the gradient of the reduced entropy with respect to the input. */
  grad?: boolean;
  /**
   * The gradient's element type: `'float32'` (default), or `'input'`: the input's dtype, so a
   * float16 / bfloat16 input gets a gradient of its own type (rounded to nearest even from the
   * float32 result; a float32 input's stays float32). The oracle's gradient is float64 either way.
   */
  gradDtype?: GradDType;
}

/** Options of `klDivergence`, shared by the GPU API and the float64 reference. */
export interface KLDivergenceOptions {
  /** Kind of the input Q (the prediction). Default `'logits'`. */
  from?: InputKind;
  /** Kind of the target P. Default `'probs'`. */
  targetFrom?: InputKind;
  /** Default `'mean'`: the mean over rows (PyTorch's `batchmean`, the true KL per sample). */
  reduction?: Reduction;
  /** Default `'e'` (nats); 2 gives bits. */
  base?: LogBase;
  /** Probability inputs Q: ln Q is taken as ln max(Q, ε), gradient −P / max(Q, ε). Default 1e-7. */
  epsilon?: number;
  /** Also return the gradient with respect to the input Q (not the target). */
  grad?: boolean;
  /**
   * The gradient's element type: `'float32'` (default), or `'input'`: the input's dtype, so a
   * float16 / bfloat16 input gets a gradient of its own type (rounded to nearest even from the
   * float32 result; a float32 input's stays float32). The oracle's gradient is float64 either way.
   */
  gradDtype?: GradDType;
}

/**
 * Options of `jsDivergence`, the generalized Jensen–Shannon divergence between a student and a
 * teacher (both logits), shared by the GPU API and the float64 reference. `L` is the labels'
 * tensor type (host data for the reference; host data or a GpuTensor on the GPU).
 */
export interface JSDivergenceOptions<L = HostTensor> {
  /** β in [0, 1]: M = β·P + (1 − β)·Q. 0 is forward KL(P‖Q), 1 reverse KL(Q‖P) (Liger-Kernel's LigerJSD). Default 0.5. */
  beta?: number;
  /** Both sides' logits are divided by T > 0 before their softmax. Default 1. The loss is not multiplied by T². */
  temperature?: number;
  /** int32 [rows]: rows whose label equals `ignoreIndex` are skipped (loss 0, gradient 0, out of the mean). */
  labels?: L;
  /** Default -100. */
  ignoreIndex?: number;
  /** `'mean'` with every row ignored: `'nan'` (default, as crossEntropy) or `'zero'`. */
  allIgnored?: 'nan' | 'zero';
  /** Default `'mean'`: over the kept rows (every row without labels). */
  reduction?: Reduction;
  /** Also return the gradient with respect to the student logits (not the teacher). */
  grad?: boolean;
  /**
   * The gradient's element type: `'float32'` (default), or `'input'`: the student's dtype, so a
   * float16 / bfloat16 student gets a gradient of its own type (rounded to nearest even from the
   * float32 result; a float32 student's stays float32). The oracle's gradient is float64 either way.
   */
  gradDtype?: GradDType;
}

/**
 * linearJsDivergence's teacher given as its last hidden states and its own head instead of its
 * logits: the teacher's logits hidden·weightᵀ (+ bias) are formed a row chunk at a time, as the
 * student's, so neither model's [N, V] logits need to exist. The teacher gets no gradient.
 */
export interface TeacherHead<T = HostTensor> {
  /** The teacher's hidden states, [N, Dt] (its width Dt may differ from the student's). */
  hidden: T;
  /** The teacher's head, [V, Dt]. */
  weight: T;
  /** The teacher's head bias, [V]. */
  bias?: T;
}

/** linearJsDivergence: jsDivergence's options (gradients float32 only) with the student's logits z = hidden·weightᵀ (+ bias). */
export interface LinearJSDivergenceOptions<L = HostTensor> extends Omit<JSDivergenceOptions<L>, 'gradDtype'> {
  /** Student head bias, shape [V]. */
  bias?: L;
  /** No gradWeight / gradBias (only gradHidden). */
  frozenHead?: boolean;
  /** Bytes of student logits (and their gradient, and a teacher head's logits) held at once: the rows are taken in chunks that fit (8·V bytes a row with `grad`, 4·V without, 4·V more with a teacher head). Default 64 MiB. */
  memoryBudget?: number;
}

/** Defaults every implementation uses. */
export const DEFAULTS = {
  ignoreIndex: -100,
  epsilon: 1e-7,
  reduction: 'mean' as Reduction,
  base: 'e' as LogBase,
} as const;
