// crossEntropy options, resolved once per call: every option read once, defaults applied, ranges
// checked. The GPU kernel and the oracle both compute from this config.
import type { CrossEntropyOptions, GradDType, InputKind, LogBase, Reduction } from '../types';
import { DEFAULTS } from '../types';
import { OptionError } from '../errors';
import { baseDivisor, bool, epsilonOption, finite, float32Safe, int32, oneOf, optionsObject, weightsOption } from '../options';
import { keysOf } from '../keys';

export interface CrossEntropyConfig {
  readonly from: InputKind;
  readonly reduction: Reduction;
  /** Per-class weights (all 1 when none were given). */
  readonly weight: Float64Array;
  /** Whether the caller gave class weights (the kernel then reads them per class). */
  readonly weighted: boolean;
  readonly ignoreIndex: number;
  readonly allIgnored: 'nan' | 'zero';
  readonly smoothing: number;
  /** 1 for nats, ln 2 for bits. */
  readonly divisor: number;
  readonly zLoss: number;
  /** 0 when there is no soft-cap. */
  readonly softcap: number;
  readonly epsilon: number;
  readonly normalize: boolean;
  readonly grad: boolean;
  readonly extras: boolean;
  /** extras' top-k hits for this k; 0 when not asked. */
  readonly topK: number;
  readonly gradDtype: GradDType;
}

/**
 * Checks every crossEntropy option (an OptionError names the one at fault) and fills the defaults.
 * zLoss > 0 and softcap apply to logits only and are refused with from: 'probs'.
 */
export const CROSS_ENTROPY_KEYS = keysOf<CrossEntropyOptions>()(['from', 'reduction', 'weight', 'ignoreIndex', 'allIgnored',
  'labelSmoothing', 'base', 'zLoss', 'softcap', 'epsilon', 'normalize', 'grad', 'extras', 'topK', 'gradDtype']);

/**
 * `extraKeys`: options the caller's side adds (the GPU's `inPlace`, `gradOut`); they must be in
 * the snapshot `opts` already read, and are left to that caller to parse.
 */
export function parseCrossEntropyOptions(opts: CrossEntropyOptions | undefined, classes: number, extraKeys: readonly string[] = []): CrossEntropyConfig {
  const o = optionsObject(opts, extraKeys.length ? [...CROSS_ENTROPY_KEYS, ...extraKeys] : CROSS_ENTROPY_KEYS);
  const from = oneOf<InputKind>(o.from, ['logits', 'probs'], 'options.from', 'logits');
  const zLoss = finite(o.zLoss, 'options.zLoss', 0, (v) => v >= 0 && float32Safe(v), 'a number >= 0 that float32 holds');
  const softcap = finite(o.softcap, 'options.softcap', 0, (v) => v > 0 && float32Safe(v), 'a number > 0 that float32 holds');
  if (from === 'probs' && zLoss !== 0) {
    throw new OptionError('options.zLoss', "applies to logits only; not allowed with from: 'probs'");
  }
  if (from === 'probs' && o.softcap !== undefined) {
    throw new OptionError('options.softcap', "applies to logits only; not allowed with from: 'probs'");
  }
  const weight = weightsOption(o.weight, 'options.weight', classes);
  const extras = bool(o.extras, 'options.extras');
  const topK = o.topK === undefined ? 0 : int32(o.topK, 'options.topK', 0);
  if (o.topK !== undefined && topK < 1) throw new OptionError('options.topK', `must be an integer >= 1, got ${topK}`);
  // Top-k ranks logits against the label: an extras output, for sparse labels from logits.
  if (topK > 0 && !extras) throw new OptionError('options.topK', 'is an extras output; it needs extras: true');
  if (topK > 0 && from === 'probs') throw new OptionError('options.topK', "applies to logits only; not allowed with from: 'probs'");
  return Object.freeze({
    from,
    reduction: oneOf<Reduction>(o.reduction, ['none', 'sum', 'mean'], 'options.reduction', DEFAULTS.reduction),
    weight: weight ?? new Float64Array(classes).fill(1),
    weighted: weight !== null,
    ignoreIndex: int32(o.ignoreIndex, 'options.ignoreIndex', DEFAULTS.ignoreIndex),
    allIgnored: oneOf<'nan' | 'zero'>(o.allIgnored, ['nan', 'zero'], 'options.allIgnored', 'nan'),
    smoothing: finite(o.labelSmoothing, 'options.labelSmoothing', 0, (v) => v >= 0 && v <= 1, 'a number in [0, 1]'),
    divisor: baseDivisor(oneOf<LogBase>(o.base, ['e', 2], 'options.base', DEFAULTS.base)),
    zLoss,
    softcap,
    epsilon: epsilonOption(o.epsilon, 'options.epsilon', DEFAULTS.epsilon),
    normalize: bool(o.normalize, 'options.normalize'),
    grad: bool(o.grad, 'options.grad'),
    extras,
    topK,
    gradDtype: oneOf<GradDType>(o.gradDtype, ['float32', 'input'], 'options.gradDtype', 'float32'),
  });
}
