import type { SoftmaxOptions } from './types';
import { GpuContext, type CreateOptions, type TensorLike } from './gpu/context';
import type { GpuTensor } from './gpu/tensor';
import { softmaxOp } from './kernels/softmax';

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

  /** Compiles every pipeline ahead of the first call. */
  async warmup(): Promise<void> {
    await Promise.all([this.pipeline('softmax', 'main_wg', { WG: 64 }), this.pipeline('softmax', 'main_thread', { WG: 64 })]);
  }
}
