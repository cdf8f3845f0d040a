// The whole public API.
export { WebGPULoss } from './loss';
export type { WarmupOptions } from './loss';
export { GpuTensor } from './gpu/tensor';
export { createLoss, CpuLoss, CpuTensor } from './cpu';
export type { CreateLossOptions, CpuLossOutputs, CpuLinearOutputs } from './cpu';
export type { GpuCrossEntropyOptions, LossOutputs } from './kernels/cross-entropy';
export type { LinearCrossEntropyOptions, LinearCrossEntropyOutputs } from './kernels/linear-cross-entropy';
export type { CreateOptions, TensorLike, AdapterFacts } from './gpu/context';
export * from './contract/types';
export * from './contract/errors';
