// The whole public API.
/**
 * WebGPU loss kernels: softmax, cross-entropy, binary cross-entropy, focal losses, entropy, KL
 * divergence and a fused linear cross-entropy, each with its gradient, checked against a float64 oracle
 * (`webgpu-loss/reference`). Start with {@link WebGPULoss.create}, or {@link createLoss} for a
 * CPU fallback where WebGPU is missing.
 *
 * @example
 * import { WebGPULoss } from 'webgpu-loss';
 * const wl = await WebGPULoss.create();
 * const out = await wl.crossEntropy(
 *   { data: new Float32Array([2, 1, 0.1, 0.5, -1, 3]), shape: [2, 3] },
 *   { data: new Int32Array([0, 2]), shape: [2] },
 *   { grad: true },
 * );
 * console.log((await out.loss.read())[0]);   // 0.2564 (mean over the 2 rows)
 * out.dispose();
 * @module webgpu-loss
 */
export { WebGPULoss } from './loss';
export type { WarmupOptions } from './loss';
export { GpuTensor } from './gpu/tensor';
export type { Result } from './dispose';
export { createLoss, CpuLoss, CpuTensor } from './cpu';
export type { CreateLossOptions, CpuLossOutputs, CpuLinearOutputs } from './cpu';
export type { GpuCrossEntropyOptions, LossOutputs } from './kernels/cross-entropy';
export type { LinearCrossEntropyOptions, LinearCrossEntropyOutputs } from './kernels/linear-cross-entropy';
export type { GpuJSDivergenceOptions } from './kernels/jsd';
export type { GpuLinearJSDivergenceOptions, GpuLinearJSDTeacher, LinearJSDivergenceOutputs } from './kernels/linear-jsd';
export type { CreateOptions, TensorLike, AdapterFacts } from './gpu/context';
export * from './contract/types';
export * from './contract/errors';
export type { Evaluator, EvaluatorOptions, EvaluationResult } from './contract/configs/evaluator';
export type { GpuEvaluator } from './kernels/evaluator';
export type { CpuEvaluator } from './cpu-evaluator';
