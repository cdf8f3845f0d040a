// The opt-in CPU fallback: the same operations on the float64 oracle, for pages where WebGPU is
// missing. It is slow (one JavaScript loop per element) and says what it is: `backend` is
// 'cpu-oracle', and `createLoss` only returns it when asked to.
import type { BinaryCrossEntropyOptions, BinaryFocalLossOptions, DType, EntropyOptions, FocalLossOptions, HalfDType, HostTensor, JSDivergenceOptions, KLDivergenceOptions, LinearJSDivergenceOptions, SoftmaxOptions, TeacherHead } from './contract/types';
import type { GpuCrossEntropyOptions } from './kernels/cross-entropy';
import type { LinearCrossEntropyOptions } from './kernels/linear-cross-entropy';
import { DeviceError, OptionError, WebGPULossError } from './contract/errors';
import { checkElementType, checkFloatData, hostDType, hostValues, isHalf, readOnce } from './contract/tensor';
import { toHalfBits } from './reference/half';
import { WebGPULoss, checkLabelsArguments, warmupSets, type WarmupOptions } from './loss';
import { oneOf, optionsObject, snapshot } from './contract/options';
import { CROSS_ENTROPY_KEYS } from './contract/configs/cross-entropy';
import { LINEAR_KEYS } from './contract/configs/linear-cross-entropy';
import { JSD_KEYS } from './contract/configs/jsd';
import { LINEAR_JSD_KEYS, teacherHeadOf } from './contract/configs/linear-jsd';
import { CREATE_KEYS } from './gpu/device';
import type { CreateOptions } from './gpu/context';
import * as ref from './reference/index';
import type { RefResult } from './reference/result';
import { CpuEvaluator } from './cpu-evaluator';
import { owned, type Result } from './dispose';
import { ASYNC_DISPOSE, DISPOSE } from './contract/dispose';
import type { EvaluatorOptions } from './contract/configs/evaluator';

/**
 * A result held in CPU memory, read like a GpuTensor. Values are rounded to float32 (int32 for indices).
 * @example
 * const wl = await createLoss({ fallback: 'cpu' });
 * const p = await wl.softmax({ data: [1, 2, 3], shape: [1, 3] });   // a CpuTensor on the CPU fallback
 * console.log(p.shape, await p.read());                             // [1, 3] Float32Array [0.090, 0.245, 0.665]
 */
export class CpuTensor {
  private destroyed = false;
  /**
   * Holds `values` (not copied) as a tensor of `shape` and `dtype`. `CpuLoss` makes these; use
   * {@link CpuLoss.tensor} for your own data.
   * @param shape Row-major shape, e.g. `[rows, classes]`; `[]` for a scalar.
   * @param dtype Element type: `'float32'`, `'int32'` for labels and indices, or a 16-bit float (values: its bit patterns).
   */
  constructor(private readonly values: Float32Array | Int32Array | Uint16Array, readonly shape: readonly number[], readonly dtype: DType) {}

  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Whether `destroy()` has run. */
  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Resolves at once: there is no GPU work to wait for. */
  readonly ready: Promise<void> = Promise.resolve();

  /**
   * A copy of the values (the caller may change it freely). Rejects with `DeviceError`
   * `DISPOSED` after `destroy()`.
   * @example
   * const out = await wl.crossEntropy(logits, labels);
   * const [loss] = await out.loss.read();
   */
  async read(): Promise<Float32Array | Int32Array | Uint16Array> {
    if (this.destroyed) throw new DeviceError('DISPOSED', 'tensor was destroyed before read()', 'tensor');
    return this.values.slice();
  }

  /**
   * Marks the tensor destroyed, as `GpuTensor.destroy()` does: later reads reject. (Its memory
   * goes with the last reference, as any JavaScript array's.)
   * @example
   * const p = await wl.softmax(x);
   * const values = await p.read();
   * p.destroy();
   */
  destroy(): void {
    this.destroyed = true;
  }


  /**
   * The values as a HostTensor, to feed into another call.
   * @example
   * const p = await wl.softmax(x);
   * const ent = await wl.entropy(p.toHost());
   */
  toHost(): HostTensor {
    return this.dtype === 'float16' || this.dtype === 'bfloat16' ? { data: this.values, shape: this.shape, dtype: this.dtype } : { data: this.values, shape: this.shape };
  }
}

// `using p = await wl.softmax(...)`: the symbols' methods are added at run time (where the
// runtime lacks the symbols, the contract's stand-ins), declared here with the global symbols.
export interface CpuTensor {
  /**
   * `destroy()` at the end of a `using` block.
   * @example
   * {
   *   using p = await wl.softmax({ data: [1, 2, 3], shape: [1, 3] });
   *   console.log(await p.read());
   * }   // p is destroyed here
   */
  [Symbol.dispose](): void;
  /**
   * `destroy()` at the end of an `await using` block.
   * @example
   * {
   *   await using p = await wl.softmax({ data: [1, 2, 3], shape: [1, 3] });
   * }
   */
  [Symbol.asyncDispose](): Promise<void>;
}
Object.defineProperties(CpuTensor.prototype, {
  [DISPOSE]: { value(this: CpuTensor) { this.destroy(); } },
  [ASYNC_DISPOSE]: { async value(this: CpuTensor) { this.destroy(); } },
});

/** What a `CpuLoss` loss call returns: `LossOutputs`' tensors, held on the CPU. */
export interface CpuLossOutputs {
  /** Shape [] for 'sum' / 'mean', [rows] for 'none' (binaryCrossEntropy: the input's shape). */
  loss: CpuTensor;
  /** d loss / d input, the input's shape, when `grad` was asked. */
  grad?: CpuTensor;
  /** Per-row log-sum-exp in nats (crossEntropy from logits), with `extras`. */
  lse?: CpuTensor;
  /** Per-row argmax (int32), with `extras`. */
  argmax?: CpuTensor;
  /** Per-row 1 where argmax hits the label (int32, sparse labels), with `extras`. */
  correct?: CpuTensor;
  /** Per-row ln p of the label in nats (logits, sparse labels), with `extras`. */
  labelLogProb?: CpuTensor;
  /** Per-row entropy of the softmax in the call's base (logits), with `extras`. */
  entropy?: CpuTensor;
  /** Per-row top-k hit (int32), with `extras` and `topK`. */
  topKHit?: CpuTensor;
}

/** What `CpuLoss.linearCrossEntropy` returns: `LinearCrossEntropyOutputs`' tensors, held on the CPU. */
export interface CpuLinearOutputs {
  /** Shape [] for 'sum' / 'mean', [N] for 'none'. */
  loss: CpuTensor;
  /** d loss / d hidden, [N, D], with `grad`. */
  gradHidden?: CpuTensor;
  /** d loss / d weight, [V, D], with `grad`. */
  gradWeight?: CpuTensor;
  /** d loss / d bias, [V], with `grad` and a bias. */
  gradBias?: CpuTensor;
  /** With `extras`: ln p of the scored label per row, in nats (0 on ignored rows), [N]. */
  labelLogProb?: CpuTensor;
  /** With `extras`: per-row log-sum-exp of the (capped) logits, in nats, [N]. */
  lse?: CpuTensor;
  /** With `extras`: per-row argmax (int32), [N]. */
  argmax?: CpuTensor;
  /** With `extras`: per-row 1 where argmax is the scored label (int32), [N]. */
  correct?: CpuTensor;
  /** With `extras`: per-row entropy of the softmax, in the call's base, [N]. */
  entropy?: CpuTensor;
}

/**
 * Host data or a CpuTensor from an earlier call.
 * @inline
 */
type CpuArg = HostTensor | CpuTensor;

/** A CpuTensor's values, or host data read once (as WebGPULoss reads them). */
const host = (t: CpuArg): HostTensor => (t instanceof CpuTensor ? t.toHost() : readOnce(t));

/** Float arguments hold float data, as the GPU uploads them (run after the oracle's checks, in the GPU's order). */
function checkFloats(input: HostTensor, target?: HostTensor): void {
  checkFloatData(input, 'input');
  if (target) checkFloatData(target, 'target');
}

/** crossEntropy's and focalLoss's element types: float input; int32 labels (no class axis: the oracle has checked the shapes) or float targets. */
function checkInputAndTarget(input: HostTensor, target: HostTensor): void {
  checkFloatData(input, 'input');
  if (target.shape.length === input.shape.length - 1) checkElementType(target.data, 'target', 'int32');
  else checkFloatData(target, 'target');
}

/**
 * The 16-bit dtype a call's gradient comes in: the input's, with gradDtype 'input' (read from
 * options the oracle has accepted, a snapshot), else none (float32).
 */
function halfGrad(o: unknown, input: HostTensor): HalfDType | undefined {
  const d = (o as { gradDtype?: unknown } | undefined)?.gradDtype === 'input' ? hostDType(input, 'input') : undefined;
  return isHalf(d) ? d : undefined;
}

function outputs(r: RefResult, inputShape: readonly number[], gradAs?: HalfDType): Result<CpuLossOutputs> {
  const out: CpuLossOutputs = { loss: new CpuTensor(Float32Array.from(r.loss), r.shape, 'float32') };
  const rows = inputShape.length === 2 ? [inputShape[0]] : [];
  if (r.grad) out.grad = gradAs ? new CpuTensor(toHalfBits(r.grad, gradAs), inputShape, gradAs) : new CpuTensor(Float32Array.from(r.grad), inputShape, 'float32');
  if (r.lse) out.lse = new CpuTensor(Float32Array.from(r.lse), rows, 'float32');
  if (r.argmax) out.argmax = new CpuTensor(Int32Array.from(r.argmax), rows, 'int32');
  if (r.correct) out.correct = new CpuTensor(Int32Array.from(r.correct), rows, 'int32');
  if (r.labelLogProb) out.labelLogProb = new CpuTensor(Float32Array.from(r.labelLogProb), rows, 'float32');
  if (r.entropy) out.entropy = new CpuTensor(Float32Array.from(r.entropy), rows, 'float32');
  if (r.topKHit) out.topKHit = new CpuTensor(Int32Array.from(r.topKHit), rows, 'int32');
  return owned(out, [], isCpuTensor);
}

const isCpuTensor = (v: unknown): v is CpuTensor => v instanceof CpuTensor;

/**
 * The library's operations on the CPU, in float64 (results rounded to float32). Same names,
 * arguments and options as `WebGPULoss`, minus the GPU-only ones (`inPlace`, `gradOut`, `wrap`,
 * GPU buffers): `tensor`, `checkLabels`, `stats`, `warmup` and `dispose` exist and do what they can.
 * @example
 * const wl = await createLoss({ fallback: 'cpu' });
 * if (wl.backend === 'cpu-oracle') console.warn('no WebGPU: losses run on the CPU');
 */
export class CpuLoss {
  /** Tells a CpuLoss from a WebGPULoss (whose `backend` is `'webgpu'`). */
  readonly backend = 'cpu-oracle' as const;
  private disposed = false;
  /**
   * A CpuLoss; `createLoss({ fallback: 'cpu' })` makes one where WebGPU is missing.
   * @param reason Why the fallback was taken (the error WebGPU gave).
   */
  constructor(readonly reason: string) {}

  /**
   * As WebGPULoss: a disposed object rejects later calls. Throws `DeviceError` `DISPOSED` once
   * `dispose()` has run; `tensor()` and the operations check it first.
   * @example
   * wl.dispose();
   * wl.checkAlive();   // throws DeviceError DISPOSED
   */
  checkAlive(): void {
    if (this.disposed) throw new DeviceError('DISPOSED', 'this CpuLoss was disposed; create a new one');
  }

  /**
   * A tensor of host data, to pass to later calls (a copy: later changes to `data` do not reach
   * it). Its dtype is `'int32'` for an `Int32Array`, `'float16'` for a `Float16Array`, else
   * `'float32'`, unless given (`'float16'` / `'bfloat16'`: a `Uint16Array` of bit patterns).
   * @example
   * const labels = wl.tensor(new Int32Array([0, 2]), [2]);
   */
  tensor(data: ArrayLike<number>, shape: readonly number[], dtype?: DType): CpuTensor {
    this.checkAlive();
    const h = hostValues(data, shape, dtype, { data: 'data', shape: 'shape', dtype: 'dtype' });
    return new CpuTensor(h.values.slice(), h.shape, h.dtype);
  }

  /**
   * Softmax over the last axis, optionally of `x / temperature` (see `WebGPULoss.softmax`).
   * @example
   * const p = await wl.softmax({ data: [1, 2, 3], shape: [1, 3] }, { temperature: 2 });
   */
  async softmax(x: CpuArg, opts: SoftmaxOptions = {}): Promise<CpuTensor> {
    this.checkAlive();
    const h = host(x);
    const out = ref.softmax(h, opts);
    checkFloatData(h, 'input');
    return new CpuTensor(Float32Array.from(out), h.shape, 'float32');
  }

  /**
   * Log-softmax over the last axis (see `WebGPULoss.logSoftmax`).
   * @example
   * const lp = await wl.logSoftmax({ data: [1, 2, 3], shape: [1, 3] });
   */
  async logSoftmax(x: CpuArg, opts: SoftmaxOptions = {}): Promise<CpuTensor> {
    this.checkAlive();
    const h = host(x);
    const out = ref.logSoftmax(h, opts);
    checkFloatData(h, 'input');
    return new CpuTensor(Float32Array.from(out), h.shape, 'float32');
  }

  /**
   * Cross-entropy against sparse labels or dense targets (see `WebGPULoss.crossEntropy`);
   * `inPlace` and `gradOut` need a GPU and are refused with an `OptionError`.
   * @example
   * const out = await wl.crossEntropy(
   *   { data: [2, 1, 0.1, 0.5, -1, 3], shape: [2, 3] },
   *   { data: new Int32Array([0, 2]), shape: [2] },
   *   { grad: true },
   * );
   * const [loss] = await out.loss.read();   // 0.2564
   */
  async crossEntropy(input: CpuArg, target: CpuArg, opts: GpuCrossEntropyOptions = {}): Promise<Result<CpuLossOutputs>> {
    this.checkAlive();
    const { inPlace, gradOut, ...o } = optionsObject(opts, [...CROSS_ENTROPY_KEYS, 'inPlace', 'gradOut']);
    // As on the GPU, where only a GpuTensor takes them: any value but false / absent is refused.
    if (inPlace !== undefined && inPlace !== false) throw new OptionError('options.inPlace', 'needs a GPU buffer; the CPU fallback has none');
    if (gradOut !== undefined) throw new OptionError('options.gradOut', 'needs a GPU buffer; the CPU fallback has none');
    const h = host(input);
    const t = host(target);
    const r = ref.crossEntropy(h, t, o);
    checkInputAndTarget(h, t);
    return outputs(r, h.shape, halfGrad(o, h));
  }

  /**
   * The streaming evaluator (see `WebGPULoss.evaluator`), summing in float64.
   * @example
   * const ev = wl.evaluator({ topK: 5 });
   * await ev.add({ data: [2, 1, 0.1], shape: [1, 3] }, { data: new Int32Array([0]), shape: [1] });
   * const { accuracy } = await ev.read();   // 1
   */
  evaluator(opts: EvaluatorOptions = {}): CpuEvaluator {
    this.checkAlive();
    return new CpuEvaluator(opts, (t) => (t instanceof CpuTensor ? t.toHost() : (t as HostTensor)));
  }

  /**
   * Binary cross-entropy, elementwise (see `WebGPULoss.binaryCrossEntropy`).
   * @example
   * const out = await wl.binaryCrossEntropy({ data: [0.5, -1], shape: [1, 2] }, { data: [1, 0], shape: [1, 2] });
   * const [loss] = await out.loss.read();   // 0.3937
   */
  async binaryCrossEntropy(input: CpuArg, target: CpuArg, opts: BinaryCrossEntropyOptions = {}): Promise<Result<CpuLossOutputs>> {
    this.checkAlive();
    const h = host(input);
    const t = host(target);
    const o = snapshot(opts);
    const r = ref.binaryCrossEntropy(h, t, o);
    checkFloats(h, t);
    return outputs(r, h.shape, halfGrad(o, h));
  }

  /**
   * Binary focal loss from logits, elementwise (see `WebGPULoss.binaryFocalLoss`).
   * @example
   * const out = await wl.binaryFocalLoss({ data: [2, -1], shape: [1, 2] }, { data: [1, 0], shape: [1, 2] });
   * const [loss] = await out.loss.read();   // 0.00872
   */
  async binaryFocalLoss(input: CpuArg, target: CpuArg, opts: BinaryFocalLossOptions = {}): Promise<Result<CpuLossOutputs>> {
    this.checkAlive();
    const h = host(input);
    const t = host(target);
    const o = snapshot(opts);
    const r = ref.binaryFocalLoss(h, t, o);
    checkFloats(h, t);
    return outputs(r, h.shape, halfGrad(o, h));
  }

  /**
   * Softmax focal loss from logits (see `WebGPULoss.focalLoss`).
   * @example
   * const out = await wl.focalLoss({ data: [2, 1, 0.1], shape: [1, 3] }, { data: new Int32Array([0]), shape: [1] });
   * const [loss] = await out.loss.read();   // 0.0485
   */
  async focalLoss(input: CpuArg, target: CpuArg, opts: FocalLossOptions = {}): Promise<Result<CpuLossOutputs>> {
    this.checkAlive();
    const h = host(input);
    const t = host(target);
    const o = snapshot(opts);
    const r = ref.focalLoss(h, t, o);
    checkInputAndTarget(h, t);
    return outputs(r, h.shape, halfGrad(o, h));
  }

  /**
   * Shannon entropy of each row (see `WebGPULoss.entropy`).
   * @example
   * const out = await wl.entropy({ data: [0.75, 0.25], shape: [1, 2] }, { base: 2 });
   * const [bits] = await out.loss.read();   // 0.8113
   */
  async entropy(input: CpuArg, opts: EntropyOptions = {}): Promise<Result<CpuLossOutputs>> {
    this.checkAlive();
    const h = host(input);
    const o = snapshot(opts);
    const r = ref.entropy(h, o);
    checkFloats(h);
    return outputs(r, h.shape, halfGrad(o, h));
  }

  /**
   * KL(target ‖ input) of each row (see `WebGPULoss.klDivergence`).
   * @example
   * const out = await wl.klDivergence({ data: studentLogits, shape: [rows, classes] }, { data: teacherProbs, shape: [rows, classes] });
   * const [kl] = await out.loss.read();
   */
  async klDivergence(input: CpuArg, target: CpuArg, opts: KLDivergenceOptions = {}): Promise<Result<CpuLossOutputs>> {
    this.checkAlive();
    const h = host(input);
    const t = host(target);
    const o = snapshot(opts);
    const r = ref.klDivergence(h, t, o);
    checkFloats(h, t);
    return outputs(r, h.shape, halfGrad(o, h));
  }

  /**
   * Generalized Jensen–Shannon divergence between student and teacher logits (see `WebGPULoss.jsDivergence`).
   * @example
   * const out = await wl.jsDivergence({ data: [0, 0], shape: [1, 2] }, { data: [1, 0], shape: [1, 2] }, { grad: true });
   * const [jsd] = await out.loss.read();
   */
  async jsDivergence(student: CpuArg, teacher: CpuArg, opts: JSDivergenceOptions<CpuArg> = {}): Promise<Result<CpuLossOutputs>> {
    this.checkAlive();
    const h = host(student);
    const t = host(teacher);
    const o = optionsObject(opts, JSD_KEYS);
    // Labels that are there but not a tensor (null, 0) are the oracle's to refuse, as the GPU does.
    const l = o.labels !== undefined ? host(o.labels as CpuArg) : undefined;
    const r = ref.jsDivergence(h, t, { ...o, labels: l });
    checkFloatData(h, 'student');
    checkFloatData(t, 'teacher');
    if (l) checkElementType(l.data, 'options.labels', 'int32');
    return outputs(r, h.shape, halfGrad(o, h));
  }

  /**
   * linearJsDivergence (see `WebGPULoss.linearJsDivergence`), on the oracle's float64 logits
   * (formed whole; `memoryBudget` is checked but sizes nothing here).
   * @example
   * const out = await wl.linearJsDivergence(
   *   { data: [1, 0], shape: [1, 2] }, { data: [1, 0, 0, 1], shape: [2, 2] }, { data: [0, 0], shape: [1, 2] }, { grad: true },
   * );
   * const dH = await out.gradHidden!.read();
   */
  async linearJsDivergence(hidden: CpuArg, weight: CpuArg, teacher: CpuArg | TeacherHead<CpuArg>, opts: LinearJSDivergenceOptions<CpuArg> = {}): Promise<Result<CpuLinearOutputs>> {
    this.checkAlive();
    const h = host(hidden);
    const w = host(weight);
    const head = teacherHeadOf(teacher);
    const th = head && { hidden: host(head.hidden), weight: host(head.weight), ...(head.bias !== undefined ? { bias: host(head.bias) } : {}) };
    const t = th ?? host(teacher as CpuArg);
    const o = optionsObject(opts, LINEAR_JSD_KEYS);
    // Bias or labels that are there but not tensors (null, 0) are the oracle's to refuse, as the GPU does.
    const b = o.bias !== undefined ? host(o.bias as CpuArg) : undefined;
    const l = o.labels !== undefined ? host(o.labels as CpuArg) : undefined;
    const r = ref.linearJsDivergence(h, w, t, { ...o, bias: b, labels: l });
    checkFloatData(h, 'hidden');
    checkFloatData(w, 'weight');
    if (th) {
      checkFloatData(th.hidden, 'teacher.hidden');
      checkFloatData(th.weight, 'teacher.weight');
      if (th.bias) checkFloatData(th.bias, 'teacher.bias');
    } else {
      checkFloatData(t as HostTensor, 'teacher');
    }
    if (b) checkFloatData(b, 'options.bias');
    if (l) checkElementType(l.data, 'options.labels', 'int32');
    const out: CpuLinearOutputs = { loss: new CpuTensor(Float32Array.from(r.loss), r.shape, 'float32') };
    if (r.gradHidden) out.gradHidden = new CpuTensor(Float32Array.from(r.gradHidden), h.shape, 'float32');
    if (r.gradWeight) out.gradWeight = new CpuTensor(Float32Array.from(r.gradWeight), w.shape, 'float32');
    if (r.gradBias) out.gradBias = new CpuTensor(Float32Array.from(r.gradBias), [w.shape[0]], 'float32');
    return owned(out, [], isCpuTensor);
  }

  /**
   * Linear cross-entropy (see `WebGPULoss.linearCrossEntropy`), on the oracle's float64 matmul.
   * @example
   * const out = await wl.linearCrossEntropy(
   *   { data: hidden, shape: [N, D] },
   *   { data: classifier, shape: [V, D] },
   *   { data: new Int32Array(labels), shape: [N] },
   *   { grad: true },
   * );
   * const dW = await out.gradWeight!.read();
   */
  async linearCrossEntropy(hidden: CpuArg, weight: CpuArg, labels: CpuArg, opts: Omit<LinearCrossEntropyOptions, 'bias' | 'tiles'> & { bias?: CpuArg } = {}): Promise<Result<CpuLinearOutputs>> {
    this.checkAlive();
    const h = host(hidden);
    const w = host(weight);
    const l = host(labels);
    const o = optionsObject(opts, LINEAR_KEYS);
    // A bias that is there but not a tensor (null, 0) is the oracle's to refuse, as the GPU does.
    const b = o.bias !== undefined ? host(o.bias as CpuArg) : undefined;
    const r = ref.linearCrossEntropy(h, w, l, { ...o, bias: b });
    checkFloatData(h, 'hidden');
    checkFloatData(w, 'weight');
    checkElementType(l.data, 'labels', 'int32');
    if (b) checkFloatData(b, 'options.bias');
    const out: CpuLinearOutputs = { loss: new CpuTensor(Float32Array.from(r.loss), r.shape, 'float32') };
    if (r.gradHidden) out.gradHidden = new CpuTensor(Float32Array.from(r.gradHidden), h.shape, 'float32');
    if (r.gradWeight) out.gradWeight = new CpuTensor(Float32Array.from(r.gradWeight), w.shape, 'float32');
    if (r.gradBias) out.gradBias = new CpuTensor(Float32Array.from(r.gradBias), [w.shape[0]], 'float32');
    const n = [h.shape[0]];
    if (r.labelLogProb && r.lse && r.entropy && r.argmax && r.correct) {
      Object.assign(out, {
        labelLogProb: new CpuTensor(Float32Array.from(r.labelLogProb), n, 'float32'), lse: new CpuTensor(Float32Array.from(r.lse), n, 'float32'),
        entropy: new CpuTensor(Float32Array.from(r.entropy), n, 'float32'), argmax: new CpuTensor(r.argmax, n, 'int32'), correct: new CpuTensor(r.correct, n, 'int32'),
      });
    }
    return owned(out, [], isCpuTensor);
  }

  /**
   * Labels are checked on the CPU before every call, so there is nothing left to check (the
   * arguments are, as on the GPU).
   * @example
   * await wl.checkLabels(out, classes);   // resolves at once
   */
  async checkLabels(out: unknown, classes: number): Promise<void> {
    checkLabelsArguments(out, classes);
  }

  /**
   * Nothing to compile on the CPU; the options are checked as on the GPU.
   * @example
   * await wl.warmup();   // resolves at once
   */
  async warmup(opts: WarmupOptions = {}): Promise<void> {
    warmupSets(opts);
  }

  /**
   * Nothing is held on a GPU: all counts are 0.
   * @example
   * console.log(wl.stats());   // { tensors: 0, bytes: 0, placeholderBytes: 0, pipelines: 0 }
   */
  stats(): { tensors: number; bytes: number; placeholderBytes: number; pipelines: number } {
    return { tensors: 0, bytes: 0, placeholderBytes: 0, pipelines: 0 };
  }

  /**
   * Marks the object disposed: later operations reject (and `tensor()` throws) with `DeviceError`
   * `DISPOSED`, as on a WebGPULoss. Tensors it returned stay readable.
   * @example
   * wl.dispose();
   */
  dispose(): void {
    this.disposed = true;
  }
}

/** Options of {@link createLoss}: `WebGPULoss.create`'s, and what to do without WebGPU. */
export interface CreateLossOptions extends CreateOptions {
  /**
   * What to do where WebGPU is missing or gives no adapter/device: `'none'` (default) rejects
   * with DeviceError NO_WEBGPU; `'cpu'` returns a CpuLoss running the float64 oracle.
   */
  fallback?: 'none' | 'cpu';
}

/**
 * A WebGPULoss, or with `fallback: 'cpu'` and no WebGPU here, a CpuLoss. Check `backend`.
 * @example
 * const wl = await createLoss({ fallback: 'cpu' });
 * const out = await wl.crossEntropy({ data: logits, shape: [rows, classes] }, { data: labels, shape: [rows] });
 * console.log(wl.backend, (await out.loss.read())[0]);
 */
export async function createLoss(opts: CreateLossOptions = {}): Promise<WebGPULoss | CpuLoss> {
  const { fallback: f, ...create } = optionsObject(opts, [...CREATE_KEYS, 'fallback']);
  const fallback = oneOf(f, ['none', 'cpu'] as const, 'options.fallback', 'none');
  try {
    return await WebGPULoss.create(create);
  } catch (e) {
    if (fallback === 'cpu' && e instanceof WebGPULossError && e.code === 'NO_WEBGPU') return new CpuLoss(e.message);
    throw e;
  }
}
