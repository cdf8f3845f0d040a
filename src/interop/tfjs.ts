// webgpu-loss/tfjs: the library's kernels on TensorFlow.js tensors, on TF.js's own GPUDevice.
//
// Zero-copy in, zero-copy (or one GPU copy) out, nothing through the CPU:
// - Inputs: a TF.js WebGPU tensor's values live in a GPUBuffer of the backend
//   (`backend.tensorMap.get(t.dataId).resource`, STORAGE | COPY_SRC | COPY_DST, exactly
//   4·size bytes). The adapter wraps that buffer (`wl.wrap`) and reads it in place. It does not
//   use `tensor.dataToGPU()`: on the WebGPU backend (4.22, `readToGPU`) that allocates a new
//   buffer, copies the whole tensor into it in a submit of its own, and throws for a tensor whose
//   values are still on the CPU. A tensor whose values are still on the CPU (just made from an
//   array) is uploaded first by the backend's own `uploadToGPU` (an upload, never a download).
// - Ordering: TF.js records its kernels into a command encoder it submits lazily. Its pending
//   work (which may be what produces our inputs) is submitted before the library's, so queue
//   order makes our kernels see finished inputs, and later TF.js work sees our outputs.
// - Lifetime: each input is held by a `tf.clone` (same data id, one more reference) until the
//   library's call is submitted, so a caller who disposes an input meanwhile cannot return its
//   buffer to TF.js's pool (and to another tensor) before our kernels are queued.
// - Outputs are TF.js tensors whose buffers TF.js owns: each is made by the backend
//   (`makeTensorInfo` + `uploadToGPU` without values takes a buffer from TF.js's pool) and
//   disposing the tensor returns it there; nothing is freed twice and nothing leaks. The
//   cross-entropy gradient is written straight into such a buffer (`gradOut`). Outputs the
//   library allocates itself (losses, softmax, the other gradients, extras) are copied once,
//   GPU to GPU, into TF.js buffers in one extra submit, and the library's buffers are freed.
//   (`tf.tensor({ buffer, zeroCopy: true })` would leave no one to destroy the buffer: TF.js
//   marks such data `external` and never frees it; `zeroCopy: false` makes the same copy.)
//
// TF.js is taken as an argument (`TfjsLoss.create(tf)`), and only its types are imported here, so
// this module never bundles a second copy of tfjs-core (two engines in one page break TF.js).

/**
 * The library's kernels on TensorFlow.js tensors, on the `GPUDevice` of TF.js's WebGPU backend:
 * TF.js tensors in and out, nothing through the CPU. {@link TfjsLoss.create} takes your `tf`
 * namespace (this module imports only TF.js's types), so the page keeps one copy of TF.js.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import '@tensorflow/tfjs-backend-webgpu';
 * import { TfjsLoss } from 'webgpu-loss/tfjs';
 * await tf.setBackend('webgpu');
 * const tl = await TfjsLoss.create(tf);
 * using out = await tl.crossEntropy(tf.randomNormal([8, 4]), tf.tensor1d([0, 3, 1, 2, 0, 1, 3, 2], 'int32'));
 * out.loss.print();
 * @module webgpu-loss/tfjs
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { BufferError, DTypeError, DeviceError, OptionError, WebGPULoss } from '../index';
import { bool, optionsObject } from '../contract/options';
import { show } from '../contract/show';
import { CROSS_ENTROPY_KEYS } from '../contract/configs/cross-entropy';
import { JSD_KEYS } from '../contract/configs/jsd';
import { CREATE_KEYS } from '../contract/create';
import { DISPOSE } from '../contract/dispose';
import type { BinaryCrossEntropyOptions, BinaryFocalLossOptions, CreateOptions, CrossEntropyOptions, DType, EntropyOptions, FocalLossOptions, GpuTensor, JSDivergenceOptions, KLDivergenceOptions, LossOutputs, SoftmaxOptions } from '../index';

/** The parts of the TF.js namespace the adapter uses (`import * as tf from '@tensorflow/tfjs'` or tfjs-core). */
export type Tfjs = Pick<typeof tfc, 'getBackend' | 'backend' | 'engine' | 'clone' | 'keep' | 'tidy' | 'sum' | 'mul' | 'variableGrads' | 'dispose'>;

/** What the adapter needs of TF.js 4.x's WebGPUBackend (public members of its class). */
interface WebGPUBackendLike {
  device: GPUDevice;
  tensorMap: { has(id: object): boolean; get(id: object): { resource?: unknown } | undefined };
  uploadToGPU(id: object): void;
  makeTensorInfo(shape: number[], dtype: tfc.DataType): tfc.TensorInfo;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

const BACKEND_METHODS = ['uploadToGPU', 'makeTensorInfo', 'ensureCommandEncoderReady', 'endComputePassEncoder', 'submitQueue'] as const;

/** Results of a loss as TF.js tensors, freed together by `out.dispose()` (or a `using` block). */
export interface TfjsLossOutputs {
  /** Scalar for 'sum' / 'mean', [rows] for 'none' (BCE: the input's shape). */
  loss: tfc.Tensor;
  /** d loss / d input, the input's shape, when `grad: true`. */
  grad?: tfc.Tensor;
  /** Cross-entropy `extras`: per-row log-sum-exp (float32). */
  lse?: tfc.Tensor;
  /** Cross-entropy `extras`: per-row argmax (int32). */
  argmax?: tfc.Tensor;
  /** Cross-entropy `extras` with sparse labels: per-row 1 where argmax hits the label (int32). */
  correct?: tfc.Tensor;
  /** Cross-entropy `extras` from logits, sparse labels: per-row ln p of the label, nats (float32). */
  labelLogProb?: tfc.Tensor;
  /** Cross-entropy `extras` from logits: per-row entropy of the softmax, the call's base (float32). */
  entropy?: tfc.Tensor;
  /** Cross-entropy `extras` with `topK`: per-row top-k hit (int32). */
  topKHit?: tfc.Tensor;
  /** Cross-entropy with sparse labels: int32 scalar, labels outside [0, classes) that are not ignored (their rows are NaN). */
  invalidLabels?: tfc.Tensor;
  /**
   * Settles when WebGPU has checked the call's commands: rejects with a `DeviceError` (GPU_ERROR)
   * if it reported an error. Not needed for the values (TF.js orders its work after ours);
   * await it where an error must surface.
   */
  ready: Promise<void>;
  /** Disposes every tensor of this result. */
  dispose(): void;
  /** `dispose()`, for `using out = await tl.crossEntropy(...)`. */
  [Symbol.dispose](): void;
}

/** Cross-entropy options for TF.js tensors (the gradient goes to a new tensor: no `inPlace` / `gradOut`). */
export type TfjsCrossEntropyOptions = CrossEntropyOptions;

/** Options of `gradients` / `trainStep`. */
export interface TfjsTrainOptions extends TfjsCrossEntropyOptions {
  /** Variables to differentiate (default: every trainable variable the forward pass uses). */
  varList?: tfc.Variable[];
}

/** What `gradients` returns: the library's loss (and extras) and d loss / d variable for each variable. */
export interface TfjsGradients extends Omit<TfjsLossOutputs, 'grad'> {
  /** d loss / d variable, keyed by variable name (as `tf.variableGrads` gives them). */
  grads: tfc.NamedTensorMap;
}

/**
 * The library on TensorFlow.js's WebGPU backend: same `GPUDevice`, TF.js tensors in and out.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';            // or tfjs-core + tfjs-backend-webgpu
 * import '@tensorflow/tfjs-backend-webgpu';
 * import { TfjsLoss } from 'webgpu-loss/tfjs';
 * await tf.setBackend('webgpu');
 * const tl = await TfjsLoss.create(tf);
 * const logits = tf.randomNormal([64, 10]);
 * const labels = tf.randomUniform([64], 0, 10, 'int32');
 * const { loss, grad } = await tl.crossEntropy(logits, labels, { grad: true, labelSmoothing: 0.1 });
 * loss.print();                                       // a tf.Scalar; grad: a [64, 10] tf.Tensor
 * tf.dispose([loss, grad!]);
 */
export class TfjsLoss {
  private constructor(
    private readonly tf: Tfjs,
    /** TF.js's WebGPU backend (its `device` is the library's). */
    readonly backend: tfc.KernelBackend,
    /** The library object on TF.js's device: `stats()`, `warmup()`, `dispose()`, GPU tensors. */
    readonly wl: WebGPULoss,
  ) {}

  /**
   * Makes the library object on the `GPUDevice` of TF.js's active WebGPU backend. Throws a
   * `DeviceError` (NO_WEBGPU) when TF.js's active backend is not 'webgpu'.
   * @example
   * await tf.setBackend('webgpu');
   * const tl = await TfjsLoss.create(tf);
   */
  static async create(tf: Tfjs, opts: Omit<CreateOptions, 'device' | 'adapter' | 'gpu' | 'powerPreference'> = {}): Promise<TfjsLoss> {
    // The device is TF.js's: the options that would choose another are not options here.
    const o = optionsObject(opts, CREATE_KEYS.filter((k) => !['device', 'adapter', 'gpu', 'powerPreference'].includes(k)));
    if (!tf || typeof tf.getBackend !== 'function' || typeof tf.backend !== 'function') {
      throw new OptionError('tf', 'expected the TensorFlow.js namespace (import * as tf from \'@tensorflow/tfjs\')');
    }
    const name = tf.getBackend();
    if (name !== 'webgpu') {
      throw new DeviceError('NO_WEBGPU', `TF.js's active backend is '${name}', not 'webgpu' (await tf.setBackend('webgpu') first)`, 'tf');
    }
    const backend = tf.backend();
    const b = backend as unknown as Partial<WebGPUBackendLike>;
    const missing = BACKEND_METHODS.filter((m) => typeof b[m] !== 'function');
    if (!b.device || !b.tensorMap || missing.length > 0) {
      throw new OptionError('tf', `TF.js's 'webgpu' backend lacks ${missing.length ? missing.join(', ') : 'device / tensorMap'} (written for @tensorflow/tfjs-backend-webgpu 4.x)`);
    }
    const wl = await WebGPULoss.create({ ...o, device: b.device });
    return new TfjsLoss(tf, backend, wl);
  }

  /** The shared `GPUDevice` (TF.js's `tf.backend().device`). */
  get device(): GPUDevice {
    return this.wl.device;
  }

  /**
   * Frees what the library holds on the device (pipelines, scratch); TF.js and its device are left alone.
   * @example
   * tl.dispose();
   */
  dispose(): void {
    this.wl.dispose();
  }

  private get gpu(): WebGPUBackendLike {
    return this.backend as unknown as WebGPUBackendLike;
  }

  /**
   * Cross-entropy of `input` (logits by default, or `from: 'probs'`; float32 [rows, classes] or
   * [classes]) against int32 labels [rows] (or [] for one row) or dense float32 targets of the
   * input's shape. Options as `WebGPULoss.crossEntropy`; `grad: true` adds d loss / d input,
   * written by the fused kernel straight into the returned tensor's buffer.
   * @example
   * const { loss, grad, correct } = await tl.crossEntropy(logits, labels, { grad: true, extras: true });
   */
  async crossEntropy(input: tfc.Tensor, target: tfc.Tensor, opts: TfjsCrossEntropyOptions = {}): Promise<TfjsLossOutputs> {
    // Read once: whether the gradient is asked decides where it goes, before the call reads the rest.
    const { inPlace, gradOut, ...o } = optionsObject(opts, [...CROSS_ENTROPY_KEYS, 'inPlace', 'gradOut']);
    for (const [key, v] of [['inPlace', inPlace === false ? undefined : inPlace], ['gradOut', gradOut]] as const) {
      if (v !== undefined) throw new OptionError(`options.${key}`, 'is not available on TF.js tensors (they are immutable; the gradient is returned as a new tensor)');
    }
    return this.runLoss('crossEntropy', [[input, 'input', 'float'], [target, 'target', 'any']], o, bool(o.grad, 'options.grad'));
  }

  /**
   * Binary cross-entropy, elementwise, of float32 logits (or probabilities) against float32
   * targets of the same shape. Options as `WebGPULoss.binaryCrossEntropy`.
   * @example
   * const { loss, grad } = await tl.binaryCrossEntropy(scores, targets01, { posWeight: 3, grad: true });
   */
  binaryCrossEntropy(input: tfc.Tensor, target: tfc.Tensor, opts: BinaryCrossEntropyOptions = {}): Promise<TfjsLossOutputs> {
    return this.runLoss('binaryCrossEntropy', [[input, 'input', 'float'], [target, 'target', 'float']], opts, false);
  }

  /**
   * Binary focal loss, elementwise, of float32 logits against float32 targets in [0, 1] of the
   * same shape. Options as `WebGPULoss.binaryFocalLoss`.
   * @example
   * const { loss, grad } = await tl.binaryFocalLoss(scores, targets01, { alpha: 0.25, gamma: 2, grad: true });
   */
  binaryFocalLoss(input: tfc.Tensor, target: tfc.Tensor, opts: BinaryFocalLossOptions = {}): Promise<TfjsLossOutputs> {
    return this.runLoss('binaryFocalLoss', [[input, 'input', 'float'], [target, 'target', 'float']], opts, false);
  }

  /**
   * Softmax focal loss of float32 logits against int32 labels [rows] or dense float32 targets of
   * the input's shape. Options as `WebGPULoss.focalLoss`.
   * @example
   * const { loss, grad } = await tl.focalLoss(logits, labels, { gamma: 2, grad: true });
   */
  focalLoss(input: tfc.Tensor, target: tfc.Tensor, opts: FocalLossOptions = {}): Promise<TfjsLossOutputs> {
    return this.runLoss('focalLoss', [[input, 'input', 'float'], [target, 'target', 'any']], opts, false);
  }

  /**
   * KL(target ‖ input) per row; input logits by default, target probabilities by default.
   * Options as `WebGPULoss.klDivergence`.
   * @example
   * const { loss, grad } = await tl.klDivergence(studentLogits, teacherProbs, { grad: true });
   */
  klDivergence(input: tfc.Tensor, target: tfc.Tensor, opts: KLDivergenceOptions = {}): Promise<TfjsLossOutputs> {
    return this.runLoss('klDivergence', [[input, 'input', 'float'], [target, 'target', 'float']], opts, false);
  }

  /**
   * Generalized Jensen–Shannon divergence between float32 student and teacher logits of one
   * shape (β = 0: KL(teacher‖student), β = 1: KL(student‖teacher)); `labels` an int32 tf.Tensor
   * [rows]. Options as `WebGPULoss.jsDivergence`; `grad` is with respect to the student.
   * @example
   * const { loss, grad } = await tl.jsDivergence(studentLogits, teacherLogits, { temperature: 2, grad: true });
   */
  jsDivergence(student: tfc.Tensor, teacher: tfc.Tensor, opts: JSDivergenceOptions<tfc.Tensor> = {}): Promise<TfjsLossOutputs> {
    const { labels, ...o } = optionsObject(opts, JSD_KEYS);
    const args: [tfc.Tensor, string, 'float' | 'any'][] = [[student, 'student', 'float'], [teacher, 'teacher', 'float']];
    if (labels !== undefined) args.push([labels as tfc.Tensor, 'options.labels', 'any']);
    return this.runLoss('jsDivergence', args, o, false, labels !== undefined ? 'labels' : undefined);
  }

  /**
   * Entropy −Σ p ln p of each row (probabilities by default, or `from: 'logits'`).
   * @example
   * const { loss } = await tl.entropy(probs, { base: 2, reduction: 'none' });
   */
  entropy(input: tfc.Tensor, opts: EntropyOptions = {}): Promise<TfjsLossOutputs> {
    return this.runLoss('entropy', [[input, 'input', 'float']], opts, false);
  }

  /**
   * Softmax over the last axis (of `x / temperature`), as a new TF.js tensor. Resolves once
   * WebGPU has checked the commands (rejects with a `DeviceError` if it reported an error).
   * @example
   * const p = await tl.softmax(logits, { temperature: 2 });
   */
  softmax(x: tfc.Tensor, opts: SoftmaxOptions = {}): Promise<tfc.Tensor> {
    return this.runSoftmax(x, opts, false);
  }

  /**
   * Log-softmax over the last axis, as a new TF.js tensor.
   * @example
   * const lp = await tl.logSoftmax(logits);
   */
  logSoftmax(x: tfc.Tensor, opts: SoftmaxOptions = {}): Promise<tfc.Tensor> {
    return this.runSoftmax(x, opts, true);
  }

  /**
   * The gradient of the library's cross-entropy with respect to TF.js variables. TF.js's tape
   * cannot wait for an async loss, so: (1) `forward()` runs once without the tape to give the
   * logits z; (2) the library computes the loss L and g = dL/dz in one fused kernel; (3)
   * `tf.variableGrads` differentiates the surrogate S(θ) = Σ z(θ)·g with g held constant, whose
   * gradient is exactly (∂z/∂θ)ᵀ g = dL/dθ (the chain rule). The forward pass therefore runs
   * twice, and must compute the same function both times: with dropout or other randomness in
   * it, fix the seed or the mask, or the loss and the gradient belong to different passes. TF.js's
   * gradients must be registered (the `@tensorflow/tfjs` bundle does it; with
   * tfjs-core alone import '@tensorflow/tfjs-core/dist/register_all_gradients').
   * @example
   * const { loss, grads } = await tl.gradients(() => model.apply(x) as tf.Tensor2D, labels);
   */
  async gradients(forward: () => tfc.Tensor, target: tfc.Tensor, opts: TfjsTrainOptions = {}): Promise<TfjsGradients> {
    if (typeof forward !== 'function') throw new OptionError('forward', `must be a function that returns the logits, got ${show(forward)}`);
    const { varList, ...ceOpts } = optionsObject(opts, [...CROSS_ENTROPY_KEYS, 'varList']);
    if (varList !== undefined && !Array.isArray(varList)) throw new OptionError('options.varList', `must be an array of tf.Variables, got ${show(varList)}`);
    const tf = this.tf;
    const logits = tf.tidy(forward);
    if (!isTensor(logits)) throw new OptionError('forward', `must return a tf.Tensor (the logits), returned ${show(logits)}`);
    let out: TfjsLossOutputs;
    try {
      out = await this.crossEntropy(logits, target, { ...ceOpts, grad: true });
    } finally {
      logits.dispose();
    }
    const { grad, ...rest } = out;
    try {
      const g = grad!;
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(forward(), g)) as tfc.Scalar, varList as tfc.Variable[] | undefined);
      value.dispose();
      return this.disposable({ ...rest, grads } as TfjsGradients);
    } catch (e) {
      tf.dispose(Object.values(rest).filter((t): t is tfc.Tensor => isTensor(t)));
      throw e;
    } finally {
      grad!.dispose();
    }
  }

  /**
   * One optimizer step on the library's cross-entropy: `gradients(...)`, then
   * `optimizer.applyGradients`. Returns the loss (and extras) of the step, before the update.
   * @example
   * const opt = tf.train.adam(0.05);
   * for (let step = 0; step < 100; step++) {
   *   using r = await tl.trainStep(() => model(x), labels, opt);   // or r.dispose() when done
   *   if (step % 10 === 0) console.log(step, (await r.loss.data())[0]);
   * }
   */
  async trainStep(forward: () => tfc.Tensor, target: tfc.Tensor, optimizer: Pick<tfc.Optimizer, 'applyGradients'>, opts: TfjsTrainOptions = {}): Promise<Omit<TfjsLossOutputs, 'grad'>> {
    // Checked before the work: a bad optimizer would otherwise fail only after the gradients.
    if (typeof (optimizer as { applyGradients?: unknown } | null)?.applyGradients !== 'function') {
      throw new OptionError('optimizer', `must be a tf.Optimizer (with applyGradients), got ${show(optimizer)}`);
    }
    const { grads, ...rest } = await this.gradients(forward, target, opts);
    try {
      // A call WebGPU rejected leaves g undefined: never step on it.
      await rest.ready;
      optimizer.applyGradients(grads);
    } catch (e) {
      this.tf.dispose(Object.values(rest).filter((t): t is tfc.Tensor => isTensor(t)));
      throw e;
    } finally {
      this.tf.dispose(Object.values(grads));
    }
    return this.disposable(rest as Omit<TfjsLossOutputs, 'grad'>);
  }

  // ---- plumbing --------------------------------------------------------------------------------

  /** Checks a TF.js argument (a tensor, not disposed, its dtype, on this backend) before anything is held. */
  private check(t: tfc.Tensor, name: string, kind: 'float' | 'any'): void {
    let facts: Pick<tfc.Tensor, 'isDisposed' | 'dtype' | 'dataId'> | undefined;
    try {
      if (isTensor(t)) facts = { isDisposed: t.isDisposed, dtype: t.dtype, dataId: t.dataId };
    } catch {
      // a look-alike whose reads throw
    }
    if (!facts) throw new OptionError(name, 'expected a tf.Tensor');
    if (facts.isDisposed) throw new DeviceError('DISPOSED', 'the tf.Tensor was disposed', name);
    const allowed = kind === 'float' ? ['float32'] : ['float32', 'int32'];
    if (!allowed.includes(facts.dtype)) {
      const hint = facts.dtype === 'bool' ? ' (cast labels to int32)' : '';
      throw new DTypeError(name, `expected a ${allowed.join(' or ')} tf.Tensor, got ${facts.dtype}${hint}`);
    }
    if (!this.gpu.tensorMap.has(facts.dataId)) {
      throw new DeviceError('DEVICE_MISMATCH', "the tf.Tensor's data live on another TF.js backend than this adapter's 'webgpu' backend (create it while 'webgpu' is active)", name);
    }
  }

  /**
   * Wraps checked TF.js tensors for one library call: uploads CPU-resident values, holds a clone
   * of each until `release`, and submits TF.js's pending work so that it runs before ours.
   */
  private acquire(args: [tfc.Tensor, string, 'float' | 'any'][]): { wrapped: GpuTensor[]; release: () => void } {
    for (const [t, name, kind] of args) this.check(t, name, kind);
    const tf = this.tf;
    const gpu = this.gpu;
    const wrapped: GpuTensor[] = [];
    const held: tfc.Tensor[] = [];
    const release = () => tf.dispose(held);
    try {
      for (const [t, name] of args) {
        gpu.uploadToGPU(t.dataId);
        const resource = gpu.tensorMap.get(t.dataId)?.resource;
        if (!(resource instanceof GPUBuffer)) throw new BufferError(name, "the tf.Tensor's data are not in a GPUBuffer (a texture-backed tensor); pass it through a TF.js op first", 'BUFFER_USAGE');
        held.push(tf.keep(tf.clone(t)));
        wrapped.push(this.wl.wrap(resource, t.shape, t.dtype as DType));
      }
      gpu.ensureCommandEncoderReady();
      gpu.endComputePassEncoder();
      gpu.submitQueue();
    } catch (e) {
      release();
      throw e;
    }
    return { wrapped, release };
  }

  /** A new TF.js tensor on this backend whose (uninitialised) buffer comes from TF.js's pool. */
  private newTensor(shape: readonly number[], dtype: 'float32' | 'int32'): { t: tfc.Tensor; buffer: GPUBuffer } {
    const gpu = this.gpu;
    const info = gpu.makeTensorInfo([...shape], dtype);
    gpu.uploadToGPU(info.dataId); // no values: takes a buffer from the pool, records nothing
    const buffer = gpu.tensorMap.get(info.dataId)!.resource as GPUBuffer;
    return { t: this.tf.engine().makeTensorFromTensorInfo(info, this.backend), buffer };
  }

  /**
   * Moves library outputs into new TF.js tensors: one copy per output in one submit, then the
   * library's buffers are freed (WebGPU keeps them until the copy has run).
   */
  private handOff(outs: [GpuTensor, 'float32' | 'int32'][]): { tensors: tfc.Tensor[]; done: Promise<void> } {
    const dev = this.wl.device;
    const tensors: tfc.Tensor[] = [];
    dev.pushErrorScope('validation');
    let scope: Promise<GPUError | null>;
    try {
      const enc = dev.createCommandEncoder({ label: 'webgpu-loss:tfjs:handoff' });
      for (const [src, dtype] of outs) {
        const { t, buffer } = this.newTensor(src.shape, dtype);
        tensors.push(t);
        if (src.byteLength > 0) enc.copyBufferToBuffer(src.buffer, src.offset, buffer, 0, src.byteLength);
      }
      dev.queue.submit([enc.finish()]);
    } catch (e) {
      this.tf.dispose(tensors);
      throw e;
    } finally {
      for (const [src] of outs) src.destroy();
      scope = dev.popErrorScope();
    }
    const done = scope.then((err) => {
      if (err) throw new DeviceError('GPU_ERROR', `WebGPU reported an error handing results to TF.js: ${err.message}`);
    });
    done.catch(() => {});
    return { tensors, done };
  }

  private async runLoss(
    op: 'crossEntropy' | 'binaryCrossEntropy' | 'klDivergence' | 'entropy' | 'binaryFocalLoss' | 'focalLoss' | 'jsDivergence',
    args: [tfc.Tensor, string, 'float' | 'any'][],
    opts: object,
    directGrad: boolean,
    /** The option the last argument goes in (jsDivergence's labels), rather than a position. */
    optionTensor?: string,
  ): Promise<TfjsLossOutputs> {
    const { wrapped, release } = this.acquire(args);
    let gradOut: { t: tfc.Tensor; buffer: GPUBuffer } | undefined;
    let out: LossOutputs;
    try {
      // Cross-entropy writes its gradient straight into a TF.js buffer.
      if (directGrad) gradOut = this.newTensor(wrapped[0].shape, 'float32');
      let o = gradOut ? { ...opts, grad: false, gradOut: this.wl.wrap(gradOut.buffer, wrapped[0].shape) } : opts;
      const positional = optionTensor ? wrapped.slice(0, -1) : wrapped;
      if (optionTensor) o = { ...o, [optionTensor]: wrapped[wrapped.length - 1] };
      const wl = this.wl as unknown as Record<string, (...a: unknown[]) => Promise<LossOutputs>>;
      out = await wl[op](...positional, o);
    } catch (e) {
      gradOut?.t.dispose();
      throw e;
    } finally {
      release(); // the library's commands are submitted (or none were): inputs may go
    }
    const keys = (['loss', 'grad', 'lse', 'argmax', 'correct', 'labelLogProb', 'entropy', 'topKHit', 'invalidLabels'] as const)
      .filter((k) => out[k] && !(k === 'grad' && gradOut));
    const ready = out.loss.ready;
    // TF.js tensors are float32 or int32, and so are the outputs of their losses.
    const { tensors, done } = this.handOff(keys.map((k) => [out[k]!, out[k]!.dtype as 'float32' | 'int32']));
    const res = this.disposable({ loss: tensors[0], ready: Promise.all([ready, done]).then(() => {}) } as TfjsLossOutputs);
    keys.forEach((k, i) => { res[k] = tensors[i]; });
    if (gradOut) res.grad = gradOut.t;
    res.ready.catch(() => {});
    return res;
  }

  /** Gives a result `dispose()` (and Symbol.dispose): every TF.js tensor in it, gradients included. */
  private disposable<T extends object>(res: T): T {
    const dispose = () => this.tf.dispose(Object.values(res).flatMap((v) => (isTensor(v) ? [v] : isTensorMap(v) ? Object.values(v) : [])));
    Object.defineProperties(res, { dispose: { value: dispose }, [DISPOSE]: { value: dispose } });
    return res;
  }

  private async runSoftmax(x: tfc.Tensor, opts: SoftmaxOptions, log: boolean): Promise<tfc.Tensor> {
    const { wrapped, release } = this.acquire([[x, 'input', 'float']]);
    let out: GpuTensor;
    try {
      out = await (log ? this.wl.logSoftmax(wrapped[0], opts) : this.wl.softmax(wrapped[0], opts));
    } finally {
      release();
    }
    const ready = out.ready;
    const { tensors, done } = this.handOff([[out, 'float32']]);
    try {
      await Promise.all([ready, done]); // WebGPU's check of the commands (no GPU wait): ~1 ms
    } catch (e) {
      tensors[0].dispose();
      throw e;
    }
    return tensors[0];
  }
}

function isTensor(t: unknown): t is tfc.Tensor {
  try {
    return typeof t === 'object' && t !== null && 'dataId' in t && 'shape' in t && 'dtype' in t;
  } catch {
    return false; // a proxy whose traps throw
  }
}

function isTensorMap(v: unknown): v is tfc.NamedTensorMap {
  return typeof v === 'object' && v !== null && !(v instanceof Promise) && Object.values(v).length > 0 && Object.values(v).every(isTensor);
}

