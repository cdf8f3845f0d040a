import type { BinaryCrossEntropyOptions, BinaryFocalLossOptions, DType, EntropyOptions, HalfDType, FocalLossOptions, KLDivergenceOptions, SoftmaxOptions } from './contract/types';
import { int32, oneOf, optionsObject, snapshot } from './contract/options';
import { owned, type Result } from './dispose';
import { BufferError, DeviceError, DTypeError, LabelRangeError, OptionError } from './contract/errors';
import { show, whyUnreadable } from './contract/show';
import { copyDims, readOnce } from './contract/tensor';
import { checkCallerBuffer } from './contract/buffer';
import { GpuContext, type AdapterFacts, type CreateOptions, type TensorLike } from './gpu/context';
import { GpuTensor } from './gpu/tensor';
import { softmaxOp } from './kernels/softmax';
import { defaultPipelines } from './kernels/warmup';
import { binaryCrossEntropyOp } from './kernels/binary-cross-entropy';
import { crossEntropyOp, crossEntropyPipelines, parseGpuCrossEntropyOptions, type GpuCrossEntropyOptions, type LossOutputs } from './kernels/cross-entropy';
import { CROSS_ENTROPY_KEYS } from './contract/configs/cross-entropy';
import { LINEAR_KEYS, parseLinearOptions } from './contract/configs/linear-cross-entropy';
import { entropyOp, klDivergenceOp } from './kernels/entropy';
import { linearCrossEntropyOp, linearPipelines, type LinearCrossEntropyOptions, type LinearCrossEntropyOutputs } from './kernels/linear-cross-entropy';
import { int64LabelsOp, INT64_OUT_OF_RANGE } from './kernels/int64-labels';
import { binaryFocalOp, focalOp } from './kernels/focal';
import { newGpuEvaluator, type GpuEvaluator } from './kernels/evaluator';
import type { EvaluatorOptions } from './contract/configs/evaluator';
import { WARM_CALLS, warmCalls, warmSets, type WarmCallOptions } from './warmup';
import { jsDivergenceOp, type GpuJSDivergenceOptions } from './kernels/jsd';
import { linearJsDivergenceOp, type GpuLinearJSDivergenceOptions, type GpuLinearJSDTeacher, type LinearJSDivergenceOutputs } from './kernels/linear-jsd';
import { teacherHeadOf } from './contract/configs/linear-jsd';

/**
 * What `warmup()` compiles ahead of the first calls: option sets per operation, each as a call
 * would pass them; `dtype: 'float16' | 'bfloat16'` stands for 16-bit inputs (float32 by default).
 */
export interface WarmupOptions extends WarmCallOptions {
  /**
   * crossEntropy option sets your calls use (each feature combination is its own pipeline).
   * Default: sparse labels from logits, with and without the gradient. `target: 'dense'` stands
   * for dense targets (default `'labels'`); class weights count by their presence only.
   */
  crossEntropy?: (GpuCrossEntropyOptions & { target?: 'labels' | 'dense'; dtype?: 'float32' | HalfDType })[];
  /** linearCrossEntropy option sets (default none); `bias: true` stands for "with a bias". */
  linearCrossEntropy?: (Omit<LinearCrossEntropyOptions, 'bias'> & { bias?: boolean | TensorLike; dtype?: 'float32' | HalfDType })[];
}

let engineOfLoss: (wl: WebGPULoss) => GpuContext;

/** A host tensor's data and shape read once, here at the entry (a GpuTensor is the library's own). */
const once = <T extends TensorLike>(t: T): T => (t instanceof GpuTensor ? t : readOnce(t));

/**
 * The library's entry point: one object per `GPUDevice`. Its engine (pipelines, buffers, submits)
 * is private; what it shows are the operations, the tensor helpers, `warmup`, `stats` and `dispose`.
 *
 * @example
 * const wl = await WebGPULoss.create();            // or { device } to share TF.js's device
 * const p = await wl.softmax({ data: new Float32Array([1, 2, 3]), shape: [1, 3] });
 * console.log(await p.read());                     // Float32Array [0.090, 0.245, 0.665]
 */
export class WebGPULoss {
  /** Tells a WebGPULoss from the CPU fallback (`createLoss({ fallback: 'cpu' })`). */
  readonly backend = 'webgpu' as const;
  readonly #ctx: GpuContext;

  static {
    engineOfLoss = (wl) => wl.#ctx;
    // After dispose() the engine knows only that it is gone: each call puts its own name in the error.
    const named = (call: string, wl: unknown, e: unknown) =>
      e instanceof DeviceError && e.code === 'DISPOSED' && e.argument === undefined && #ctx in (wl as object) && (wl as WebGPULoss).#ctx.isDisposed
        ? new DeviceError('DISPOSED', `${call}() was called after dispose(): this WebGPULoss was disposed and holds no device; create a new one`)
        : e;
    for (const [call, d] of Object.entries(Object.getOwnPropertyDescriptors(WebGPULoss.prototype))) {
      const method = d.value as unknown;
      if (typeof method !== 'function' || call === 'constructor' || call === 'stats' || call === 'dispose') continue;
      const wrapped = {
        [call](this: WebGPULoss, ...args: unknown[]): unknown {
          try {
            const r: unknown = method.apply(this, args);
            return r instanceof Promise ? r.catch((e: unknown) => Promise.reject(named(call, this, e))) : r;
          } catch (e) {
            throw named(call, this, e);
          }
        },
      }[call];
      Object.defineProperty(WebGPULoss.prototype, call, { ...d, value: wrapped });
    }
  }

  private constructor(ctx: GpuContext) {
    this.#ctx = ctx;
  }

  /**
   * Requests an adapter and a device (with the adapter's own limits), or takes yours.
   * @example
   * const wl = await WebGPULoss.create({ device: myDevice });
   */
  static async create(opts: CreateOptions = {}): Promise<WebGPULoss> {
    return new WebGPULoss(await GpuContext.create(opts));
  }

  /** The GPUDevice the library runs on (yours when you passed one). */
  get device(): GPUDevice {
    return this.#ctx.device;
  }

  /** What the library knows of the adapter: vendor, architecture, whether it is a CPU (fallback) adapter, features. */
  get adapter(): Readonly<AdapterFacts> {
    return this.#ctx.adapter;
  }

  /**
   * Uploads host data as a library-owned tensor (float data as float32; `Int32Array` as int32;
   * `'float16'` / `'bfloat16'`: a `Uint16Array` of their bit patterns, or a `Float16Array`).
   * @example
   * const labels = wl.tensor(new Int32Array([0, 2]), [2]);
   * const half = wl.tensor(new Uint16Array([0x3c00, 0x4000]), [1, 2], 'float16');   // 1, 2
   */
  tensor(data: Int32Array, shape: readonly number[]): GpuTensor<'int32'>;
  tensor<D extends DType = 'float32'>(data: ArrayLike<number>, shape: readonly number[], dtype?: D): GpuTensor<D>;
  tensor(data: ArrayLike<number>, shape: readonly number[], dtype?: DType): GpuTensor {
    return this.#ctx.tensor(data, shape, dtype);
  }

  /**
   * Wraps a `GPUBuffer` you own (it needs `STORAGE` usage) as a tensor; the library never destroys it.
   * `byteOffset` is a multiple of the element size (2 for float16 / bfloat16, whose buffer must
   * reach the end of the 4-byte word holding the last value).
   * @example
   * const logits = wl.wrap(myBuffer, [rows, classes]);
   */
  wrap<D extends DType = 'float32'>(buffer: GPUBuffer, shape: readonly number[], dtype?: D, byteOffset = 0): GpuTensor<D> {
    return this.#ctx.wrap(buffer, shape, dtype ?? 'float32', byteOffset) as GpuTensor<D>;
  }

  /**
   * A new library-owned tensor with undefined contents, e.g. for `gradOut`.
   * @example
   * const g = wl.empty([rows, classes]);
   * await wl.crossEntropy(logits, labels, { gradOut: g });
   */
  empty<D extends DType = 'float32'>(shape: readonly number[], dtype?: D): GpuTensor<D> {
    return this.#ctx.empty(shape, dtype ?? 'float32', 'empty', 0, 'shape') as GpuTensor<D>;
  }

  /**
   * int32 labels from int64 labels in your buffer (ONNX models' usual label type), converted on the
   * GPU. A value outside int32 becomes `outOfRange` (default −2³¹, a label every kernel counts as
   * invalid), so `checkLabels` reports it.
   * @example
   * const labels = await wl.fromInt64(int64Buffer, [rows]);
   */
  async fromInt64(buffer: GPUBuffer, shape: readonly number[], opts: { byteOffset?: number; outOfRange?: number } = {}): Promise<GpuTensor<'int32'>> {
    const ctx = this.#ctx;
    ctx.checkAlive();
    checkCallerBuffer(buffer, 'buffer');
    const dims = copyDims(shape, 'shape');
    const o = optionsObject(opts, ['byteOffset', 'outOfRange']);
    const align = ctx.limits.minStorageBufferOffsetAlignment;
    const byteOffset = o.byteOffset ?? 0;
    if (typeof byteOffset !== 'number' || !Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % align !== 0) {
      throw new BufferError('options.byteOffset', `must be an integer >= 0 and a multiple of ${align} (minStorageBufferOffsetAlignment), got ${show(byteOffset)}`, 'BUFFER_USAGE');
    }
    // An int32 in the kernel: a value past it would wrap (2^32 becomes label 0, a valid class).
    const outOfRange = int32(o.outOfRange, 'options.outOfRange', INT64_OUT_OF_RANGE);
    return int64LabelsOp(ctx, buffer, dims, byteOffset, outOfRange) as Promise<GpuTensor<'int32'>>;
  }

  /**
   * Softmax over the last axis, optionally of `x / temperature`.
   * @example
   * const p = await wl.softmax({ data: logits, shape: [rows, classes] }, { temperature: 2 });
   */
  softmax(x: TensorLike, opts: SoftmaxOptions = {}): Promise<GpuTensor<'float32'>> {
    return softmaxOp(this.#ctx, once(x), opts, false) as Promise<GpuTensor<'float32'>>;
  }

  /**
   * Log-softmax over the last axis (stable: `x - logsumexp(x)`).
   * @example
   * const lp = await wl.logSoftmax({ data: logits, shape: [rows, classes] });
   */
  logSoftmax(x: TensorLike, opts: SoftmaxOptions = {}): Promise<GpuTensor<'float32'>> {
    return softmaxOp(this.#ctx, once(x), opts, true) as Promise<GpuTensor<'float32'>>;
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
  async crossEntropy(input: TensorLike, target: TensorLike, opts: GpuCrossEntropyOptions = {}): Promise<Result<LossOutputs>> {
    const o = snapshot(opts);
    return owned(await crossEntropyOp(this.#ctx, once(input), once(target), o), [input, target, (o as GpuCrossEntropyOptions | null)?.gradOut]);
  }

  /**
   * A streaming evaluator: `add(logits, labels)` per batch sums, on the GPU and in a fixed order,
   * −ln p of each kept row's label, its softmax entropy, argmax and top-k hits; `read()` (one
   * readback) gives tokens, nll (nats), perplexity, bitsPerToken, accuracy, topKAccuracy and
   * meanEntropy. `reset()` starts over; `dispose()` frees it.
   * @example
   * using ev = wl.evaluator({ topK: 5 });
   * for (const [logits, labels] of batches) await ev.add(logits, labels);
   * const { perplexity, accuracy } = await ev.read();
   */
  evaluator(opts: EvaluatorOptions = {}): GpuEvaluator {
    return newGpuEvaluator(this.#ctx, opts);
  }

  /**
   * Shannon entropy of each row, H = −Σ p·ln p (0·ln 0 = 0), from probabilities (default) or
   * logits (through a softmax; -Infinity logits are masked classes). 'mean' is over rows; base 2
   * gives bits. `grad: true` also returns dH / d input.
   * @example
   * const out = await wl.entropy({ data: new Float32Array([0.75, 0.25]), shape: [1, 2] }, { base: 2 });
   * const [bits] = await out.loss.read();            // 0.8113
   */
  async entropy(input: TensorLike, opts: EntropyOptions = {}): Promise<Result<LossOutputs>> {
    return owned(await entropyOp(this.#ctx, once(input), opts), [input]);
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
  async klDivergence(input: TensorLike, target: TensorLike, opts: KLDivergenceOptions = {}): Promise<Result<LossOutputs>> {
    return owned(await klDivergenceOp(this.#ctx, once(input), once(target), opts), [input, target]);
  }

  /**
   * Generalized Jensen–Shannon divergence per row between a teacher P = softmax(teacher / T) and
   * a student Q = softmax(student / T), both logits of one shape, M = β·P + (1 − β)·Q:
   * JSD_β = β·KL(P‖M) + (1 − β)·KL(Q‖M); β = 0 is forward KL(P‖Q), β = 1 reverse KL(Q‖P)
   * (Liger-Kernel's LigerJSD). Options `beta` (0.5), `temperature` (1; the loss is not multiplied
   * by T², Hinton-style distillation does that itself), `labels` (int32 [rows]) with `ignoreIndex`
   * (−100) to skip rows, `allIgnored`, `reduction` ('mean' over kept rows). `grad: true` also
   * returns the gradient with respect to the student logits (not the teacher).
   * @example
   * const out = await wl.jsDivergence(
   *   { data: studentLogits, shape: [rows, classes] },
   *   { data: teacherLogits, shape: [rows, classes] },
   *   { beta: 0.5, temperature: 2, grad: true },
   * );
   * const [jsd] = await out.loss.read();
   * const grad = await out.grad!.read();
   */
  async jsDivergence(student: TensorLike, teacher: TensorLike, opts: GpuJSDivergenceOptions = {}): Promise<Result<LossOutputs>> {
    const o = snapshot(opts);
    // The labels are host data too, read once like the others (only in a copy of the options).
    const withLabels = o !== opts && o.labels !== undefined ? { ...o, labels: once(o.labels) } : o;
    return owned(await jsDivergenceOp(this.#ctx, once(student), once(teacher), withLabels), [student, teacher, (o as GpuJSDivergenceOptions | null)?.labels]);
  }

  /**
   * jsDivergence (same options) between the student's logits z = hidden·weightᵀ (+ `bias` [V])
   * and the teacher's logits [N, V], without the student's [N, V] logits: they are formed in row
   * chunks of at most `memoryBudget` bytes (with their gradient; default 64 MiB, `chunkRows`
   * reports the chunk). The teacher may instead be its hidden states and head,
   * `{ hidden: [N, Dt], weight: [V, Dt], bias?: [V] }`: its logits are then formed chunk by chunk
   * too (4·V bytes a row more of the budget). `grad: true` returns `gradHidden` [N, D], and unless
   * `frozenHead` `gradWeight` [V, D] and `gradBias` [V].
   * @example
   * const out = await wl.linearJsDivergence(
   *   { data: hidden, shape: [N, D] },
   *   { data: studentHead, shape: [V, D] },
   *   { data: teacherLogits, shape: [N, V] },
   *   { beta: 0.5, temperature: 2, grad: true },
   * );
   * const [jsd] = await out.loss.read();
   * const dH = await out.gradHidden!.read();
   * // or a teacher too large to hold its logits: its hidden states and head
   * const kd = await wl.linearJsDivergence(h, studentHead, { hidden: teacherHidden, weight: teacherHead }, { grad: true });
   */
  async linearJsDivergence(hidden: TensorLike, weight: TensorLike, teacher: GpuLinearJSDTeacher, opts: GpuLinearJSDivergenceOptions = {}): Promise<Result<LinearJSDivergenceOutputs>> {
    const o = snapshot(opts);
    // Bias and labels are host data too, read once like the others (only in a copy of the options).
    const own = o !== opts ? { ...o, bias: o.bias !== undefined ? once(o.bias) : undefined, labels: o.labels !== undefined ? once(o.labels) : undefined } : o;
    const f = teacherHeadOf<TensorLike>(teacher);
    const t: GpuLinearJSDTeacher = f
      ? { hidden: once(f.hidden), weight: once(f.weight), ...(f.bias !== undefined ? { bias: once(f.bias) } : {}) }
      : once(teacher as TensorLike);
    return owned(await linearJsDivergenceOp(this.#ctx, once(hidden), once(weight), t, own), [hidden, weight, teacher]);
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
  async binaryCrossEntropy(input: TensorLike, target: TensorLike, opts: BinaryCrossEntropyOptions = {}): Promise<Result<LossOutputs>> {
    return owned(await binaryCrossEntropyOp(this.#ctx, once(input), once(target), opts), [input, target]);
  }

  /**
   * Binary focal loss from logits (torchvision's `sigmoid_focal_loss`), elementwise against targets
   * in [0, 1] of the input's shape: BCE·(1 − p_t)^γ, times α·t + (1 − α)·(1 − t). Defaults α = 0.25
   * and γ = 2 (torchvision's); `alpha < 0` means no α. 'mean' is over every element (torchvision
   * defaults to 'none'); 'none' gives a [rows, cols] loss. `grad: true` also returns d loss / d input.
   * @example
   * const out = await wl.binaryFocalLoss(
   *   { data: logits, shape: [rows, cols] },
   *   { data: targets01, shape: [rows, cols] },
   *   { alpha: 0.25, gamma: 2, reduction: 'sum', grad: true },
   * );
   * const [loss] = await out.loss.read();
   */
  async binaryFocalLoss(input: TensorLike, target: TensorLike, opts: BinaryFocalLossOptions = {}): Promise<Result<LossOutputs>> {
    return owned(await binaryFocalOp(this.#ctx, once(input), once(target), opts), [input, target]);
  }

  /**
   * Softmax focal loss from logits, −Σ_c α_c·t_c·(1 − p_c)^γ·ln p_c per row, against sparse
   * int32 labels [rows] or dense targets [rows, classes]. `gamma` (default 2; 0 gives
   * crossEntropy), `alpha` per class (one number or `classes` of them, like crossEntropy's
   * `weight`), `ignoreIndex`, reductions as crossEntropy's. Labels on the GPU are counted like
   * crossEntropy's (`checkLabels`). `grad: true` also returns d loss / d logits.
   * @example
   * const out = await wl.focalLoss(
   *   { data: logits, shape: [rows, classes] },
   *   { data: new Int32Array(labels), shape: [rows] },
   *   { gamma: 2, grad: true },
   * );
   * const [loss] = await out.loss.read();
   */
  async focalLoss(input: TensorLike, target: TensorLike, opts: FocalLossOptions = {}): Promise<Result<LossOutputs>> {
    return owned(await focalOp(this.#ctx, once(input), once(target), opts), [input, target]);
  }

  /**
   * Cross-entropy of a classifier layer's logits z = hidden·weightᵀ (+ bias) against sparse labels,
   * computed blockwise so that no [N, V] buffer exists: `hidden` [N, D] and `weight` [V, D]
   * (float32, float16 or bfloat16; the gradients float32), `labels` [N] int32, `opts.bias` [V]
   * float32. Options as crossEntropy's from logits (`reduction`,
   * `ignoreIndex`, `allIgnored`, `labelSmoothing`, `zLoss`, `softcap`, `base`, class `weight`);
   * `grad: true` also returns `gradHidden` [N, D], `gradWeight` [V, D] and `gradBias` [V].
   * For fine-tuning: `frozenHead` (only `gradHidden`), `extras` (per-row `labelLogProb`, `lse`,
   * `argmax`, `correct`, `entropy`), `shift: 1` with `sequenceLength` (next-token labels read in
   * place), `memoryBudget` (scratch bytes; `out.scratchBytes` reports the call's), `gradFilter`
   * (Cut Cross-Entropy's gradient filtering: an approximation, off by default).
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
  async linearCrossEntropy(hidden: TensorLike, weight: TensorLike, labels: TensorLike, opts: LinearCrossEntropyOptions = {}): Promise<Result<LinearCrossEntropyOutputs>> {
    const o = snapshot(opts);
    // The bias is host data too, read once like the others (only in a copy of the options).
    const withBias = o !== opts && o.bias !== undefined ? { ...o, bias: once(o.bias as TensorLike) } : o;
    return owned(await linearCrossEntropyOp(this.#ctx, once(hidden), once(weight), once(labels), withBias), [hidden, weight, labels]);
  }

  /**
   * Throws LabelRangeError if a call's GPU-resident labels held any out-of-range label.
   * @example
   * const out = await wl.crossEntropy(logits, wl.wrap(labelBuffer, [rows], 'int32'));
   * await wl.checkLabels(out, classes);
   */
  async checkLabels(out: LossOutputs, classes: number): Promise<void> {
    checkLabelsArguments(out, classes);
    let count: unknown;
    let linear: boolean;
    try {
      count = out.invalidLabels;
      linear = typeof (out as Partial<LinearCrossEntropyOutputs>).scratchBytes === 'number';
    } catch (e) {
      throw new DTypeError('out', `could not be read (${whyUnreadable(e)})`);
    }
    if (count === undefined) return;
    if (!(count instanceof GpuTensor)) throw new DTypeError('out.invalidLabels', `must be the label count a call returned (a GpuTensor), got ${show(count)}`);
    if (count.isDestroyed) throw new DeviceError('DISPOSED', 'the label count was destroyed before checkLabels()', 'out.invalidLabels');
    const [n] = await count.read();
    // Named as the call names its labels: linearCrossEntropy's `labels`, crossEntropy's `target`.
    if (n > 0) throw new LabelRangeError(linear ? 'labels' : 'target', `${n} label(s) on the GPU are outside [0, ${classes}) and not the ignore index; their rows' losses are NaN`);
  }

  /**
   * Compiles pipelines ahead of the first call. With no option sets: softmax, binary
   * cross-entropy and entropy/KL in their default forms, the batch reduction and crossEntropy from
   * logits with and without the gradient. Each option set named (for any operation, `evaluator`
   * included) compiles what a call with those options uses; crossEntropy and linearCrossEntropy
   * from their pipeline lists, the others by running the call once on a few rows of zeros.
   * @example
   * await wl.warmup({ crossEntropy: [{ grad: true, labelSmoothing: 0.1 }], linearCrossEntropy: [{ grad: true, bias: true }] });
   * await wl.warmup({ focalLoss: [{ gamma: 2, grad: true, dtype: 'bfloat16' }], evaluator: [{ topK: 5 }] });
   */
  async warmup(opts: WarmupOptions = {}): Promise<void> {
    const ctx = this.#ctx;
    const { crossEntropy, linearCrossEntropy, ...calls } = warmupSets(opts);
    const ce = (crossEntropy ?? [{}, { grad: true }]) as NonNullable<WarmupOptions['crossEntropy']>;
    const linear = (linearCrossEntropy ?? []) as NonNullable<WarmupOptions['linearCrossEntropy']>;
    const half = (d: unknown) => (d === 'float16' || d === 'bfloat16' ? d : undefined);
    // gradDtype 'input' on 16-bit inputs packs the gradient (one pipeline for both dtypes).
    const packs = ce.some((c) => half(c.dtype) && c.gradDtype === 'input');
    await Promise.all([
      ...linear.flatMap(({ bias, dtype, ...l }) => linearPipelines(ctx, l, Boolean(bias), half(dtype)).map((p) => ctx.pipeline('linearCrossEntropy', p.entry, p.constants))),
      ...ce.flatMap(({ target, dtype, ...c }) => {
        const sparse = oneOf(target, ['labels', 'dense'] as const, 'options.crossEntropy.target', 'labels') === 'labels';
        return crossEntropyPipelines(ctx, c, sparse, half(dtype)).map((p) => ctx.pipeline('crossEntropy', p.entry, p.constants));
      }),
      ...(packs ? [ctx.pipeline('pack16', 'main')] : []),
      ...defaultPipelines(ctx),
      warmCalls(this, calls)]);
  }

  /**
   * What the library holds on the device: `tensors` it made and not yet freed (results, uploads,
   * `empty()`), `bytes` of their buffers, `placeholderBytes` of the small buffers that stand in
   * for unused bindings (kept until `dispose()`), and compiled `pipelines`.
   * @example
   * console.log(wl.stats().bytes);
   */
  stats(): { tensors: number; bytes: number; placeholderBytes: number; pipelines: number } {
    return this.#ctx.stats();
  }

  /**
   * Frees everything the library owns on this device (outputs, views of them, pipelines); your
   * buffers are untouched. A device the library requested itself is destroyed too; later calls
   * reject (`tensor()`, `wrap()`, `empty()`, `evaluator()` throw) with `DeviceError` `DISPOSED`
   * naming the call.
   * @example
   * wl.dispose();
   */
  dispose(): void {
    this.#ctx.dispose();
  }
}

/** checkLabels()'s arguments: a call's outputs (an object) and the class count. */
export function checkLabelsArguments(out: unknown, classes: unknown): void {
  if (typeof out !== 'object' || out === null) throw new DTypeError('out', `expected the outputs of a crossEntropy or linearCrossEntropy call, got ${show(out)}`);
  if (typeof classes !== 'number' || !Number.isInteger(classes) || classes < 1) throw new DTypeError('classes', `must be an integer >= 1, got ${show(classes)}`);
}

/** Option names of one crossEntropy set of warmup(): the GPU call's, the kind of target and the input dtype. */
const WARM_CE_KEYS = [...CROSS_ENTROPY_KEYS, 'inPlace', 'gradOut', 'target', 'dtype'];
const WARM_LINEAR_KEYS = [...LINEAR_KEYS, 'tiles', 'dtype'];
const warmDtype = (d: unknown) => oneOf(d, ['float32', 'float16', 'bfloat16'] as const, 'options.dtype', 'float32');

/**
 * warmup()'s options, checked whole before anything compiles: each option set an object of its
 * operation's options, valid as a call's would be (class weights count by their presence only).
 * An error names the set by its place: `options.crossEntropy[1].grad`.
 */
export function warmupSets(opts: unknown): Partial<Record<keyof WarmupOptions, Record<string, unknown>[]>> {
  const o = optionsObject(opts, ['crossEntropy', 'linearCrossEntropy', ...Object.keys(WARM_CALLS)]);
  const calls = Object.fromEntries(Object.entries(WARM_CALLS).map(([op, w]) => [op, warmSets(o[op], op, w.keys, w.check)]).filter(([, v]) => v !== undefined));
  return {
    crossEntropy: warmSets(o.crossEntropy, 'crossEntropy', WARM_CE_KEYS, ({ target, weight: _, dtype, ...c }) => {
      oneOf(target, ['labels', 'dense'] as const, 'options.target', 'labels');
      warmDtype(dtype);
      parseGpuCrossEntropyOptions(c, 2);
    }),
    linearCrossEntropy: warmSets(o.linearCrossEntropy, 'linearCrossEntropy', WARM_LINEAR_KEYS, ({ bias, weight: _, tiles, dtype, ...l }) => {
      if (bias !== undefined && typeof bias !== 'boolean' && (typeof bias !== 'object' || bias === null)) {
        throw new OptionError('options.bias', `must be a boolean (or the bias tensor), got ${show(bias)}`);
      }
      oneOf(tiles, ['staged', 'direct'] as const, 'options.tiles', 'staged');
      warmDtype(dtype);
      parseLinearOptions(l, 2);
    }),
    ...calls,
  };
}

/** The engine behind a WebGPULoss, for the library's own tests and benchmark; the package does not export it. */
export function engineOf(wl: WebGPULoss): GpuContext {
  return engineOfLoss(wl);
}
