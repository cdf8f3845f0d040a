// The streaming evaluator's entry points: evaluator(options), and add(logits, labels) on a fresh
// evaluator (evaluatorAdd), with bad options, shapes, labels and element types.
import { dtype, label, option, OK, shape, type Case, type Want } from './case';
import { X, Y } from './args';
import { T } from './make';

const NOT_NUMBER = ['1', null, true, T.bigint(1), [1], {}, T.symbol('n'), T.fn()];

// [name, call, args, want]
const ROWS: [string, string, unknown[], Want][] = [
  ...[0, -1, 1.5, NaN, Infinity, 2 ** 31, ...NOT_NUMBER].map((v, i): [string, string, unknown[], Want] =>
    [`evaluator options.topK bad value #${i}`, 'evaluator', [{ topK: v }], option('options.topK')]),
  ...[1.5, NaN, '-100', null, T.bigint(-100)].map((v, i): [string, string, unknown[], Want] =>
    [`evaluator options.ignoreIndex bad value #${i}`, 'evaluator', [{ ignoreIndex: v }], option('options.ignoreIndex')]),
  ['evaluator options with an unknown name', 'evaluator', [{ k: 5 }], option('options.k')],
  ['evaluator options a string', 'evaluator', ['topK'], option('options')],
  ['evaluator with no options', 'evaluator', [], OK],
  ['evaluator with k past the classes', 'evaluatorAdd', [X, Y, { topK: 1000 }], OK],
  ['evaluator add of labels of another length', 'evaluatorAdd', [X, { data: [0, 1, 2], shape: [3] }, {}], shape('labels', 'SHAPE_MISMATCH')],
  ['evaluator add of dense targets', 'evaluatorAdd', [X, X, {}], shape('labels', 'SHAPE_MISMATCH')],
  ['evaluator add of 3-D logits', 'evaluatorAdd', [{ data: [1, 2, 3, 4, 5, 6], shape: [1, 2, 3] }, { data: [0, 1], shape: [1, 2] }, {}], shape('logits')],
  ['evaluator add of a label out of range', 'evaluatorAdd', [X, { data: [0, 3], shape: [2] }, {}], label('labels')],
  ['evaluator add of a negative label', 'evaluatorAdd', [X, { data: [-1, 0], shape: [2] }, {}], label('labels')],
  ['evaluator add of a fractional label', 'evaluatorAdd', [X, { data: [0.5, 0], shape: [2] }, {}], label('labels')],
  ['evaluator add with a custom ignoreIndex', 'evaluatorAdd', [X, { data: [7, 0], shape: [2] }, { ignoreIndex: 7 }], OK],
  ['evaluator add of string logits', 'evaluatorAdd', [{ data: ['a', 2, 3, 4, 5, 6], shape: [2, 3] }, Y, {}], dtype('logits')],
  ['evaluator add of null labels', 'evaluatorAdd', [X, null, {}], shape('labels')],
];

export const EVALUATOR_CASES: Case[] = ROWS.map(([name, call, args, want]) => ({ name, call, args, want }));
