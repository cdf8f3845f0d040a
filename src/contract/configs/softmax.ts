// softmax / logSoftmax options, resolved once per call for the GPU kernel and the oracle alike.
import type { SoftmaxOptions } from '../types';
import { finite, float32Safe, optionsObject } from '../options';
import { keysOf } from '../keys';

export interface SoftmaxConfig {
  /** T > 0: the rows are softmax(x / T). */
  readonly temperature: number;
}

export const SOFTMAX_KEYS = keysOf<SoftmaxOptions>()(['temperature']);

export function parseSoftmaxOptions(opts: SoftmaxOptions | undefined): SoftmaxConfig {
  const o = optionsObject(opts, SOFTMAX_KEYS);
  return Object.freeze({ temperature: finite(o.temperature, 'options.temperature', 1, (v) => v > 0 && float32Safe(v), 'a number > 0 that float32 holds (1.2e-38 to 3.4e38)') });
}
