// Bad arguments throw the right typed error, naming the argument at fault, before any arithmetic.

import { describe, expect, it } from 'vitest';
import { binaryCrossEntropy, crossEntropy, entropy, klDivergence, logSoftmax, softmax } from '../../src/reference';
import { DTypeError, LabelRangeError, OptionError, ShapeError, WebGPULossError, type CrossEntropyOptions, type HostTensor } from '../../src/index';
import { tensor } from './helpers';
import { assertClose } from '../util/allclose';
import { TOL } from '../util/tolerances';

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
  { name: 'options that are null', call: () => ce(null), error: OptionError, argument: 'options', says: /got null/ },
  // values a float32 / int32 kernel cannot hold are refused, not silently changed
  ...ceOption('ignoreIndex', [2 ** 32, 2 ** 31, -(2 ** 31) - 1]),
  { name: 'epsilon 1e-300 (0 in float32)', call: () => ce({ from: 'probs', epsilon: 1e-300 }), error: OptionError, argument: 'options.epsilon', says: /1e-300/ },
  { name: 'class weight 1e39 (Infinity in float32)', call: () => ce({ weight: [1e39, 1, 1] }), error: OptionError, argument: 'options.weight', says: /1e\+39/ },
  { name: 'class weight 1e-40 (subnormal in float32)', call: () => ce({ weight: [1e-40, 1, 1] }), error: OptionError, argument: 'options.weight' },
  { name: 'BCE posWeight 1e39', call: () => binaryCrossEntropy(X, X, { posWeight: 1e39 }), error: OptionError, argument: 'options.posWeight' },
  { name: 'softmax temperature 1e-40 (subnormal in float32)', call: () => softmax(X, { temperature: 1e-40 }), error: OptionError, argument: 'options.temperature' },
  // unknown option names: a typo must not train another loss
  { name: 'a misspelt option', call: () => ce({ labelSmothing: 0.1 }), error: OptionError, argument: 'options.labelSmothing', says: /did you mean 'labelSmoothing'/ },
  { name: 'a misspelt softmax option', call: () => softmax(X, { temprature: 2 } as object), error: OptionError, argument: 'options.temprature', says: /did you mean 'temperature'/ },
  { name: 'a GPU-only option on the oracle', call: () => ce({ inPlace: true }), error: OptionError, argument: 'options.inPlace' },
  { name: 'a Symbol-keyed option', call: () => ce({ [Symbol('x')]: 1 }), error: OptionError, argument: 'options' },
  // messages quote what they reject, and never throw building themselves
  { name: 'reduction with a trailing space', call: () => ce({ reduction: 'mean ' }), error: OptionError, argument: 'options.reduction', says: /got "mean "/ },
  { name: 'a Symbol option value', call: () => ce({ reduction: Symbol('mean') }), error: OptionError, argument: 'options.reduction', says: /Symbol\(mean\)/ },
  { name: 'a Symbol in a shape', call: () => ce({}, { data: [1, 2, 3], shape: [Symbol('n') as unknown as number] }), error: ShapeError, argument: 'input', says: /Symbol\(n\)/ },
  { name: 'a NaN dimension', call: () => ce({}, { data: [1, 2, 3], shape: [NaN] }), error: ShapeError, argument: 'input', says: /NaN/ },
  { name: 'options behind a throwing proxy', call: () => ce(new Proxy({}, { ownKeys: () => { throw new Error('no'); } })), error: OptionError, argument: 'options' },
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
    ['epsilon at the ends of [1.2e-38, 0.5)', () => [ce({ from: 'probs', epsilon: 1.1754943508222875e-38 }), ce({ from: 'probs', epsilon: 0.4999 })]],
    ['ignoreIndex at the ends of int32', () => [ce({ ignoreIndex: -(2 ** 31) }), ce({ ignoreIndex: 2 ** 31 - 1 })]],
    ['class weights up to float32\'s largest', () => ce({ weight: [3.4e38, 0, 1] })],
    ['zero class weights', () => ce({ weight: [0, 1, 0] })],
    ['ignoreIndex inside [0, V)', () => ce({ ignoreIndex: 0 })],
    ['a plain-array tensor and a Float32Array one', () => [ce({}, tensor([1, 2, 3], [1, 3]), tensor([0], [1])), ce({}, tensor(new Float32Array(3), [1, 3]), tensor(new Int32Array(1), [1]))]],
    ['posWeight 0 and per-column arrays', () => binaryCrossEntropy(X, X, { posWeight: 0, weight: [1, 2, 3] })],
    ['softmax temperature 1e-3', () => softmax(X, { temperature: 1e-3 })],
  ];
  for (const [name, call] of ok) it(name, () => expect(call).not.toThrow());
});

describe('errors read well', () => {
  it('every error class names itself, whatever a minifier does to class names', () => {
    for (const [E, name] of [[ShapeError, 'ShapeError'], [OptionError, 'OptionError'], [LabelRangeError, 'LabelRangeError'], [DTypeError, 'DTypeError']] as const) {
      const e = new E('x', 'y');
      expect(e.name).toBe(name);
      expect(String(e)).toBe(`${name}: x: y`);
    }
  });
  it('options are read once: a getter cannot pass the check and then change', () => {
    let reads = 0;
    const opts = { get labelSmoothing() { reads++; return reads === 1 ? 0.1 : 5; } };
    const a = ce(opts).loss[0];
    expect(reads).toBe(1);
    assertClose([a], ce({ labelSmoothing: 0.1 }).loss, TOL.exact, 'the same options, read once'); // the same float64 computation
  });
});
