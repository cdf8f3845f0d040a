// The float64 CPU reference ("oracle"): the same operation names and options as the GPU API, used to
// check every GPU kernel. Slow and exact by design; see each function for its math.
/**
 * The float64 CPU reference ("oracle") of every operation: the same names, arguments and options
 * as {@link webgpu-loss!WebGPULoss | WebGPULoss}, on host data, with results as `Float64Array`s. Slow and exact by design;
 * each function documents its math. Also seeded random inputs for tests.
 *
 * @example
 * import { crossEntropy } from 'webgpu-loss/reference';
 * const r = crossEntropy(
 *   { data: [2, 1, 0.1, 0.5, -1, 3], shape: [2, 3] },
 *   { data: new Int32Array([0, 2]), shape: [2] },
 * );
 * console.log(r.loss[0]);   // 0.2563521728461079
 * @module webgpu-loss/reference
 */
export { softmax, logSoftmax } from './softmax';
export { crossEntropy } from './cross-entropy';
export { binaryCrossEntropy } from './binary-cross-entropy';
export { binaryFocalLoss, focalLoss } from './focal';
export { entropy, klDivergence } from './entropy';
export type { RefResult } from './result';
export { mulberry32, normal, randomLogits, randomUniform, randomLabels, randomProbs } from './random';
export type { Rng, RandomLabelOptions } from './random';
export { linearCrossEntropy } from './linear-cross-entropy';
export { evaluator } from './evaluator';
export type { RefEvaluator } from './evaluator';
export { float16Value, bfloat16Value, decodeHalf } from './half';
export type { RefLinearCrossEntropyOptions, RefLinearResult } from './linear-cross-entropy';
export { jsDivergence } from './jsd';
export { linearJsDivergence } from './linear-jsd';
