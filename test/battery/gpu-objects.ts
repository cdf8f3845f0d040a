// Misused GPU objects: things that are not GPUBuffers, buffers of the wrong usage, mapped,
// too small or destroyed, bad offsets, tensors destroyed or from another device, the wrong dtype,
// a gradient buffer aliasing the input's or the target's, and reads that cannot be served.
import { buffer, device, dtype, label, option, OK, shape, type Case, type Want } from './case';
import { X } from './args';
import { G } from './gpu';
import { T } from './make';

const buf = (spec: Partial<Parameters<typeof G.buffer>[0]> = {}) => G.buffer({ bytes: 64, ...spec });
const x = (spec: Partial<Parameters<typeof G.tensor>[0]> = {}) => G.tensor({ values: X.data, shape: X.shape, ...spec });
const y = (spec: Partial<Parameters<typeof G.tensor>[0]> = {}) => G.tensor({ values: [0, 2], shape: [2], dtype: 'int32', ...spec });
/** A buffer whose values are both the logits (bytes 0-23) and, wrapped again, another tensor. */
const shared = () => T.named('b', buf({ bytes: 512, values: [...X.data, 0, 2] }));
const FAKE = { usage: 128, size: 64, mapState: 'unmapped' };
const HID = { data: [0.5, -1, 2, 0.25], shape: [2, 2] };

// [name, call, args, want]
const ROWS: [string, string, unknown[], Want][] = [
  // wrap(buffer, shape, dtype, byteOffset)
  ['wrap of null', 'wrap', [null, [2]], buffer('buffer')],
  ['wrap of an empty object', 'wrap', [{}, [2]], buffer('buffer')],
  ['wrap of an ArrayBuffer', 'wrap', [T.arrayBuffer(64), [2]], buffer('buffer')],
  ['wrap of a plain object with a usage and a size', 'wrap', [FAKE, [2]], buffer('buffer')],
  ['wrap of a proxy of a GPUBuffer', 'wrap', [T.proxy(buf()), [2]], buffer('buffer')],
  ['wrap of a GpuTensor', 'wrap', [x(), [2]], buffer('buffer')],
  ['wrap of a buffer without STORAGE usage', 'wrap', [buf({ usage: ['COPY_SRC', 'COPY_DST'] }), [2]], buffer('buffer')],
  ['wrap of a mapped buffer', 'wrap', [buf({ usage: ['STORAGE'], mapped: true }), [2]], buffer('buffer')],
  ['wrap of a buffer smaller than its shape', 'wrap', [buf({ bytes: 16 }), [2, 3]], buffer('buffer', 'BUFFER_TOO_SMALL')],
  ['wrap at an offset past the buffer', 'wrap', [buf(), [2], 'float32', 64], buffer('buffer', 'BUFFER_TOO_SMALL')],
  ['wrap at byte offset 2^53', 'wrap', [buf(), [2], 'float32', 2 ** 53], buffer('buffer', 'BUFFER_TOO_SMALL')],
  ['wrap at byte offset 2 (not a multiple of 4)', 'wrap', [buf(), [2], 'float32', 2], buffer('byteOffset')],
  ['wrap at byte offset -4', 'wrap', [buf(), [2], 'float32', -4], buffer('byteOffset')],
  ['wrap at byte offset 1.5', 'wrap', [buf(), [2], 'float32', 1.5], buffer('byteOffset')],
  ['wrap at byte offset NaN', 'wrap', [buf(), [2], 'float32', NaN], buffer('byteOffset')],
  ['wrap at byte offset "4"', 'wrap', [buf(), [2], 'float32', '4'], buffer('byteOffset')],
  ['wrap with a negative dimension', 'wrap', [buf(), [-2, 3]], shape('shape')],
  ['wrap with a shape past 2^32 elements', 'wrap', [buf(), [70000, 70000]], shape('shape')],
  ['wrap with a null shape', 'wrap', [buf(), null], shape('shape')],
  ['wrap with a shape that turns [NaN, 3] after one pass', 'wrap', [buf(), T.flipArray('s', [2, 3], [NaN, 3])], OK],
  ['wrap with dtype float64', 'wrap', [buf(), [2], 'float64'], dtype('dtype')],
  ['wrap at byte offset 4 (below the binding alignment)', 'wrap', [buf(), [2], 'float32', 4], OK],
  // fromInt64(buffer, shape, { byteOffset, outOfRange })
  ['fromInt64 of null', 'fromInt64', [null, [2]], buffer('buffer')],
  ['fromInt64 of an empty object', 'fromInt64', [{}, [2]], buffer('buffer')],
  ['fromInt64 of a plain object with a usage and a size', 'fromInt64', [FAKE, [2]], buffer('buffer')],
  ['fromInt64 of a buffer without STORAGE usage', 'fromInt64', [buf({ usage: ['COPY_SRC', 'COPY_DST'] }), [2]], buffer('buffer')],
  ['fromInt64 of a mapped buffer', 'fromInt64', [buf({ usage: ['STORAGE'], mapped: true }), [2]], buffer('buffer')],
  ['fromInt64 of a buffer smaller than its shape', 'fromInt64', [buf({ bytes: 8 }), [2]], buffer('buffer', 'BUFFER_TOO_SMALL')],
  ['fromInt64 with a negative dimension', 'fromInt64', [buf(), [-1]], shape('shape')],
  ['fromInt64 with a null shape', 'fromInt64', [buf(), null], shape('shape')],
  ['fromInt64 with options null', 'fromInt64', [buf(), [2], null], option('options')],
  ['fromInt64 with options a number', 'fromInt64', [buf(), [2], 8], option('options')],
  ['fromInt64 with a misspelt option', 'fromInt64', [buf(), [2], { byteOfset: 8 }], option('options.byteOfset')],
  ['fromInt64 at byte offset 4 (not the storage alignment)', 'fromInt64', [buf({ bytes: 512 }), [2], { byteOffset: 4 }], buffer('options.byteOffset')],
  ['fromInt64 at byte offset -256', 'fromInt64', [buf({ bytes: 512 }), [2], { byteOffset: -256 }], buffer('options.byteOffset')],
  ['fromInt64 at byte offset "256"', 'fromInt64', [buf({ bytes: 512 }), [2], { byteOffset: '256' }], buffer('options.byteOffset')],
  ['fromInt64 with outOfRange 2^32 (0 as an int32: a valid class)', 'fromInt64', [buf(), [2], { outOfRange: 2 ** 32 }], option('options.outOfRange')],
  ['fromInt64 with outOfRange -2^31 - 1', 'fromInt64', [buf(), [2], { outOfRange: -(2 ** 31) - 1 }], option('options.outOfRange')],
  ['fromInt64 with outOfRange 1.5', 'fromInt64', [buf(), [2], { outOfRange: 1.5 }], option('options.outOfRange')],
  ['fromInt64 with outOfRange a string', 'fromInt64', [buf(), [2], { outOfRange: '-1' }], option('options.outOfRange')],
  ['fromInt64 of int64 labels', 'fromInt64', [buf({ values: [0, 2], type: 'BigInt64Array' }), [2]], OK],
  ['fromInt64 at byte offset 256', 'fromInt64', [buf({ bytes: 512 }), [2], { byteOffset: 256, outOfRange: -1 }], OK],
  // read()
  ['read of a destroyed tensor', 'read', [x({ destroyed: true })], device('DISPOSED', 'tensor')],
  ['read of a tensor over a buffer without COPY_SRC', 'read', [G.wrap(buf({ usage: ['STORAGE'] }), [2])], buffer('tensor')],
  ['read of a tensor over a buffer its owner destroyed', 'read', [G.wrap(buf({ destroyed: true }), [2])], device('GPU_ERROR', 'tensor')],
  // tensors destroyed, from another device, of the wrong dtype or shape
  ['crossEntropy of a destroyed input', 'crossEntropy', [x({ destroyed: true }), y()], device('DISPOSED', 'input')],
  ['crossEntropy of destroyed labels', 'crossEntropy', [x(), y({ destroyed: true })], device('DISPOSED', 'target')],
  ['crossEntropy of an input from another device', 'crossEntropy', [x({ other: true }), y()], device('DEVICE_MISMATCH', 'input')],
  ['crossEntropy of labels from another device', 'crossEntropy', [x(), y({ other: true })], device('DEVICE_MISMATCH', 'target')],
  ['binaryCrossEntropy of a target from another device', 'binaryCrossEntropy', [x(), x({ other: true })], device('DEVICE_MISMATCH', 'target')],
  ['klDivergence of a destroyed target', 'klDivergence', [x(), x({ destroyed: true })], device('DISPOSED', 'target')],
  ['entropy of an input from another device', 'entropy', [x({ other: true })], device('DEVICE_MISMATCH', 'input')],
  ['linearCrossEntropy of a weight from another device', 'linearCrossEntropy', [HID, G.tensor({ values: [1, 2, 3, 4, 5, 6], shape: [3, 2], other: true }), y()], device('DEVICE_MISMATCH', 'weight')],
  ['linearCrossEntropy of a bias from another device', 'linearCrossEntropy', [HID, G.tensor({ values: [1, 2, 3, 4, 5, 6], shape: [3, 2] }), y(), { bias: G.tensor({ values: [0, 0, 0], shape: [3], other: true }) }], device('DEVICE_MISMATCH', 'options.bias')],
  ['linearCrossEntropy of float labels on the GPU', 'linearCrossEntropy', [HID, G.tensor({ values: [1, 2, 3, 4, 5, 6], shape: [3, 2] }), G.tensor({ values: [0, 2], shape: [2] })], dtype('labels')],
  ['linearCrossEntropy of a destroyed bias', 'linearCrossEntropy', [HID, G.tensor({ values: [1, 2, 3, 4, 5, 6], shape: [3, 2] }), y(), { bias: G.tensor({ values: [0, 0, 0], shape: [3], destroyed: true }) }], device('DISPOSED', 'options.bias')],
  ['linearCrossEntropy of a GPU weight of another D', 'linearCrossEntropy', [HID, G.tensor({ values: [1, 2, 3, 4, 5, 6], shape: [2, 3] }), y()], shape('weight', 'SHAPE_MISMATCH')],
  ['crossEntropy of GPU labels [2, 1]', 'crossEntropy', [x(), y({ shape: [2, 1] })], shape('target', 'SHAPE_MISMATCH')],
  ['crossEntropy of a 1-D GPU input and GPU labels of shape []', 'crossEntropy', [G.tensor({ values: [1, 2, 3], shape: [3] }), y({ values: [2], shape: [] })], OK],
  ['binaryCrossEntropy of a GPU target of another shape', 'binaryCrossEntropy', [x(), x({ shape: [3, 2] })], shape('target', 'SHAPE_MISMATCH')],
  ['crossEntropy of a wrapped buffer from another device (WebGPU refuses it at submit)', 'crossEntropy', [G.wrap(buf({ values: X.data, other: true }), [2, 3]), y()], device('GPU_ERROR')],
  ['softmax of int32 data on the GPU', 'softmax', [x({ dtype: 'int32', values: [1, 2, 3, 4, 5, 6] })], dtype('input')],
  ['crossEntropy of float labels on the GPU', 'crossEntropy', [x(), G.tensor({ values: [0, 2], shape: [2] })], dtype('target')],
  ['softmax of an empty GPU tensor [0, 3]', 'softmax', [G.tensor({ values: [], shape: [0, 3] })], shape('input')],
  ['softmax of a rank-3 GPU tensor', 'softmax', [x({ shape: [1, 2, 3] })], shape('input')],
  ['softmax of a proxy of a GpuTensor', 'softmax', [T.proxy(x())], dtype('input')],
  // where the gradient goes
  ['crossEntropy gradOut the input itself', 'crossEntropy', [T.named('x', x()), y(), { gradOut: T.ref('x') }], option('options.gradOut')],
  ['crossEntropy gradOut sharing the input\'s buffer', 'crossEntropy', [G.wrap(shared(), [2, 3]), y(), { gradOut: G.wrap(T.ref('b'), [2, 3], 'float32', 256) }], option('options.gradOut')],
  ['crossEntropy gradOut overlapping the input', 'crossEntropy', [G.wrap(shared(), [2, 3]), y(), { gradOut: G.wrap(T.ref('b'), [2, 3], 'float32', 4) }], option('options.gradOut')],
  ['crossEntropy gradOut sharing the labels\' buffer', 'crossEntropy', [x(), G.wrap(shared(), [2], 'int32', 24), { gradOut: G.wrap(T.ref('b'), [2, 3], 'float32', 256) }], option('options.gradOut')],
  ['crossEntropy gradOut the dense target itself', 'crossEntropy', [x(), T.named('t', x()), { gradOut: T.ref('t') }], option('options.gradOut')],
  ['crossEntropy gradOut from another device', 'crossEntropy', [x(), y(), { gradOut: x({ other: true }) }], device('DEVICE_MISMATCH', 'options.gradOut')],
  ['crossEntropy gradOut destroyed', 'crossEntropy', [x(), y(), { gradOut: x({ destroyed: true }) }], device('DISPOSED', 'options.gradOut')],
  ['crossEntropy gradOut of int32', 'crossEntropy', [x(), y(), { gradOut: x({ dtype: 'int32', values: [0, 0, 0, 0, 0, 0] }) }], dtype('options.gradOut')],
  ['crossEntropy gradOut of another shape', 'crossEntropy', [x(), y(), { gradOut: x({ shape: [3, 2] }) }], shape('options.gradOut', 'SHAPE_MISMATCH')],
  ['crossEntropy gradOut with inPlace', 'crossEntropy', [x(), y(), { gradOut: x(), inPlace: true }], option('options.gradOut')],
  ['crossEntropy gradOut a proxy of a GpuTensor', 'crossEntropy', [x(), y(), { gradOut: T.proxy(x()) }], option('options.gradOut')],
  ['crossEntropy inPlace on a destroyed input', 'crossEntropy', [x({ destroyed: true }), y(), { inPlace: true }], device('DISPOSED', 'input')],
  ['crossEntropy gradOut of its own buffer', 'crossEntropy', [x(), y(), { gradOut: x({ values: [0, 0, 0, 0, 0, 0], written: true }) }], OK],
  // checkLabels of a call's outputs
  ['checkLabels of a call whose GPU labels are out of range', 'checkLabels', [G.output('crossEntropy', [X, y({ values: [0, 7] })]), 3], label('target')],
  ['checkLabels of a linearCrossEntropy call whose GPU labels are out of range', 'checkLabels', [G.output('linearCrossEntropy', [HID, G.tensor({ values: [1, 2, 3, 4, 5, 6], shape: [3, 2] }), y({ values: [5, 0] })]), 3], label('labels')],
  ['checkLabels of a call whose GPU labels are in range', 'checkLabels', [G.output('crossEntropy', [X, y()]), 3], OK],
  ['checkLabels after the label count was destroyed', 'checkLabels', [G.output('crossEntropy', [X, y()], ['invalidLabels']), 3], device('DISPOSED', 'out.invalidLabels')],
  ['checkLabels of a label count that is a number', 'checkLabels', [{ invalidLabels: 5 }, 3], dtype('out.invalidLabels')],
  ['checkLabels of a label count that is host data', 'checkLabels', [{ invalidLabels: { data: [0], shape: [] } }, 3], dtype('out.invalidLabels')],
  // create on a device
  ['create on this device', 'create', [{ device: G.device('this') }], OK],
  ['create on another device', 'create', [{ device: G.device('other') }], OK],
  ['create on a proxy of a device', 'create', [{ device: T.proxy(G.device('this')) }], option('options.device')],
];

export const GPU_OBJECT_CASES: Case[] = ROWS.map(([name, call, args, want]) => ({ name, call, args, want, targets: ['gpu'] as const }));
