// linearJsDivergence's shapes and options, checked once per call for the GPU kernel and the oracle.
import type { LinearJSDivergenceOptions } from '../types';
import { ShapeError } from '../errors';
import { bool, finite } from '../options';
import { keysOf } from '../keys';
import { formatShape } from '../tensor';
import { parseJSDOptions, type JSDConfig } from './jsd';

export const LINEAR_JSD_KEYS = keysOf<LinearJSDivergenceOptions>()(['beta', 'temperature', 'labels', 'ignoreIndex', 'allIgnored', 'reduction', 'grad', 'bias', 'frozenHead', 'memoryBudget']);

/** Default bytes of student logits plus their gradient held at once. */
export const LINEAR_JSD_BUDGET = 64 * 2 ** 20;

export interface LinearJSDConfig extends JSDConfig {
  readonly frozenHead: boolean;
  readonly memoryBudget: number;
}

/** Sizes of a call: N rows, D features, V classes. */
export interface LinearJSDShapes {
  readonly n: number;
  readonly d: number;
  readonly v: number;
}

/** hidden [N, D], weight [V, D], teacher [N, V], bias [V] (argument names as the API's). */
export function linearJSDShapes(hidden: readonly number[], weight: readonly number[], teacher: readonly number[], bias: readonly number[] | undefined): LinearJSDShapes {
  if (hidden.length !== 2) throw new ShapeError('hidden', `expected shape [N, D], got ${formatShape(hidden)}`, 'INVALID_SHAPE');
  if (weight.length !== 2) throw new ShapeError('weight', `expected shape [V, D], got ${formatShape(weight)}`, 'INVALID_SHAPE');
  const [n, d] = hidden;
  const [v, dw] = weight;
  if (n < 1 || d < 1) throw new ShapeError('hidden', `shape ${formatShape(hidden)} must hold dimensions >= 1`, 'INVALID_SHAPE');
  if (v < 1) throw new ShapeError('weight', `shape ${formatShape(weight)} must hold dimensions >= 1`, 'INVALID_SHAPE');
  if (dw !== d) throw new ShapeError('weight', `shape ${formatShape(weight)} must have D = ${d} columns, as hidden ${formatShape(hidden)}`);
  if (teacher.length !== 2 || teacher[0] !== n || teacher[1] !== v) throw new ShapeError('teacher', `shape ${formatShape(teacher)} must be [${n}, ${v}] (hidden's rows, weight's classes)`);
  if (bias && (bias.length !== 1 || bias[0] !== v)) throw new ShapeError('options.bias', `shape ${formatShape(bias)} must be [${v}] (one per class)`);
  return Object.freeze({ n, d, v });
}

/** Takes the options snapshot (optionsObject with LINEAR_JSD_KEYS): jsDivergence's, frozenHead, memoryBudget. */
export function parseLinearJSDOptions(o: Record<string, unknown>): LinearJSDConfig {
  const jsd = parseJSDOptions(o);
  const memoryBudget = finite(o.memoryBudget, 'options.memoryBudget', LINEAR_JSD_BUDGET,
    (x) => Number.isInteger(x) && x >= 1 && x <= Number.MAX_SAFE_INTEGER, 'a whole number of bytes >= 1');
  return Object.freeze({ ...jsd, frozenHead: bool(o.frozenHead, 'options.frozenHead'), memoryBudget });
}
