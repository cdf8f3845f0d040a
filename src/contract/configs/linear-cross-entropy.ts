// linearCrossEntropy's shapes and options, checked once per call for the GPU kernel and the oracle.
import { OptionError, ShapeError } from '../errors';
import { bool, finite, float32Safe, oneOf } from '../options';
import { formatShape } from '../tensor';
import { CROSS_ENTROPY_KEYS, parseCrossEntropyOptions, type CrossEntropyConfig } from './cross-entropy';

/**
 * linearCrossEntropy's option names: crossEntropy's (those for probabilities are refused by value,
 * with a reason), the bias and the fine-tuning ones.
 */
// Its gradients are float32 only: no gradDtype.
export const LINEAR_KEYS = [...CROSS_ENTROPY_KEYS.filter((k) => k !== 'gradDtype'), 'bias', 'frozenHead', 'shift', 'sequenceLength', 'memoryBudget', 'gradFilter'];
const FINE_TUNE_KEYS = ['frozenHead', 'shift', 'sequenceLength', 'memoryBudget', 'gradFilter'];

/** Rows and classes of a gradient-filter tile (the backward's 32×32 tiles). */
export const GRAD_FILTER_TILE = 32;
/**
 * gradFilter 'auto': Cut Cross-Entropy's rule (its filter_eps 'auto' is the compute dtype's
 * machine epsilon / 32), for float32: 2^-23 / 32.
 */
export const GRAD_FILTER_AUTO = 2 ** -28;

/** crossEntropy's config plus the fine-tuning options, resolved. */
export interface LinearConfig extends CrossEntropyConfig {
  /** No gradWeight / gradBias. */
  readonly frozenHead: boolean;
  /** 0, or 1: row t takes label t + 1 of its sequence, each sequence's last row ignored. */
  readonly shift: 0 | 1;
  /** Rows per sequence with shift (0 when the rows are not known: warmup). */
  readonly sequenceLength: number;
  /** Scratch bytes allowed, or undefined for the default chunking. */
  readonly memoryBudget: number | undefined;
  /**
   * Gradient filter ε, 0 when off: a 32-row × 32-class tile of the logit gradient g whose entries
   * all have |g| ≤ ε·k (k: the reduction's row scale, 1/Σw[y] for 'mean' (×1/ln 2 in bits), else
   * 1 or 1/ln 2) adds nothing to gradHidden and gradWeight (gradBias keeps every tile).
   */
  readonly gradFilter: number;
}

/** Sizes of a linear cross-entropy call: N rows, D features, V classes. */
export interface LinearShapes {
  readonly n: number;
  readonly d: number;
  readonly v: number;
}

/** Checks the shapes of hidden [N, D], weight [V, D], labels [N] and bias [V] (argument names as the API's). */
export function linearShapes(hidden: readonly number[], weight: readonly number[], labels: readonly number[], bias: readonly number[] | undefined): LinearShapes {
  if (hidden.length !== 2) throw new ShapeError('hidden', `expected shape [N, D], got ${formatShape(hidden)}`, 'INVALID_SHAPE');
  if (weight.length !== 2) throw new ShapeError('weight', `expected shape [V, D], got ${formatShape(weight)}`, 'INVALID_SHAPE');
  const [n, d] = hidden;
  const [v, dw] = weight;
  if (dw !== d) throw new ShapeError('weight', `shape ${formatShape(weight)} must have D = ${d} columns, as hidden ${formatShape(hidden)}`);
  if (labels.length !== 1 || labels[0] !== n) throw new ShapeError('labels', `shape ${formatShape(labels)} must be [${n}] (one label per hidden row)`);
  if (bias && (bias.length !== 1 || bias[0] !== v)) throw new ShapeError('options.bias', `shape ${formatShape(bias)} must be [${v}] (one per class)`);
  return Object.freeze({ n, d, v });
}

/**
 * crossEntropy's options for this operation: `from: 'probs'` (and the probability-only options)
 * make no sense without explicit logits and are refused. Takes the options snapshot
 * (optionsObject) the caller already made, so the bias and the rest are read from one copy.
 * `rows`: N, to check `sequenceLength` against (absent for warmup option sets).
 */
export function parseLinearOptions(o: Record<string, unknown>, classes: number, extraKeys: readonly string[] = [], rows?: number): LinearConfig {
  if (o.from !== undefined && o.from !== 'logits') throw new OptionError('options.from', "linearCrossEntropy computes logits; only 'logits' is allowed");
  if (o.topK !== undefined) throw new OptionError('options.topK', 'is not available for linearCrossEntropy (an extras output)');
  if (o.normalize !== undefined && o.normalize !== false) throw new OptionError('options.normalize', "applies to from: 'probs' only");
  // The clip of probabilities: linearCrossEntropy has logits only, so a value here would do nothing.
  if (o.epsilon !== undefined) throw new OptionError('options.epsilon', "applies to from: 'probs' only (linearCrossEntropy computes logits)");
  const ce = parseCrossEntropyOptions(o, classes, ['bias', ...FINE_TUNE_KEYS, ...extraKeys]);
  const shift = oneOf<0 | 1>(o.shift, [0, 1], 'options.shift', 0);
  if (o.sequenceLength !== undefined && shift === 0) throw new OptionError('options.sequenceLength', 'applies with shift: 1 only');
  // An int32 the kernel divides row indices by.
  let sequenceLength = finite(o.sequenceLength, 'options.sequenceLength', 0, (x) => Number.isInteger(x) && x >= 1 && x < 2 ** 31, 'an integer >= 1 (rows per sequence)');
  if (shift === 1 && rows !== undefined) {
    if (sequenceLength === 0) sequenceLength = rows;
    if (rows % sequenceLength !== 0) throw new OptionError('options.sequenceLength', `must divide the ${rows} rows of hidden (B sequences of S rows), got ${sequenceLength}`);
  }
  const memoryBudget = o.memoryBudget === undefined ? undefined
    : finite(o.memoryBudget, 'options.memoryBudget', 0, (x) => Number.isInteger(x) && x >= 1 && x <= Number.MAX_SAFE_INTEGER, 'a whole number of bytes >= 1');
  // false (default) | 'auto' | ε in (0, 1), compared in float32 on the GPU.
  const gradFilter = o.gradFilter === undefined || o.gradFilter === false ? 0 : o.gradFilter === 'auto' ? GRAD_FILTER_AUTO
    : finite(o.gradFilter, 'options.gradFilter', 0, (x) => x > 0 && x < 1 && float32Safe(x), "false, 'auto' or a threshold in (0, 1) representable in float32");
  if (gradFilter > 0 && !ce.grad) throw new OptionError('options.gradFilter', 'filters the backward; it applies with grad: true only');
  return Object.freeze({ ...ce, frozenHead: bool(o.frozenHead, 'options.frozenHead'), shift, sequenceLength, memoryBudget, gradFilter });
}

/** Labels as scored: with shift, row r takes label r + 1 of its sequence and a sequence's last row the ignore index. */
export function scoredLabel(labels: ArrayLike<number>, r: number, cfg: LinearConfig): number {
  if (cfg.shift === 0) return labels[r];
  return (r + 1) % cfg.sequenceLength === 0 ? cfg.ignoreIndex : labels[r + 1];
}
