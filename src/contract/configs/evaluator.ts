// The streaming evaluator's options and results, shared by the GPU evaluator, the CPU fallback's
// and the oracle's: options resolved once, and the one place the running sums become metrics.
import { OptionError } from '../errors';
import { int32, optionsObject } from '../options';
import { DEFAULTS } from '../types';
import { keysOf } from '../keys';

/** Options of `evaluator()`. */
export interface EvaluatorOptions {
  /** k of `topKAccuracy`: a row hits when fewer than k classes rank above its label (ties hit). Default 5. */
  topK?: number;
  /** Labels equal to this are left out of every sum and count. Default -100. */
  ignoreIndex?: number;
}

/** What `read()` gives: the metrics over every kept row added since the start or the last `reset()`. */
export interface EvaluationResult {
  /** Kept rows (labels other than the ignore index). */
  tokens: number;
  /** Mean negative log-likelihood of the labels, nats. NaN with no token. */
  nll: number;
  /** exp(nll). */
  perplexity: number;
  /** nll / ln 2. */
  bitsPerToken: number;
  /** Share of kept rows whose argmax (first maximum) is the label. */
  accuracy: number;
  /** Share of kept rows whose label is in the top k (ties at the k-th count). */
  topKAccuracy: number;
  /** Mean entropy of the rows' softmax, nats. */
  meanEntropy: number;
}

/**
 * A running evaluation over batches of logits [rows, classes] and int32 labels [rows]: `add` each
 * batch, `read` the metrics. WebGPULoss's accumulates on the GPU (no readback per batch).
 */
export interface Evaluator {
  /** Adds a batch. Batches are summed in the order of the calls. */
  add(logits: unknown, labels: unknown): Promise<void>;
  /** The metrics so far (one readback on the GPU). */
  read(): Promise<EvaluationResult>;
  /** Starts over from zero. */
  reset(): Promise<void>;
  /** Frees what the evaluator holds; later calls reject with DeviceError DISPOSED. */
  dispose(): void;
  /** The same as `dispose()`, for `using`. */
  [Symbol.dispose](): void;
}

export interface EvaluatorConfig {
  readonly topK: number;
  readonly ignoreIndex: number;
}

export const EVALUATOR_KEYS = keysOf<EvaluatorOptions>()(['topK', 'ignoreIndex']);

export function parseEvaluatorOptions(opts: EvaluatorOptions | undefined): EvaluatorConfig {
  const o = optionsObject(opts, EVALUATOR_KEYS);
  const topK = int32(o.topK, 'options.topK', 5);
  if (topK < 1) throw new OptionError('options.topK', `must be an integer >= 1, got ${topK}`);
  return Object.freeze({ topK, ignoreIndex: int32(o.ignoreIndex, 'options.ignoreIndex', DEFAULTS.ignoreIndex) });
}

/** Running sums over the kept rows: Σ −ln p_y (nats), Σ H (nats), and the counts. */
export interface EvaluationSums {
  tokens: number;
  nllSum: number;
  entropySum: number;
  hits: number;
  topKHits: number;
}

export function evaluationResult(s: EvaluationSums): EvaluationResult {
  const nll = s.nllSum / s.tokens;
  return {
    tokens: s.tokens,
    nll,
    perplexity: Math.exp(nll),
    bitsPerToken: nll / Math.LN2,
    accuracy: s.hits / s.tokens,
    topKAccuracy: s.topKHits / s.tokens,
    meanEntropy: s.entropySum / s.tokens,
  };
}
