// Bad arguments throw the right typed error, naming the argument at fault, before any arithmetic.

import { describe, expect, it } from 'vitest';
import { binaryCrossEntropy, crossEntropy, entropy, klDivergence, logSoftmax, softmax } from '../../src/reference';
import { DTypeError, LabelRangeError, OptionError, ShapeError, WebGPULossError } from '../../src/contract/errors';
import type { CrossEntropyOptions, HostTensor } from '../../src/contract/types';
import { tensor } from './helpers';

type ErrorClass = typeof ShapeError | typeof OptionError | typeof LabelRangeError | typeof DTypeError;

interface Case {
  name: string;
  call: () => unknown;
  error: ErrorClass;
  argument: string;
  /** Further text the message must hold (e.g. the row and value of a bad label). */
  says?: RegExp;
}

const X = tensor([0.1, 0.2, 0.7, 0.3, 0.3, 0.4], [2, 3]); // valid as logits and as probabilities
const Y = tensor([0, 2], [2]);
const ce = (opts: unknown, input: HostTensor = X, target: HostTensor = Y) =>
  crossEntropy(input, target, opts as CrossEntropyOptions);
const ceOption = (key: string, values: unknown[], extra: Record<string, unknown> = {}): Case[] =>
  values.map((v) => ({
    name: `crossEntropy options.${key} = ${String(v)}`,
    call: () => ce({ ...extra, [key]: v }),
    error: OptionError,
    argument: `options.${key}`,
  }));

const cases: Case[] = [
  // tensors
  { name: 'input of rank 3', call: () => ce({}, tensor(new Float32Array(8), [2, 2, 2])), error: ShapeError, argument: 'input' },
  { name: 'input of rank 0', call: () => ce({}, tensor([1], [])), error: ShapeError, argument: 'input' },
  { name: 'input data shorter than its shape', call: () => ce({}, tensor([1, 2, 3], [2, 3])), error: ShapeError, argument: 'input' },
  { name: 'input with a 0 dimension', call: () => ce({}, tensor([], [0, 3]), tensor([], [0])), error: ShapeError, argument: 'input' },
  { name: 'input with a fractional dimension', call: () => ce({}, tensor([1, 2, 3], [1.5, 2])), error: ShapeError, argument: 'input' },
  { name: 'input that is not a tensor', call: () => ce({}, null as unknown as HostTensor), error: ShapeError, argument: 'input' },
  { name: 'input without a shape array', call: () => ce({}, { data: [1], shape: 1 } as unknown as HostTensor), error: ShapeError, argument: 'input' },
  { name: 'input data of BigInt64Array', call: () => ce({}, { data: new BigInt64Array(6), shape: [2, 3] } as unknown as HostTensor), error: DTypeError, argument: 'input' },
  { name: 'input data holding a string', call: () => ce({}, { data: [0, '1', 2, 3, 4, 5], shape: [2, 3] } as unknown as HostTensor), error: DTypeError, argument: 'input' },
  { name: 'input data that is not array-like', call: () => ce({}, { data: 5, shape: [1] } as unknown as HostTensor), error: DTypeError, argument: 'input' },
  { name: 'target with too many labels', call: () => ce({}, X, tensor([0, 1, 2], [3])), error: ShapeError, argument: 'target', says: /\[2\]/ },
  { name: 'dense target with the wrong class count', call: () => ce({}, X, tensor(new Float32Array(8), [2, 4])), error: ShapeError, argument: 'target' },
  { name: 'labels [1] for a 1-D input (labels of one row have shape [])', call: () => ce({}, tensor([1, 2, 3], [3]), tensor([0], [1])), error: ShapeError, argument: 'target' },
  { name: 'target data shorter than its shape', call: () => ce({}, X, tensor([0], [2])), error: ShapeError, argument: 'target' },
  // labels
  { name: 'label = classes', call: () => ce({}, X, tensor([0, 3], [2])), error: LabelRangeError, argument: 'target', says: /row 1 has label 3/ },
  { name: 'negative label other than ignoreIndex', call: () => ce({}, X, tensor([-1, 0], [2])), error: LabelRangeError, argument: 'target', says: /row 0 has label -1/ },
  { name: 'fractional label', call: () => ce({}, X, tensor([0, 1.5], [2])), error: LabelRangeError, argument: 'target', says: /1\.5/ },
  { name: 'NaN label', call: () => ce({}, X, tensor([NaN, 0], [2])), error: LabelRangeError, argument: 'target', says: /NaN/ },
  { name: 'label -100 after ignoreIndex changed', call: () => ce({ ignoreIndex: 7 }, X, tensor([-100, 0], [2])), error: LabelRangeError, argument: 'target' },
  // crossEntropy options
  ...ceOption('labelSmoothing', [-0.1, 1.5, NaN, Infinity, '0.1']),
  ...ceOption('softcap', [0, -2, Infinity, NaN]),
  ...ceOption('zLoss', [-1, NaN, Infinity]),
  ...ceOption('epsilon', [0, 0.5, 1, -1e-7, NaN]),
  ...ceOption('weight', [[1, 2], [1, 2, 3, 4], [1, -1, 1], [1, NaN, 1], [1, Infinity, 1], 'abc', 3]),
  ...ceOption('reduction', ['avg', 'batchmean', 1]),
  ...ceOption('base', [10, '2', 'E', Math.E]),
  ...ceOption('from', ['prob', 'logit']),
  ...ceOption('allIgnored', ['skip', 0]),
  ...ceOption('ignoreIndex', [1.5, NaN, '-100']),
  ...ceOption('grad', ['yes', 1]),
  ...ceOption('extras', ['true']),
  ...ceOption('normalize', [1]),
  ...ceOption('zLoss', [0.1], { from: 'probs' }),
  ...ceOption('softcap', [5], { from: 'probs' }),
  { name: 'options that are not an object', call: () => ce(5), error: OptionError, argument: 'options' },
  { name: 'options that are an array', call: () => ce([]), error: OptionError, argument: 'options' },
  // softmax
  { name: 'softmax of a rank-3 x', call: () => softmax(tensor(new Float32Array(8), [2, 2, 2])), error: ShapeError, argument: 'input' },
  { name: 'softmax temperature 0', call: () => softmax(X, { temperature: 0 }), error: OptionError, argument: 'options.temperature' },
  { name: 'softmax temperature -1', call: () => softmax(X, { temperature: -1 }), error: OptionError, argument: 'options.temperature' },
  { name: 'logSoftmax temperature Infinity', call: () => logSoftmax(X, { temperature: Infinity }), error: OptionError, argument: 'options.temperature' },
  // binaryCrossEntropy
  { name: 'BCE target of another shape', call: () => binaryCrossEntropy(X, tensor(new Float32Array(6), [3, 2])), error: ShapeError, argument: 'target' },
  { name: 'BCE target [1, n] for input [n]', call: () => binaryCrossEntropy(tensor([0, 1], [2]), tensor([0, 1], [1, 2])), error: ShapeError, argument: 'target' },
  { name: 'BCE posWeight of the wrong length', call: () => binaryCrossEntropy(X, X, { posWeight: [1, 2] }), error: OptionError, argument: 'options.posWeight' },
  { name: 'BCE negative posWeight', call: () => binaryCrossEntropy(X, X, { posWeight: -1 }), error: OptionError, argument: 'options.posWeight' },
  { name: 'BCE weight of the wrong length', call: () => binaryCrossEntropy(X, X, { weight: [1, 2, 3, 4] }), error: OptionError, argument: 'options.weight' },
  { name: 'BCE NaN weight', call: () => binaryCrossEntropy(X, X, { weight: NaN }), error: OptionError, argument: 'options.weight' },
  { name: 'BCE epsilon 0.5', call: () => binaryCrossEntropy(X, X, { epsilon: 0.5 }), error: OptionError, argument: 'options.epsilon' },
  { name: 'BCE reduction', call: () => binaryCrossEntropy(X, X, { reduction: 'all' as 'sum' }), error: OptionError, argument: 'options.reduction' },
  // entropy
  { name: 'entropy of a rank-3 input', call: () => entropy(tensor(new Float32Array(8), [2, 2, 2])), error: ShapeError, argument: 'input' },
  { name: 'entropy from', call: () => entropy(X, { from: 'log' as 'logits' }), error: OptionError, argument: 'options.from' },
  { name: 'entropy base', call: () => entropy(X, { base: 10 as 2 }), error: OptionError, argument: 'options.base' },
  { name: 'entropy epsilon', call: () => entropy(X, { epsilon: 0 }), error: OptionError, argument: 'options.epsilon' },
  // klDivergence
  { name: 'KL target of another shape', call: () => klDivergence(X, tensor([0.5, 0.5], [1, 2])), error: ShapeError, argument: 'target' },
  { name: 'KL targetFrom', call: () => klDivergence(X, X, { targetFrom: 'labels' as 'probs' }), error: OptionError, argument: 'options.targetFrom' },
  { name: 'KL reduction batchmean (it is called mean here)', call: () => klDivergence(X, X, { reduction: 'batchmean' as 'mean' }), error: OptionError, argument: 'options.reduction' },
];

describe('invalid arguments', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.error.name}(${c.argument})`, () => {
      let caught: unknown;
      try {
        c.call();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(c.error);
      const err = caught as WebGPULossError;
      expect(err).toBeInstanceOf(WebGPULossError);
      expect(err.argument).toBe(c.argument);
      expect(err.message.startsWith(`${c.argument}: `)).toBe(true);
      if (c.says) expect(err.message).toMatch(c.says);
    });
  }
});

describe('validation comes before any arithmetic', () => {
  it('a bad option throws even when the data hold NaN', () => {
    expect(() => ce({ labelSmoothing: 2 }, tensor([NaN, NaN, NaN, NaN, NaN, NaN], [2, 3]))).toThrow(OptionError);
  });
  it('a bad label in the last row throws, not a loss for the first rows', () => {
    expect(() => ce({ reduction: 'none' }, X, tensor([0, 9], [2]))).toThrow(LabelRangeError);
  });
});

describe('valid edge values are accepted', () => {
  const ok: [string, () => unknown][] = [
    ['labelSmoothing 0 and 1', () => [ce({ labelSmoothing: 0 }), ce({ labelSmoothing: 1 })]],
    ['zLoss 0 with probs (it has no effect)', () => ce({ from: 'probs', zLoss: 0 })],
    ['epsilon just inside (0, 0.5)', () => [ce({ from: 'probs', epsilon: 1e-300 }), ce({ from: 'probs', epsilon: 0.4999 })]],
    ['zero class weights', () => ce({ weight: [0, 1, 0] })],
    ['ignoreIndex inside [0, V)', () => ce({ ignoreIndex: 0 })],
    ['a plain-array tensor and a Float32Array one', () => [ce({}, tensor([1, 2, 3], [1, 3]), tensor([0], [1])), ce({}, tensor(new Float32Array(3), [1, 3]), tensor(new Int32Array(1), [1]))]],
    ['unknown option keys are ignored (the GPU API may carry more)', () => ce({ somethingElse: true })],
    ['posWeight 0 and per-column arrays', () => binaryCrossEntropy(X, X, { posWeight: 0, weight: [1, 2, 3] })],
    ['softmax temperature 1e-3', () => softmax(X, { temperature: 1e-3 })],
  ];
  for (const [name, call] of ok) it(name, () => expect(call).not.toThrow());
});
