import type { BinaryCrossEntropyOptions, EntropyOptions, KLDivergenceOptions, SoftmaxOptions } from './types';
import { GpuContext, type CreateOptions, type TensorLike } from './gpu/context';
import type { GpuTensor } from './gpu/tensor';
import { softmaxOp } from './kernels/softmax';
import { rowShapes, reduceWG, bceWG } from './kernels/common';
import { binaryCrossEntropyOp } from './kernels/binary-cross-entropy';
import { crossEntropyOp, checkLabelsOnGpu, crossEntropyPipelines, type GpuCrossEntropyOptions, type LossOutputs } from './kernels/cross-entropy';
import { entropyOp, klDivergenceOp, ENTROPY_WARM_FLAGS } from './kernels/entropy';
import { linearCrossEntropyOp, linearPipelines, type LinearCrossEntropyOptions, type LinearCrossEntropyOutputs } from './kernels/linear-cross-entropy';

/**
 * The library's entry point: one object per `GPUDevice`.
 *
 * @example
 * const wl = await WebGPULoss.create();            // or { device } to share TF.js's device
 * const p = await wl.softmax({ data: new Float32Array([1, 2, 3]), shape: [1, 3] });
 * console.log(await p.read());                     // Float32Array [0.090, 0.245, 0.665]
 */
export class WebGPULoss extends GpuContext {
  /** Tells a WebGPULoss from the CPU fallback (`createLoss({ fallback: 'cpu' })`). */
  readonly backend = 'webgpu' as const;

  static async create(opts: CreateOptions = {}): Promise<WebGPULoss> {
    const { device, facts, owned } = await GpuContext.acquire(opts);
    const wl = new WebGPULoss(device, facts, opts);
    wl.ownsDevice = owned;
    return wl;
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

  /**
   * Shannon entropy of each row, H = −Σ p·ln p (0·ln 0 = 0), from probabilities (default) or
   * logits (through a softmax; -Infinity logits are masked classes). 'mean' is over rows; base 2
   * gives bits. `grad: true` also returns dH / d input.
   * @example
   * const out = await wl.entropy({ data: new Float32Array([0.75, 0.25]), shape: [1, 2] }, { base: 2 });
   * const [bits] = await out.loss.read();            // 0.8113
   */
  entropy(input: TensorLike, opts: EntropyOptions = {}): Promise<LossOutputs> {
    return entropyOp(this, input, opts);
  }

  /**
   * KL divergence KL(P‖Q) of each row, for a prediction Q (`input`: logits by default, or
   * `from: 'probs'`) and a target P (`target`, same shape: probabilities by default, or
   * `targetFrom: 'logits'`). 'mean' is over rows (PyTorch's batchmean); base 2 gives bits.
   * `grad: true` also returns the gradient with respect to the input (not the target).
   * @example
   * const out = await wl.klDivergence(
   *   { data: studentLogits, shape: [rows, classes] },
   *   { data: teacherLogits, shape: [rows, classes] },
   *   { targetFrom: 'logits', grad: true },
   * );
   * const [kl] = await out.loss.read();
   * const grad = await out.grad!.read();
   */
  klDivergence(input: TensorLike, target: TensorLike, opts: KLDivergenceOptions = {}): Promise<LossOutputs> {
    return klDivergenceOp(this, input, target, opts);
  }

  /**
   * Binary cross-entropy, elementwise, from logits (default; the stable softplus form) or
   * probabilities (clipped to [ε, 1 − ε]), against targets of the input's shape (0/1 or soft),
   * with `posWeight` and `weight` per column or one number. 'mean' is over every element; 'none'
   * gives a [rows, cols] loss. `grad: true` also returns d loss / d input.
   * @example
   * const out = await wl.binaryCrossEntropy(
   *   { data: logits, shape: [rows, cols] },
   *   { data: targets, shape: [rows, cols] },
   *   { posWeight: 3, reduction: 'mean', grad: true },
   * );
   * const [loss] = await out.loss.read();
   * const grad = await out.grad!.read();
   */
  binaryCrossEntropy(input: TensorLike, target: TensorLike, opts: BinaryCrossEntropyOptions = {}): Promise<LossOutputs> {
    return binaryCrossEntropyOp(this, input, target, opts);
  }

  /**
   * Cross-entropy of a classifier layer's logits z = hidden·weightᵀ (+ bias) against sparse labels,
   * computed blockwise so that no [N, V] buffer exists: `hidden` [N, D] and `weight` [V, D] float32,
   * `labels` [N] int32, `opts.bias` [V]. Options as crossEntropy's from logits (`reduction`,
   * `ignoreIndex`, `allIgnored`, `labelSmoothing`, `zLoss`, `softcap`, `base`, class `weight`);
   * `grad: true` also returns `gradHidden` [N, D], `gradWeight` [V, D] and `gradBias` [V].
   * Deterministic (fixed-order sums, no atomics).
   * @example
   * const out = await wl.linearCrossEntropy(
   *   { data: hidden, shape: [N, D] },
   *   { data: classifier, shape: [V, D] },
   *   { data: new Int32Array(labels), shape: [N] },
   *   { bias: { data: bias, shape: [V] }, labelSmoothing: 0.1, grad: true },
   * );
   * const [loss] = await out.loss.read();
   * const dW = await out.gradWeight!.read();
   */
  linearCrossEntropy(hidden: TensorLike, weight: TensorLike, labels: TensorLike, opts: LinearCrossEntropyOptions = {}): Promise<LinearCrossEntropyOutputs> {
    return linearCrossEntropyOp(this, hidden, weight, labels, opts);
  }

  /** Throws LabelRangeError if a call's GPU-resident labels held any out-of-range label. */
  checkLabels(out: LossOutputs, classes: number): Promise<void> {
    return checkLabelsOnGpu(out, classes);
  }

  /**
   * Compiles pipelines ahead of the first call: softmax, BCE and entropy/KL in their default forms,
   * the reduction, and
   * cross-entropy for each option set given (default: sparse labels from logits, with and without
   * the gradient). Cross-entropy compiles one pipeline per feature combination (see
   * `crossEntropyFlags`), so pass the options your training loop uses; likewise
   * linearCrossEntropy for each option set in `linear` (default none; `bias: true` stands for
   * "with a bias").
   * @example
   * await wl.warmup([{ grad: true, labelSmoothing: 0.1 }], false, [{ grad: true, bias: true }]);
   */
  async warmup(crossEntropy: GpuCrossEntropyOptions[] = [{}, { grad: true }], dense = false,
    linear: (Omit<LinearCrossEntropyOptions, 'bias'> & { bias?: unknown })[] = []): Promise<void> {
    await Promise.all([
      ...linear.flatMap((o) => linearPipelines(this, o as LinearCrossEntropyOptions).map((p) => this.pipeline('linearCrossEntropy', p.entry, p.constants))),
      ...rowShapes(this).flatMap((c) => [0, 1].map((LOG_OUT) => this.pipeline('softmax', 'main', { ...c, LOG_OUT }))),
      ...crossEntropy.flatMap((o) => crossEntropyPipelines(this, o, !dense).map((p) => this.pipeline('crossEntropy', p.entry, p.constants))),
      // binary cross-entropy from logits with scalar weights, with and without the gradient
      ...[0, 1].flatMap((SUMS) => [0, 8].map((FLAGS) => this.pipeline('binaryCrossEntropy', 'main', { WG: bceWG(this), SUMS, FLAGS }))),
      this.pipeline('reduce', 'main', { WG: reduceWG(this) }),
      ...rowShapes(this).flatMap((c) => ENTROPY_WARM_FLAGS.map((FLAGS) => this.pipeline('entropy', 'main', { ...c, FLAGS })))]);
  }
}
