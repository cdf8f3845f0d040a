// jsDivergence options, resolved once per call for the GPU kernel and the oracle alike. The labels
// tensor is the caller's to read (host data or a GpuTensor); here only its presence counts.
import type { GradDType, JSDivergenceOptions, Reduction } from '../types';
import { DEFAULTS } from '../types';
import { bool, finite, float32Safe, int32, oneOf } from '../options';
import { keysOf } from '../keys';
import { LabelRangeError } from '../errors';
import { show } from '../show';

/** What jsDivergence's math distinguishes: the general mix, or one of Liger's two end points. */
export type JSDMode = 'mix' | 'forward' | 'reverse';

export interface JSDConfig {
  /** β in [0, 1]. */
  readonly beta: number;
  /** 'forward' at β = 0 (KL(P‖Q)), 'reverse' at β = 1 (KL(Q‖P)), else 'mix'. */
  readonly mode: JSDMode;
  readonly temperature: number;
  readonly ignoreIndex: number;
  readonly allIgnored: 'nan' | 'zero';
  readonly reduction: Reduction;
  readonly grad: boolean;
  readonly gradDtype: GradDType;
}

export const JSD_KEYS = keysOf<JSDivergenceOptions>()(['beta', 'temperature', 'labels', 'ignoreIndex', 'allIgnored', 'reduction', 'grad', 'gradDtype']);

/**
 * Takes the options snapshot (optionsObject with JSD_KEYS) the caller made, so that the labels
 * and the rest come from one read. β must be in [0, 1] with β and 1 − β float32 numbers (the kernel's mix weights), T a
 * float32 number > 0.
 */
export function parseJSDOptions(o: Record<string, unknown>): JSDConfig {
  const beta = finite(o.beta, 'options.beta', 0.5, (v) => v >= 0 && v <= 1 && float32Safe(v) && float32Safe(1 - v),
    'a number in [0, 1] that float32 holds (and 1 − β)');
  const temperature = finite(o.temperature, 'options.temperature', 1, (v) => v > 0 && float32Safe(v) && float32Safe(1 / v),
    'a number > 0 that float32 holds (and its inverse)');
  return Object.freeze({
    beta,
    mode: beta === 0 ? 'forward' : beta === 1 ? 'reverse' : 'mix',
    temperature,
    ignoreIndex: int32(o.ignoreIndex, 'options.ignoreIndex', DEFAULTS.ignoreIndex),
    allIgnored: oneOf<'nan' | 'zero'>(o.allIgnored, ['nan', 'zero'], 'options.allIgnored', 'nan'),
    reduction: oneOf<Reduction>(o.reduction, ['none', 'sum', 'mean'], 'options.reduction', DEFAULTS.reduction),
    grad: bool(o.grad, 'options.grad'),
    gradDtype: oneOf<GradDType>(o.gradDtype, ['float32', 'input'], 'options.gradDtype', 'float32'),
  } satisfies JSDConfig);
}

/**
 * Host labels: int32 integers, each either ignoreIndex (its row skipped) or any other value (kept;
 * the class is not used, so no range against the classes applies).
 */
export function checkJSDLabels(data: ArrayLike<number>, name: string): void {
  for (let r = 0; r < data.length; r++) {
    const y = data[r];
    if (!Number.isInteger(y) || y < -(2 ** 31) || y >= 2 ** 31) {
      throw new LabelRangeError(name, `row ${r} has label ${show(y)}; labels must be int32 integers`);
    }
  }
}
