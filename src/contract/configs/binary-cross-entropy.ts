// binaryCrossEntropy options, resolved once per call for the GPU kernel and the oracle alike.
import type { BinaryCrossEntropyOptions, GradDType, InputKind, LogBase, Reduction } from '../types';
import { DEFAULTS } from '../types';
import { baseDivisor, bool, epsilonOption, oneOf, optionsObject, perColumnOption } from '../options';
import { keysOf } from '../keys';

export interface BinaryCrossEntropyConfig {
  readonly from: InputKind;
  readonly reduction: Reduction;
  /** Positive-term weight per column (one number given: every column holds it). */
  readonly posWeight: Float64Array;
  /** Whether posWeight was given per column (an array) rather than as one number. */
  readonly posWeightPerColumn: boolean;
  readonly weight: Float64Array;
  readonly weightPerColumn: boolean;
  readonly epsilon: number;
  readonly divisor: number;
  readonly grad: boolean;
  readonly gradDtype: GradDType;
}

const isArrayOption = (v: unknown) => v !== undefined && typeof v !== 'number';

/** Checks every binaryCrossEntropy option and fills the defaults. */
export const BINARY_CROSS_ENTROPY_KEYS = keysOf<BinaryCrossEntropyOptions>()(['from', 'reduction', 'posWeight', 'weight', 'epsilon', 'base', 'grad', 'gradDtype']);

export function parseBinaryCrossEntropyOptions(opts: BinaryCrossEntropyOptions | undefined, cols: number): BinaryCrossEntropyConfig {
  const o = optionsObject(opts, BINARY_CROSS_ENTROPY_KEYS);
  return Object.freeze({
    from: oneOf<InputKind>(o.from, ['logits', 'probs'], 'options.from', 'logits'),
    reduction: oneOf<Reduction>(o.reduction, ['none', 'sum', 'mean'], 'options.reduction', DEFAULTS.reduction),
    posWeight: perColumnOption(o.posWeight, 'options.posWeight', cols, 1),
    posWeightPerColumn: isArrayOption(o.posWeight),
    weight: perColumnOption(o.weight, 'options.weight', cols, 1),
    weightPerColumn: isArrayOption(o.weight),
    epsilon: epsilonOption(o.epsilon, 'options.epsilon', DEFAULTS.epsilon),
    divisor: baseDivisor(oneOf<LogBase>(o.base, ['e', 2], 'options.base', DEFAULTS.base)),
    grad: bool(o.grad, 'options.grad'),
    gradDtype: oneOf<GradDType>(o.gradDtype, ['float32', 'input'], 'options.gradDtype', 'float32'),
  });
}
