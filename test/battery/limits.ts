// Values a float32 or int32 kernel cannot hold are refused, not silently changed (0, Infinity, or
// another label); the values at the very edge are taken.
import { label, option, OK, dtype, type Case, type Want } from './case';
import { H, W, X } from './args';

const F32_MAX = 3.4028234663852886e38;
const F32_MIN_NORMAL = 1.1754943508222875e-38;
const labels = (...v: number[]) => ({ data: v, shape: [v.length] });

// [name, call, args, want]
const ROWS: [string, string, unknown[], Want][] = [
  // labels: integers in [0, classes) or the ignore index
  ['crossEntropy label = classes', 'crossEntropy', [X, labels(0, 3)], label('target')],
  ['crossEntropy label -1', 'crossEntropy', [X, labels(-1, 0)], label('target')],
  ['crossEntropy label 0.5', 'crossEntropy', [X, labels(0.5, 0)], label('target')],
  ['crossEntropy label NaN', 'crossEntropy', [X, labels(0, NaN)], label('target')],
  ['crossEntropy label Infinity', 'crossEntropy', [X, labels(Infinity, 0)], label('target')],
  ['crossEntropy label -100 once ignoreIndex is 7', 'crossEntropy', [X, labels(-100, 0), { ignoreIndex: 7 }], label('target')],
  ['crossEntropy label -100, the default ignoreIndex', 'crossEntropy', [X, labels(-100, 0)], OK],
  ['linearCrossEntropy label = classes', 'linearCrossEntropy', [H, W, labels(3, 0)], label('labels')],
  // labels: int32 on the GPU; values past it are out of range for any class count
  ['crossEntropy label 2^31', 'crossEntropy', [X, labels(0, 2 ** 31)], label('target')],
  ['crossEntropy label 2^32 (0 as an int32)', 'crossEntropy', [X, labels(2 ** 32, 0)], label('target')],
  ['crossEntropy label 2^32 + 1 (1 as an int32)', 'crossEntropy', [X, labels(0, 2 ** 32 + 1)], label('target')],
  ['crossEntropy label 2^53', 'crossEntropy', [X, labels(0, 2 ** 53)], label('target')],
  ['crossEntropy label -2^31 - 1', 'crossEntropy', [X, labels(-(2 ** 31) - 1, 0)], label('target')],
  ['crossEntropy label 1e300', 'crossEntropy', [X, labels(0, 1e300)], label('target')],
  ['crossEntropy label 2^31 in a Uint32Array', 'crossEntropy', [X, { data: Uint32Array.of(0, 2 ** 31), shape: [2] }], label('target')],
  ['linearCrossEntropy label 2^32', 'linearCrossEntropy', [H, W, labels(2 ** 32, 0)], label('labels')],
  // ignoreIndex: an int32 in the kernels
  ['crossEntropy ignoreIndex 2^31', 'crossEntropy', [X, labels(0, 2), { ignoreIndex: 2 ** 31 }], option('options.ignoreIndex')],
  ['crossEntropy ignoreIndex 2^32 (0 as an int32)', 'crossEntropy', [X, labels(0, 2), { ignoreIndex: 2 ** 32 }], option('options.ignoreIndex')],
  ['crossEntropy ignoreIndex -2^31 - 1', 'crossEntropy', [X, labels(0, 2), { ignoreIndex: -(2 ** 31) - 1 }], option('options.ignoreIndex')],
  ['linearCrossEntropy ignoreIndex 2^32', 'linearCrossEntropy', [H, W, labels(0, 2), { ignoreIndex: 2 ** 32 }], option('options.ignoreIndex')],
  ['crossEntropy ignoreIndex 2^31 - 1 with that label', 'crossEntropy', [X, labels(0, 2 ** 31 - 1), { ignoreIndex: 2 ** 31 - 1 }], OK],
  ['crossEntropy ignoreIndex -2^31 with that label', 'crossEntropy', [X, labels(-(2 ** 31), 1), { ignoreIndex: -(2 ** 31) }], OK],
  // clips: 0 in float32 below its smallest normal (subnormals may be flushed)
  ['crossEntropy epsilon 1e-300', 'crossEntropy', [X, labels(0, 2), { from: 'probs', epsilon: 1e-300 }], option('options.epsilon')],
  ['crossEntropy epsilon 1e-39 (subnormal in float32)', 'crossEntropy', [X, labels(0, 2), { from: 'probs', epsilon: 1e-39 }], option('options.epsilon')],
  ['crossEntropy epsilon at float32\'s smallest normal', 'crossEntropy', [X, labels(0, 2), { from: 'probs', epsilon: F32_MIN_NORMAL }], OK],
  ['binaryCrossEntropy epsilon 1e-300', 'binaryCrossEntropy', [X, X, { from: 'probs', epsilon: 1e-300 }], option('options.epsilon')],
  ['entropy epsilon 1e-45', 'entropy', [X, { epsilon: 1e-45 }], option('options.epsilon')],
  ['klDivergence epsilon 5e-324', 'klDivergence', [X, X, { epsilon: 5e-324 }], option('options.epsilon')],
  // weights: Infinity in float32 above its largest, 0 or flushed below its smallest normal
  ['crossEntropy class weight 1e39', 'crossEntropy', [X, labels(0, 2), { weight: [1e39, 1, 1] }], option('options.weight')],
  ['crossEntropy class weight 3.5e38', 'crossEntropy', [X, labels(0, 2), { weight: [1, 3.5e38, 1] }], option('options.weight')],
  ['crossEntropy class weight 1e-40 (subnormal)', 'crossEntropy', [X, labels(0, 2), { weight: [1, 1, 1e-40] }], option('options.weight')],
  ['crossEntropy class weight at float32\'s largest', 'crossEntropy', [X, labels(0, 2), { weight: [F32_MAX, 0, 1] }], OK],
  ['linearCrossEntropy class weight 1e39', 'linearCrossEntropy', [H, W, labels(0, 2), { weight: [1, 1, 1e39] }], option('options.weight')],
  ['binaryCrossEntropy posWeight 1e39', 'binaryCrossEntropy', [X, X, { posWeight: 1e39 }], option('options.posWeight')],
  ['binaryCrossEntropy posWeight [1, 1e39, 1]', 'binaryCrossEntropy', [X, X, { posWeight: [1, 1e39, 1] }], option('options.posWeight')],
  ['binaryCrossEntropy weight 1e-40 (subnormal)', 'binaryCrossEntropy', [X, X, { weight: 1e-40 }], option('options.weight')],
  ['binaryCrossEntropy weight [1, 1, 1e39]', 'binaryCrossEntropy', [X, X, { weight: [1, 1, 1e39] }], option('options.weight')],
  ['binaryCrossEntropy posWeight at float32\'s largest', 'binaryCrossEntropy', [X, X, { posWeight: F32_MAX }], OK],
  ['focalLoss label = classes', 'focalLoss', [X, labels(0, 3)], label('target')],
  ['focalLoss label 2^32 (0 as an int32)', 'focalLoss', [X, labels(2 ** 32, 0)], label('target')],
  ['focalLoss ignoreIndex 2^31', 'focalLoss', [X, labels(0, 2), { ignoreIndex: 2 ** 31 }], option('options.ignoreIndex')],
  ['focalLoss class alpha 1e-40 (subnormal)', 'focalLoss', [X, labels(0, 2), { alpha: [1, 1, 1e-40] }], option('options.alpha')],
  ['focalLoss gamma 1e-40 (subnormal)', 'focalLoss', [X, labels(0, 2), { gamma: 1e-40 }], option('options.gamma')],
  ['focalLoss gamma at float32\'s largest', 'focalLoss', [X, labels(0, 2), { gamma: F32_MAX }], OK],
  ['binaryFocalLoss gamma 3.5e38', 'binaryFocalLoss', [X, X, { gamma: 3.5e38 }], option('options.gamma')],
  ['binaryFocalLoss alpha -1e-40 (subnormal)', 'binaryFocalLoss', [X, X, { alpha: -1e-40 }], option('options.alpha')],
  ['binaryFocalLoss alpha at float32\'s smallest normal', 'binaryFocalLoss', [X, X, { alpha: F32_MIN_NORMAL }], OK],
  // scales
  ['softmax temperature 1e39', 'softmax', [X, { temperature: 1e39 }], option('options.temperature')],
  ['softmax temperature 1e-40 (subnormal)', 'softmax', [X, { temperature: 1e-40 }], option('options.temperature')],
  ['logSoftmax temperature at float32\'s smallest normal', 'logSoftmax', [X, { temperature: F32_MIN_NORMAL }], OK],
  ['crossEntropy zLoss 1e39', 'crossEntropy', [X, labels(0, 2), { zLoss: 1e39 }], option('options.zLoss')],
  ['crossEntropy zLoss 1e-40 (subnormal)', 'crossEntropy', [X, labels(0, 2), { zLoss: 1e-40 }], option('options.zLoss')],
  ['crossEntropy softcap 1e39', 'crossEntropy', [X, labels(0, 2), { softcap: 1e39 }], option('options.softcap')],
  ['linearCrossEntropy softcap 1e-40 (subnormal)', 'linearCrossEntropy', [H, W, labels(0, 2), { softcap: 1e-40 }], option('options.softcap')],
  // data: float data become float32 (1e39 is Infinity, which the numeric contract defines); int32 data must be int32
  ['softmax of data holding 1e39', 'softmax', [{ data: [1e39, 0, 0], shape: [1, 3] }], OK],
  ['tensor of int32 data 2^31', 'tensor', [[0, 2 ** 31], [2], 'int32'], dtype('data')],
  ['tensor of int32 data 1.5', 'tensor', [[0, 1.5], [2], 'int32'], dtype('data')],
  ['tensor of int32 data -2^31 - 1', 'tensor', [Float64Array.of(-(2 ** 31) - 1), [1], 'int32'], dtype('data')],
  ['tensor of int32 data at int32\'s ends', 'tensor', [[-(2 ** 31), 2 ** 31 - 1], [2], 'int32'], OK],
];

export const LIMIT_CASES: Case[] = ROWS.map(([name, call, args, want]) => ({ name, call, args, want }));
