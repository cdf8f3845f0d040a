// softmax / logSoftmax options, resolved once per call for the GPU kernel and the oracle alike.
import type { SoftmaxOptions } from '../types';
import { finite, optionsObject } from '../options';

export interface SoftmaxConfig {
  /** T > 0: the rows are softmax(x / T). */
  readonly temperature: number;
}

export function parseSoftmaxOptions(opts: SoftmaxOptions | undefined): SoftmaxConfig {
  const o = optionsObject(opts);
  return Object.freeze({ temperature: finite(o.temperature, 'options.temperature', 1, (v) => v > 0, 'a finite number > 0') });
}
