import type { SoftmaxOptions } from './types';
import { GpuContext, type CreateOptions, type TensorLike } from './gpu/context';
import type { GpuTensor } from './gpu/tensor';
import { softmaxOp } from './kernels/softmax';
import { crossEntropyOp, checkLabelsOnGpu, type GpuCrossEntropyOptions, type LossOutputs } from './kernels/cross-entropy';

/**
 * The library's entry point: one object per `GPUDevice`.
 *
 * @example
 * const wl = await WebGPULoss.create();            // or { device } to share TF.js's device
 * const p = await wl.softmax({ data: new Float32Array([1, 2, 3]), shape: [1, 3] });
 * console.log(await p.read());                     // Float32Array [0.090, 0.245, 0.665]
 */
export class WebGPULoss extends GpuContext {
  static async create(opts: CreateOptions = {}): Promise<WebGPULoss> {
    const { device, facts } = await GpuContext.acquire(opts);
    return new WebGPULoss(device, facts, Boolean(opts.debug));
  }

  /**
   * Softmax over the last axis, optionally of `x / temperature`.
   * @example
   * const p = await wl.softmax({ data: logits, shape: [rows, classes] }, { temperature: 2 });
   */
  softmax(x: TensorLike, opts: SoftmaxOptions = {}): Promise<GpuTensor> {
    return softmaxOp(this, x, opts, false);
  }

  /**
   * Log-softmax over the last axis (stable: `x - logsumexp(x)`).
   * @example
   * const lp = await wl.logSoftmax({ data: logits, shape: [rows, classes] });
   */
  logSoftmax(x: TensorLike, opts: SoftmaxOptions = {}): Promise<GpuTensor> {
    return softmaxOp(this, x, opts, true);
  }

  /**
   * Cross-entropy from logits (default) or probabilities, against sparse integer labels
   * (`target` shape [rows], int32) or dense targets (shape [rows, classes]), optionally fused
   * with its gradient (`grad: true`, or `inPlace` / `gradOut`) and per-row extras.
   * @example
   * const out = await wl.crossEntropy(
   *   { data: logits, shape: [rows, classes] },
   *   { data: new Int32Array(labels), shape: [rows] },
   *   { reduction: 'mean', labelSmoothing: 0.1, grad: true },
   * );
   * const [loss] = await out.loss.read();
   * const grad = await out.grad!.read();
   */
  crossEntropy(input: TensorLike, target: TensorLike, opts: GpuCrossEntropyOptions = {}): Promise<LossOutputs> {
    return crossEntropyOp(this, input, target, opts);
  }

  /** Throws LabelRangeError if a call's GPU-resident labels held any out-of-range label. */
  checkLabels(out: LossOutputs, classes: number): Promise<void> {
    return checkLabelsOnGpu(out, classes);
  }

  /** Compiles every pipeline ahead of the first call. */
  async warmup(): Promise<void> {
    await Promise.all([this.pipeline('softmax', 'main_wg', { WG: 64 }), this.pipeline('softmax', 'main_thread', { WG: 64 })]);
  }
}
