// The float64 CPU reference ("oracle"): the same operation names and options as the GPU API, used to
// check every GPU kernel. Slow and exact by design; see each function for its math.
export { softmax, logSoftmax } from './softmax';
export { crossEntropy } from './cross-entropy';
export { binaryCrossEntropy } from './binary-cross-entropy';
export { entropy, klDivergence } from './entropy';
export type { RefResult } from './result';
export { mulberry32, normal, randomLogits, randomUniform, randomLabels, randomProbs } from './random';
export type { Rng, RandomLabelOptions } from './random';
export { linearCrossEntropy } from './linear-cross-entropy';
export type { RefLinearCrossEntropyOptions, RefLinearResult } from './linear-cross-entropy';
