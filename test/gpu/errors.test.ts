// Bad input on the GPU API: a typed error naming the argument, before anything runs, and the
// caller's data unchanged. Device loss and disposal.
import { describe, it, expect, beforeEach } from 'vitest';
import { useGpuPage } from './harness';
import type { ErrorInfo } from '../util/errors';

const gpu = useGpuPage();

const x23 = { data: [1, 2, 3, 4, 5, 6], shape: [2, 3] };
const labels = { data: [0, 2], shape: [2] };
const NAN = NaN;
const INF = Infinity;

// [name, op, args, expected class, code, argument]
const CASES: [string, string, unknown[], string, string, string][] = [
  ['labels of the wrong length', 'crossEntropy', [x23, { data: [0, 1, 2], shape: [3] }, {}], 'ShapeError', 'SHAPE_MISMATCH', 'target'],
  ['dense target of another shape', 'crossEntropy', [x23, { data: [1, 0, 0, 1, 0, 0], shape: [3, 2] }, {}], 'ShapeError', 'SHAPE_MISMATCH', 'target'],
  ['label out of range', 'crossEntropy', [x23, { data: [0, 3], shape: [2] }, {}], 'LabelRangeError', 'LABEL_OUT_OF_RANGE', 'target'],
  ['negative label', 'crossEntropy', [x23, { data: [-1, 0], shape: [2] }, {}], 'LabelRangeError', 'LABEL_OUT_OF_RANGE', 'target'],
  ['fractional label', 'crossEntropy', [x23, { data: [0.5, 0], shape: [2] }, {}], 'LabelRangeError', 'LABEL_OUT_OF_RANGE', 'target'],
  ['labelSmoothing above 1', 'crossEntropy', [x23, labels, { labelSmoothing: 1.5 }], 'OptionError', 'INVALID_OPTION', 'options.labelSmoothing'],
  ['NaN labelSmoothing', 'crossEntropy', [x23, labels, { labelSmoothing: NAN }], 'OptionError', 'INVALID_OPTION', 'options.labelSmoothing'],
  ['unknown reduction', 'crossEntropy', [x23, labels, { reduction: 'avg' }], 'OptionError', 'INVALID_OPTION', 'options.reduction'],
  ['base 10', 'crossEntropy', [x23, labels, { base: 10 }], 'OptionError', 'INVALID_OPTION', 'options.base'],
  ['weight of the wrong length', 'crossEntropy', [x23, labels, { weight: [1, 2] }], 'OptionError', 'INVALID_OPTION', 'options.weight'],
  ['negative weight', 'crossEntropy', [x23, labels, { weight: [1, -2, 1] }], 'OptionError', 'INVALID_OPTION', 'options.weight'],
  ['negative zLoss', 'crossEntropy', [x23, labels, { zLoss: -1 }], 'OptionError', 'INVALID_OPTION', 'options.zLoss'],
  ['zero softcap', 'crossEntropy', [x23, labels, { softcap: 0 }], 'OptionError', 'INVALID_OPTION', 'options.softcap'],
  ['zLoss with probabilities', 'crossEntropy', [x23, labels, { from: 'probs', zLoss: 0.1 }], 'OptionError', 'INVALID_OPTION', 'options.zLoss'],
  ['epsilon 0.7', 'crossEntropy', [x23, labels, { from: 'probs', epsilon: 0.7 }], 'OptionError', 'INVALID_OPTION', 'options.epsilon'],
  ['fractional ignoreIndex', 'crossEntropy', [x23, labels, { ignoreIndex: 1.5 }], 'OptionError', 'INVALID_OPTION', 'options.ignoreIndex'],
  ['unknown allIgnored policy', 'crossEntropy', [x23, labels, { allIgnored: 'skip' }], 'OptionError', 'INVALID_OPTION', 'options.allIgnored'],
  ['data shorter than its shape', 'crossEntropy', [{ data: [1, 2, 3], shape: [2, 3] }, labels, {}], 'ShapeError', 'INVALID_SHAPE', 'input'],
  ['negative shape', 'crossEntropy', [{ data: [1, 2, 3], shape: [-1, 3] }, labels, {}], 'ShapeError', 'INVALID_SHAPE', 'input'],
  ['fractional shape', 'softmax', [{ data: [1, 2, 3], shape: [1.5, 2] }, {}], 'ShapeError', 'INVALID_SHAPE', 'input'],
  ['3-D input', 'crossEntropy', [{ data: [1, 2], shape: [1, 1, 2] }, { data: [0], shape: [1] }, {}], 'ShapeError', 'INVALID_SHAPE', 'input'],
  ['zero temperature', 'softmax', [x23, { temperature: 0 }], 'OptionError', 'INVALID_OPTION', 'options.temperature'],
  ['temperature of the wrong type', 'logSoftmax', [x23, { temperature: '2' }], 'OptionError', 'INVALID_OPTION', 'options.temperature'],
  ['not a tensor', 'softmax', [[1, 2, 3], {}], 'ShapeError', 'INVALID_SHAPE', 'input'],
  ['Infinity in a shape', 'softmax', [{ data: [1, 2, 3], shape: [1, INF] }, {}], 'ShapeError', 'INVALID_SHAPE', 'input'],
  ['a shape that is not an array', 'entropy', [{ data: [0.5, 0.5], shape: '2' }, {}], 'ShapeError', 'INVALID_SHAPE', 'input'],
  ['data that is not numbers', 'softmax', [{ data: 'abc', shape: [3] }, {}], 'DTypeError', 'INVALID_DTYPE', 'input'],
  ['labels of 2^31', 'crossEntropy', [x23, { data: [0, 2 ** 31], shape: [2] }, {}], 'LabelRangeError', 'LABEL_OUT_OF_RANGE', 'target'],
  ['NaN label', 'crossEntropy', [x23, { data: [0, NAN], shape: [2] }, {}], 'LabelRangeError', 'LABEL_OUT_OF_RANGE', 'target'],
  ['options that are not an object', 'crossEntropy', [x23, labels, 5], 'OptionError', 'INVALID_OPTION', 'options'],
  ['unknown input kind', 'crossEntropy', [x23, labels, { from: 'logprobs' }], 'OptionError', 'INVALID_OPTION', 'options.from'],
  ['grad that is not a boolean', 'crossEntropy', [x23, labels, { grad: 'yes' }], 'OptionError', 'INVALID_OPTION', 'options.grad'],
  ['NaN zLoss', 'crossEntropy', [x23, labels, { zLoss: NAN }], 'OptionError', 'INVALID_OPTION', 'options.zLoss'],
  ['NaN in class weights', 'crossEntropy', [x23, labels, { weight: [1, NAN, 1] }], 'OptionError', 'INVALID_OPTION', 'options.weight'],
  ['Infinity softcap', 'crossEntropy', [x23, labels, { softcap: INF }], 'OptionError', 'INVALID_OPTION', 'options.softcap'],
  ['NaN temperature', 'softmax', [x23, { temperature: NAN }], 'OptionError', 'INVALID_OPTION', 'options.temperature'],
  ['BCE target of another shape', 'binaryCrossEntropy', [x23, { data: [1, 0, 1], shape: [1, 3] }, {}], 'ShapeError', 'SHAPE_MISMATCH', 'target'],
  ['BCE NaN posWeight', 'binaryCrossEntropy', [x23, { data: [1, 0, 1, 0, 1, 0], shape: [2, 3] }, { posWeight: NAN }], 'OptionError', 'INVALID_OPTION', 'options.posWeight'],
  ['BCE posWeight of the wrong length', 'binaryCrossEntropy', [x23, { data: [1, 0, 1, 0, 1, 0], shape: [2, 3] }, { posWeight: [1, 2] }], 'OptionError', 'INVALID_OPTION', 'options.posWeight'],
  ['BCE epsilon 0.5', 'binaryCrossEntropy', [x23, { data: [1, 0, 1, 0, 1, 0], shape: [2, 3] }, { from: 'probs', epsilon: 0.5 }], 'OptionError', 'INVALID_OPTION', 'options.epsilon'],
  ['entropy with base 3', 'entropy', [x23, { base: 3 }], 'OptionError', 'INVALID_OPTION', 'options.base'],
  ['entropy with a negative epsilon', 'entropy', [x23, { epsilon: -1 }], 'OptionError', 'INVALID_OPTION', 'options.epsilon'],
  ['KL target of another shape', 'klDivergence', [x23, { data: [0.5, 0.5], shape: [1, 2] }, {}], 'ShapeError', 'SHAPE_MISMATCH', 'target'],
  ['KL unknown targetFrom', 'klDivergence', [x23, x23, { targetFrom: 'counts' }], 'OptionError', 'INVALID_OPTION', 'options.targetFrom'],
  ['KL integer input data', 'klDivergence', [{ data: Int32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] }, x23, {}], 'DTypeError', 'INVALID_DTYPE', 'input'],
  ['integer logits', 'crossEntropy', [{ data: Int32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] }, labels, {}], 'DTypeError', 'INVALID_DTYPE', 'input'],
  ['float labels', 'crossEntropy', [x23, { data: Float32Array.of(0, 2), shape: [2] }, {}], 'DTypeError', 'INVALID_DTYPE', 'target'],
];

describe('validation: typed errors naming the argument', () => {
  for (const [name, op, args, cls, code, argument] of CASES) {
    it(name, async () => {
      const e = await gpu.call<(ErrorInfo & { argsUnchanged: boolean }) | null>('expectError', op, args);
      expect(e, `${op} accepted ${name}`).not.toBeNull();
      expect(e).toMatchObject({ name: cls, code, argument });
      expect(e!.message).toContain(argument);
      expect(e!.argsUnchanged, 'the caller\'s data and options are as they were').toBe(true);
    });
  }
});

describe('GPU objects: buffers, devices, disposal', () => {
  // Run once, awaited by each test, so a failure fails tests rather than skipping them.
  let pending: Promise<Record<string, ErrorInfo | null | boolean>> | undefined;
  let r: Record<string, ErrorInfo | null | boolean>;
  beforeEach(async () => {
    r = await (pending ??= gpu.call('gpuObjectErrors'));
  });
  it('a buffer without STORAGE usage', () => expect(r.noStorage).toMatchObject({ name: 'BufferError', code: 'BUFFER_USAGE' }));
  it('a buffer smaller than its shape', () => expect(r.tooSmall).toMatchObject({ name: 'BufferError', code: 'BUFFER_TOO_SMALL' }));
  it('a destroyed tensor', () => expect(r.destroyed).toMatchObject({ name: 'DeviceError', code: 'DISPOSED', argument: 'input' }));
  it('a tensor from another device', () => expect(r.otherDevice).toMatchObject({ name: 'DeviceError', code: 'DEVICE_MISMATCH', argument: 'input' }));
  it('a call that fails after an upload holds no bytes afterwards', () => {
    expect(r.failedCallDType).toMatchObject({ name: 'DTypeError', argument: 'target' });
    expect(r.failedCallFreesBytes).toBe(true);
  });
  it('gradOut that is the input itself', () => expect(r.gradOutIsInput).toMatchObject({ name: 'OptionError', argument: 'options.gradOut' }));
  it('inPlace on host data', () => expect(r.inPlaceHost).toMatchObject({ name: 'OptionError', argument: 'options.inPlace' }));
  it('a bad option leaves the caller\'s buffer as it was', () => {
    expect(r.badOptionOnCallerBuffer).toMatchObject({ name: 'OptionError', argument: 'options.labelSmoothing' });
    expect(r.callerBufferUnchanged).toBe(true);
    expect(r.callerBufferSurvivesDestroy).toBe(true);
  });
  it('a lost device: calls and reads reject with DEVICE_LOST', () => {
    expect(r.afterLoss).toMatchObject({ name: 'DeviceError', code: 'DEVICE_LOST' });
    expect(r.readAfterLoss).toMatchObject({ name: 'DeviceError', code: 'DEVICE_LOST' });
  });
  it('a new context on a new device works after a loss', () => expect(r.newContextWorks).toBe(true));
  it('a disposed context rejects calls', () => expect(r.afterDispose).toMatchObject({ name: 'DeviceError', code: 'DISPOSED' }));
});
