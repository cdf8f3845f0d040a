// Every table of the battery, by title, for the runners that take them all.
import type { Case } from './case';
import { TENSOR_CASES } from './tensors';
import { SHAPE_CASES } from './shapes';
import { OPTION_CASES } from './options';
import { LIMIT_CASES } from './limits';
import { HOSTILE_CASES } from './hostile';
import { HELPER_CASES } from './helpers';
import { GPU_OBJECT_CASES } from './gpu-objects';
import { EVALUATOR_CASES } from './evaluator';
import { HALF_CASES } from './half';

export const TABLES: [string, Case[]][] = [
  ['bad tensors, in every tensor argument', TENSOR_CASES],
  ['wrong shapes and ranks', SHAPE_CASES],
  ['bad options', OPTION_CASES],
  ['values float32 or int32 cannot hold', LIMIT_CASES],
  ['hostile objects', HOSTILE_CASES],
  ['tensor, empty, checkLabels, warmup, create, createLoss', HELPER_CASES],
  ['misused GPU objects', GPU_OBJECT_CASES],
  ['the streaming evaluator', EVALUATOR_CASES],
  ['16-bit float data', HALF_CASES],
];
