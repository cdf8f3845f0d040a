// The entry points around the operations: tensor, empty, checkLabels, warmup, create and
// createLoss, with arguments of every wrong kind. (wrap, fromInt64 and read take GPU objects:
// gpu-objects.ts.)
import { buffer, device, dtype, option, OK, shape, type Case, type Want } from './case';
import { T } from './make';

// [name, call, args, want]
const ROWS: [string, string, unknown[], Want][] = [
  // tensor(data, shape, dtype)
  ['tensor of an empty shape [0]', 'tensor', [[], [0]], OK],
  ['tensor of a scalar shape []', 'tensor', [[5], []], OK],
  ['tensor of an Int32Array as float32', 'tensor', [Int32Array.of(1, 2), [2], 'float32'], OK],
  ['tensor of a Float64Array as int32', 'tensor', [Float64Array.of(1, 2), [2], 'int32'], OK],
  ['tensor of a SharedArrayBuffer-backed Float32Array', 'tensor', [T.shared('Float32Array', [1, 2]), [2]], OK],
  ['tensor of a SharedArrayBuffer-backed Int32Array', 'tensor', [T.shared('Int32Array', [1, 2]), [2]], OK],
  // empty(shape, dtype)
  ['empty of a null shape', 'empty', [null], shape('shape')],
  ['empty of a negative dimension', 'empty', [[-1]], shape('shape')],
  ['empty of a NaN dimension', 'empty', [[NaN]], shape('shape')],
  ['empty of a Symbol dimension', 'empty', [[T.symbol('n')]], shape('shape')],
  ['empty of 2^32 elements', 'empty', [[2 ** 16, 2 ** 16]], shape('shape')],
  ['empty of dtype int64', 'empty', [[2], 'int64'], dtype('dtype')],
  ['empty of a shape [0]', 'empty', [[0]], OK],
  // checkLabels(out, classes)
  ['checkLabels of undefined', 'checkLabels', [T.undefined(), 3], dtype('out')],
  ['checkLabels of null', 'checkLabels', [null, 3], dtype('out')],
  ['checkLabels of a number', 'checkLabels', [5, 3], dtype('out')],
  ['checkLabels of a string', 'checkLabels', ['loss', 3], dtype('out')],
  ['checkLabels with no classes', 'checkLabels', [{}, T.undefined()], dtype('classes')],
  ['checkLabels with 0 classes', 'checkLabels', [{}, 0], dtype('classes')],
  ['checkLabels with 2.5 classes', 'checkLabels', [{}, 2.5], dtype('classes')],
  ['checkLabels with NaN classes', 'checkLabels', [{}, NaN], dtype('classes')],
  ['checkLabels with classes a string', 'checkLabels', [{}, '3'], dtype('classes')],
  ['checkLabels of outputs without a label count (dense targets)', 'checkLabels', [{}, 3], OK],
  // warmup(options)
  ['warmup of null', 'warmup', [null], option('options')],
  ['warmup of a number', 'warmup', [5], option('options')],
  ['warmup of an array', 'warmup', [[{}]], option('options')],
  ['warmup with a misspelt option', 'warmup', [{ crossEntropi: [] }], option('options.crossEntropi')],
  ['warmup with a Symbol key', 'warmup', [T.symbolKey({}, 'crossEntropy', [])], option('options')],
  ['warmup options behind a proxy whose ownKeys trap throws', 'warmup', [T.proxy({}, ['ownKeys'])], option('options')],
  ['warmup of no option sets', 'warmup', [{ crossEntropy: [], linearCrossEntropy: [] }], OK],
  // createLoss(options)
  ['createLoss of null', 'createLoss', [null], option('options')],
  ['createLoss of a string', 'createLoss', ['cpu'], option('options')],
  ['createLoss with fallback gpu', 'createLoss', [{ fallback: 'gpu' }], option('options.fallback')],
  ['createLoss with a misspelt fallback', 'createLoss', [{ falback: 'cpu' }], option('options.falback')],
  ['createLoss with a device that is not one', 'createLoss', [{ fallback: 'cpu', device: {} }], option('options.device')],
  ['createLoss with debug a string', 'createLoss', [{ fallback: 'cpu', debug: 'yes' }], option('options.debug')],
  ['createLoss with a __proto__ key from JSON', 'createLoss', [T.json('{"__proto__": {"fallback": "cpu"}}')], option('options.__proto__')],
  ['createLoss with the CPU fallback', 'createLoss', [{ fallback: 'cpu' }], OK],
  // create(options)
  ['create of null', 'create', [null], option('options')],
  ['create of a number', 'create', [5], option('options')],
  ['create of an array', 'create', [[]], option('options')],
  ['create with a misspelt option', 'create', [{ devise: {} }], option('options.devise')],
  ['create with a device that is an empty object', 'create', [{ device: {} }], option('options.device')],
  ['create with a device that is null', 'create', [{ device: null }], option('options.device')],
  ['create with an adapter that is an empty object', 'create', [{ adapter: {} }], option('options.adapter')],
  ['create with an adapter whose requestDevice rejects', 'create', [{ adapter: T.fakeAdapter('rejects') }], device('NO_WEBGPU')],
  ['create with a gpu that is an empty object', 'create', [{ gpu: {} }], option('options.gpu')],
  ['create with a gpu whose requestAdapter throws', 'create', [{ gpu: T.fakeGpu('throws') }], device('NO_WEBGPU')],
  ['create with a gpu whose requestAdapter gives null', 'create', [{ gpu: T.fakeGpu('null') }], device('NO_WEBGPU')],
  ['create with powerPreference fast', 'create', [{ powerPreference: 'fast' }], option('options.powerPreference')],
  ['create with debug a string', 'create', [{ debug: 'yes' }], option('options.debug')],
  ['create with subgroups 1', 'create', [{ subgroups: 1 }], option('options.subgroups')],
  ['create with maxBindingBytes 5', 'create', [{ maxBindingBytes: 5 }], option('options.maxBindingBytes')],
  ['create with maxBindingBytes 4096.5', 'create', [{ maxBindingBytes: 4096.5 }], option('options.maxBindingBytes')],
  ['create with maxBindingBytes a string', 'create', [{ maxBindingBytes: '4096' }], option('options.maxBindingBytes')],
  ['create with maxBindingBytes NaN', 'create', [{ maxBindingBytes: NaN }], option('options.maxBindingBytes')],
  ['create with a Symbol key', 'create', [T.symbolKey({}, 'device', 1)], option('options')],
  ['create with a __proto__ key from JSON', 'create', [T.json('{"__proto__": {"debug": true}}')], option('options.__proto__')],
  ['create with options behind a proxy whose get trap throws', 'create', [T.proxy({ debug: false }, ['get'])], option('options')],
];

export const HELPER_CASES: Case[] = ROWS.map(([name, call, args, want]) => ({ name, call, args, want }));
