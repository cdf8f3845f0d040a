// focalLoss and binaryFocalLoss options, resolved once per call for the GPU kernels and the oracle alike.
import type { BinaryFocalLossOptions, FocalLossOptions, GradDType, LogBase, Reduction } from '../types';
import { DEFAULTS } from '../types';
import { baseDivisor, bool, finite, float32Safe, int32, oneOf, optionsObject, weightsOption } from '../options';
import { keysOf } from '../keys';

export interface BinaryFocalConfig {
  /** α in [0, 1], or −1 for none (every element weighs 1). */
  readonly alpha: number;
  readonly gamma: number;
  readonly reduction: Reduction;
  /** 1 for nats, ln 2 for bits. */
  readonly divisor: number;
  readonly grad: boolean;
  readonly gradDtype: GradDType;
}

export interface FocalConfig {
  readonly gamma: number;
  /** α_c per class (all 1 when none was given). */
  readonly alpha: Float64Array;
  /** Whether α differs between classes (an array was given): the kernel then reads it per class. */
  readonly alphaPerClass: boolean;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;
  /** 1 for nats, ln 2 for bits. */
  readonly divisor: number;
  readonly grad: boolean;
  readonly gradDtype: GradDType;
}

export const BINARY_FOCAL_KEYS = keysOf<BinaryFocalLossOptions>()(['alpha', 'gamma', 'reduction', 'base', 'grad', 'gradDtype']);
export const FOCAL_KEYS = keysOf<FocalLossOptions>()(['gamma', 'alpha', 'ignoreIndex', 'reduction', 'base', 'grad', 'gradDtype']);

/** γ: finite, >= 0, a float32 the kernel sees as itself. */
const gammaOption = (v: unknown) => finite(v, 'options.gamma', 2, (x) => x >= 0 && float32Safe(x), 'a number >= 0 that float32 holds');

/** Checks every binaryFocalLoss option and fills torchvision's defaults (α = 0.25, γ = 2). */
export function parseBinaryFocalOptions(opts: BinaryFocalLossOptions | undefined): BinaryFocalConfig {
  const o = optionsObject(opts, BINARY_FOCAL_KEYS);
  const alpha = finite(o.alpha, 'options.alpha', 0.25, (x) => x <= 1 && float32Safe(x), 'a number in [0, 1], or < 0 for none, that float32 holds');
  return Object.freeze({
    alpha: alpha < 0 ? -1 : alpha,
    gamma: gammaOption(o.gamma),
    reduction: oneOf<Reduction>(o.reduction, ['none', 'sum', 'mean'], 'options.reduction', DEFAULTS.reduction),
    divisor: baseDivisor(oneOf<LogBase>(o.base, ['e', 2], 'options.base', DEFAULTS.base)),
    grad: bool(o.grad, 'options.grad'),
    gradDtype: oneOf<GradDType>(o.gradDtype, ['float32', 'input'], 'options.gradDtype', 'float32'),
  });
}

/** Checks every focalLoss option (α per class: one number or `classes` of them) and fills the defaults. */
export function parseFocalOptions(opts: FocalLossOptions | undefined, classes: number): FocalConfig {
  const o = optionsObject(opts, FOCAL_KEYS);
  const gamma = gammaOption(o.gamma);
  const perClass = o.alpha !== undefined && typeof o.alpha !== 'number';
  const one = perClass ? 1 : finite(o.alpha, 'options.alpha', 1, (x) => x >= 0 && float32Safe(x), 'a number in [0, 3.4e38] that float32 holds (or an array of one per class)');
  return Object.freeze({
    gamma,
    alpha: perClass ? weightsOption(o.alpha, 'options.alpha', classes)! : new Float64Array(classes).fill(one),
    alphaPerClass: perClass,
    ignoreIndex: int32(o.ignoreIndex, 'options.ignoreIndex', DEFAULTS.ignoreIndex),
    reduction: oneOf<Reduction>(o.reduction, ['none', 'sum', 'mean'], 'options.reduction', DEFAULTS.reduction),
    divisor: baseDivisor(oneOf<LogBase>(o.base, ['e', 2], 'options.base', DEFAULTS.base)),
    grad: bool(o.grad, 'options.grad'),
    gradDtype: oneOf<GradDType>(o.gradDtype, ['float32', 'input'], 'options.gradDtype', 'float32'),
  });
}
