// The streaming evaluator's float64 counterpart: the batches' rows through the crossEntropy
// oracle's extras, summed in float64 in the order they come.
import type { HostTensor } from '../contract/types';
import { ShapeError } from '../contract/errors';
import { asMatrix, checkLabels, checkTensor, formatShape, readOnce, sameShape } from '../contract/tensor';
import { evaluationResult, parseEvaluatorOptions, type EvaluationResult, type EvaluationSums, type EvaluatorOptions } from '../contract/configs/evaluator';
import { crossEntropy } from './cross-entropy';
import { decoded, refuseHalf } from './half';

/** The oracle's evaluator: `add` and `read` as the GPU's, synchronous. */
export interface RefEvaluator {
  /** Adds a batch: logits [rows, classes] and int32 labels [rows]. */
  add(logits: HostTensor, labels: HostTensor): void;
  /** The metrics over the batches added so far. */
  read(): EvaluationResult;
  /** Starts over from zero. */
  reset(): void;
}

/**
 * Per kept row (label ≠ ignoreIndex), from crossEntropy's extras: −ln p_y (nats), the entropy of
 * the softmax (nats), whether argmax hits the label and whether the label is in the top k; then
 * nll = Σ −ln p_y / tokens, perplexity = e^nll, bitsPerToken = nll / ln 2, accuracy and
 * topKAccuracy = hits / tokens, meanEntropy = Σ H / tokens. A row with NaN or +Infinity makes nll
 * and meanEntropy NaN; a masked label makes nll +Infinity. No token: NaN metrics.
 * @example
 * const ev = evaluator({ topK: 2 });
 * ev.add({ data: [2, 1, 0.1, 0.5, -1, 3], shape: [2, 3] }, { data: new Int32Array([0, 2]), shape: [2] });
 * console.log(ev.read().accuracy);   // 1
 */
export function evaluator(opts?: EvaluatorOptions): RefEvaluator {
  const cfg = parseEvaluatorOptions(opts);
  let sums: EvaluationSums = { tokens: 0, nllSum: 0, entropySum: 0, hits: 0, topKHits: 0 };
  return {
    add(logits, labels) {
      // 16-bit logits are decoded to their exact values; labels are integers.
      logits = decoded(readOnce(logits), 'logits');
      labels = readOnce(labels);
      const { cols } = asMatrix(logits, 'logits');
      const want = logits.shape.slice(0, -1);
      if (!sameShape(checkTensor(labels, 'labels'), want)) throw new ShapeError('labels', `shape ${formatShape(labels.shape)} must be ${formatShape(want)} (one label per row)`);
      refuseHalf(labels, 'labels', 'integer labels (Int32Array)');
      checkLabels(labels.data, cols, cfg.ignoreIndex, 'labels');
      const r = crossEntropy(logits, labels, { extras: true, topK: cfg.topK, ignoreIndex: cfg.ignoreIndex, reduction: 'none' });
      const next = { ...sums };
      for (let i = 0; i < labels.data.length; i++) {
        if (labels.data[i] === cfg.ignoreIndex) continue;
        next.tokens++;
        next.nllSum -= r.labelLogProb![i];
        next.entropySum += r.entropy![i];
        next.hits += r.correct![i];
        next.topKHits += r.topKHit![i];
      }
      sums = next;
    },
    read: () => evaluationResult(sums),
    reset() {
      sums = { tokens: 0, nllSum: 0, entropySum: 0, hits: 0, topKHits: 0 };
    },
  };
}
