// entropy and klDivergence options, resolved once per call for the GPU kernel and the oracle alike.
import type { EntropyOptions, GradDType, InputKind, KLDivergenceOptions, LogBase, Reduction } from '../types';
import { DEFAULTS } from '../types';
import { baseDivisor, bool, epsilonOption, oneOf, optionsObject } from '../options';
import { keysOf } from '../keys';

/** What entropy and klDivergence share. */
export interface RowLossConfig {
  readonly reduction: Reduction;
  readonly divisor: number;
  readonly epsilon: number;
  readonly grad: boolean;
  readonly gradDtype: GradDType;
}

export interface EntropyConfig extends RowLossConfig {
  readonly from: InputKind;
}

export interface KLDivergenceConfig extends RowLossConfig {
  readonly from: InputKind;
  readonly targetFrom: InputKind;
}

function parseCommon(o: Record<string, unknown>): RowLossConfig {
  return {
    reduction: oneOf<Reduction>(o.reduction, ['none', 'sum', 'mean'], 'options.reduction', DEFAULTS.reduction),
    divisor: baseDivisor(oneOf<LogBase>(o.base, ['e', 2], 'options.base', DEFAULTS.base)),
    epsilon: epsilonOption(o.epsilon, 'options.epsilon', DEFAULTS.epsilon),
    grad: bool(o.grad, 'options.grad'),
    gradDtype: oneOf<GradDType>(o.gradDtype, ['float32', 'input'], 'options.gradDtype', 'float32'),
  };
}

/** entropy's options; `from` defaults to probabilities. */
export const ENTROPY_KEYS = keysOf<EntropyOptions>()(['from', 'reduction', 'base', 'epsilon', 'grad', 'gradDtype']);
export const KL_DIVERGENCE_KEYS = keysOf<KLDivergenceOptions>()(['from', 'targetFrom', 'reduction', 'base', 'epsilon', 'grad', 'gradDtype']);

export function parseEntropyOptions(opts: EntropyOptions | undefined): EntropyConfig {
  const o = optionsObject(opts, ENTROPY_KEYS);
  const from = oneOf<InputKind>(o.from, ['logits', 'probs'], 'options.from', 'probs');
  return Object.freeze({ from, ...parseCommon(o) });
}

/** klDivergence's options: the input Q defaults to logits, the target P to probabilities. */
export function parseKLDivergenceOptions(opts: KLDivergenceOptions | undefined): KLDivergenceConfig {
  const o = optionsObject(opts, KL_DIVERGENCE_KEYS);
  const from = oneOf<InputKind>(o.from, ['logits', 'probs'], 'options.from', 'logits');
  const targetFrom = oneOf<InputKind>(o.targetFrom, ['logits', 'probs'], 'options.targetFrom', 'probs');
  return Object.freeze({ from, targetFrom, ...parseCommon(o) });
}
