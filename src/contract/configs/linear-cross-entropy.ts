// linearCrossEntropy's shapes and options, checked once per call for the GPU kernel and the oracle.
import { OptionError, ShapeError } from '../errors';
import { optionsObject } from '../options';
import { formatShape } from '../tensor';
import { CROSS_ENTROPY_KEYS, parseCrossEntropyOptions, type CrossEntropyConfig } from './cross-entropy';

/**
 * linearCrossEntropy's option names: crossEntropy's (those for probabilities and `extras` are
 * refused by value, with a reason) and the bias.
 */
// Its tensors are float32 only: no gradDtype.
export const LINEAR_KEYS = [...CROSS_ENTROPY_KEYS.filter((k) => k !== 'gradDtype'), 'bias'];

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
 * and `extras` make no sense without explicit logits and are refused. Takes the options snapshot
 * (optionsObject) the caller already made, so the bias and the rest are read from one copy.
 */
export function parseLinearOptions(o: Record<string, unknown>, classes: number, extraKeys: readonly string[] = []): CrossEntropyConfig {
  if (o.from !== undefined && o.from !== 'logits') throw new OptionError('options.from', "linearCrossEntropy computes logits; only 'logits' is allowed");
  if (o.extras !== undefined && o.extras !== false) throw new OptionError('options.extras', 'is not available for linearCrossEntropy');
  if (o.normalize !== undefined && o.normalize !== false) throw new OptionError('options.normalize', "applies to from: 'probs' only");
  return parseCrossEntropyOptions(o, classes, ['bias', ...extraKeys]);
}

