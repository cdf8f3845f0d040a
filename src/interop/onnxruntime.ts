// webgpu-loss/onnxruntime: losses of ONNX Runtime Web outputs that stay on the GPU.
//
// A session created with the 'webgpu' execution provider and `preferredOutputLocation:
// 'gpu-buffer'` returns tensors whose `gpuBuffer` lives on ORT's GPUDevice. This module wraps
// those buffers as GpuTensors (no copy, no readback) and runs the library's kernels on the same
// device. It takes the caller's `ort` namespace and uses types of its own, so the app loads one
// copy of ONNX Runtime and this package does not depend on it.
//
// Facts of onnxruntime-web 1.30 (its WebGPU EP), checked in test/gpu/onnxruntime.test.ts:
// - `ort.env.webgpu.device` is undefined until the first session on the 'webgpu' EP that was not
//   given a device has been created; then it holds the GPUDevice ORT made for itself.
// - Setting `ort.env.webgpu.device` before that is ignored (ORT makes its own device and then
//   overwrites the property). To share a device the app made, pass it per session:
//   `executionProviders: [{ name: 'webgpu', device }]`, and give the same device to OrtLoss.
// - `tensor.dispose()` returns the buffer to ORT's pool; the next run may write new values into
//   it. `tensor.gpuBuffer` throws once the tensor is disposed.

/**
 * Losses of ONNX Runtime Web outputs that stay on the GPU: a session on the 'webgpu' execution
 * provider with `preferredOutputLocation: 'gpu-buffer'` returns tensors in GPU buffers, which
 * {@link OrtLoss} and {@link fromOrtTensor} wrap without a copy or a readback. The module takes
 * your `ort` namespace and declares the few types it reads, so it does not depend on
 * onnxruntime-web.
 *
 * @example
 * import * as ort from 'onnxruntime-web/webgpu';
 * import { OrtLoss } from 'webgpu-loss/onnxruntime';
 * const session = await ort.InferenceSession.create(modelBytes, {
 *   executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
 * const ol = await OrtLoss.create(ort);
 * const out = await session.run(feeds);
 * const ce = await ol.crossEntropy(out.logits, { data: labels, shape: [rows] });
 * console.log((await ce.loss.read())[0]);
 * @module webgpu-loss/onnxruntime
 */
import { BufferError, DTypeError, DeviceError, GpuTensor, OptionError, ShapeError, WebGPULoss } from '../index';
import { optionsObject } from '../contract/options';
import { show } from '../contract/show';
import { copyDims } from '../contract/tensor';
import { CROSS_ENTROPY_KEYS } from '../contract/configs/cross-entropy';
import { JSD_KEYS } from '../contract/configs/jsd';
import { checkCallerBuffer } from '../contract/buffer';
import type { BinaryCrossEntropyOptions, CreateOptions, EntropyOptions, GpuCrossEntropyOptions, JSDivergenceOptions, KLDivergenceOptions, LossOutputs, SoftmaxOptions, TensorLike } from '../index';

/** A loss call's outputs, freed together by `dispose()` or at the end of a `using` block (as WebGPULoss's). */
type OrtLossResult = Awaited<ReturnType<WebGPULoss['crossEntropy']>>;

/** The part of an `ort.Tensor` this module reads (structural, so no import of onnxruntime-web). */
export interface OrtTensorLike {
  /** ORT's element type: 'float32', 'int32', 'int64', 'float16', ... */
  readonly type: string;
  /** The tensor's shape. */
  readonly dims: readonly number[];
  /** 'gpu-buffer' for outputs kept on the GPU; 'cpu' for ordinary tensors; 'none' once disposed. */
  readonly location: string;
  /** The buffer holding the values, when `location` is 'gpu-buffer' (ORT throws once disposed). */
  readonly gpuBuffer: GPUBuffer;
}

/** The part of the `ort` namespace this module reads. */
export interface OrtLike {
  /** `ort.env`: `env.webgpu.device` is the GPUDevice ORT made for its first 'webgpu' session. */
  env: { webgpu: { device?: unknown } };
}

/** An ORT tensor, or anything the library itself accepts. */
export type OrtInput = OrtTensorLike | TensorLike;

/** Options of {@link OrtLoss.create}: `WebGPULoss.create`'s, except those that choose a device, and the device itself. */
export interface OrtLossOptions extends Omit<CreateOptions, 'device' | 'adapter' | 'gpu' | 'powerPreference'> {
  /**
   * The device the sessions run on when the app gave ORT its own (`executionProviders:
   * [{ name: 'webgpu', device }]`). Default: `ort.env.webgpu.device`, ORT's device.
   */
  device?: GPUDevice;
}

/** Options of {@link fromOrtTensor} and {@link OrtLoss.wrap}. */
export interface WrapOptions {
  /**
   * View the tensor with this shape (same element count), e.g. [N, V] for a [N, 1, V] output.
   * Default: the tensor's dims.
   */
  shape?: readonly number[];
  /**
   * For int64 labels: the value an int64 outside the int32 range becomes. Default −2^31 (or
   * 2^31 − 1 when that is the ignore index), a label the loss kernels count as out of range.
   */
  outOfRange?: number;
}

/**
 * Whether `x` looks like an `ort.Tensor` (has a string `location` and `type`, and `dims`).
 * @example
 * const input = isOrtTensor(x) ? await fromOrtTensor(wl, x, 'input') : x;
 */
export function isOrtTensor(x: unknown): x is OrtTensorLike {
  if (typeof x !== 'object' || x === null) return false;
  const t = x as { location?: unknown; type?: unknown; dims?: unknown };
  try {
    return typeof t.location === 'string' && typeof t.type === 'string' && Array.isArray(t.dims);
  } catch {
    return false; // a look-alike whose reads throw
  }
}

/**
 * Wraps an ORT output kept on the GPU as a GpuTensor on `wl`'s device, without copying it.
 *
 * - float32, float16 and int32 tensors are wrapped in place: the result views ORT's buffer and is
 *   never destroyed by the library (`destroy()` on it does nothing to the buffer). float16 logits
 *   and targets are read as they are (two per word) and computed in float32.
 *   (ORT's GPU buffers hold no bfloat16.)
 * - int64 tensors (ONNX's usual label type) are converted on the GPU into a new int32 tensor that
 *   the library owns (destroy it when done). A value outside the int32 range becomes
 *   `options.outOfRange`, which the cross-entropy kernel counts in `invalidLabels`
 *   (`wl.checkLabels` then throws LabelRangeError). Casting in the graph (`Cast(to=INT32)`)
 *   avoids the extra pass.
 * - Other types (uint8, bool, ...) are refused with a DTypeError: cast in the graph.
 *
 * Lifetime: ORT reuses the buffer of a disposed tensor for later runs. Do not `dispose()` the ORT
 * tensor until the loss call that reads it has resolved (its work is then submitted, and WebGPU
 * orders ORT's later writes after it).
 *
 * Errors (each names `name`): DeviceError DISPOSED (a disposed tensor), DEVICE_MISMATCH (on the
 * CPU, or a buffer of another GPUDevice), DTypeError, ShapeError, BufferError (buffer smaller
 * than the dims need, or without STORAGE usage).
 *
 * @example
 * const out = await session.run(feeds);               // session: preferredOutputLocation 'gpu-buffer'
 * const logits = await fromOrtTensor(wl, out.logits, 'logits');
 * const ce = await wl.crossEntropy(logits, labels);   // no readback of the logits
 */
export async function fromOrtTensor(wl: WebGPULoss, tensor: OrtTensorLike, name = 'tensor', options: WrapOptions = {}): Promise<GpuTensor> {
  if (!(wl instanceof WebGPULoss)) throw new OptionError('wl', `expected a WebGPULoss (OrtLoss's wl), got ${show(wl)}`);
  if (typeof name !== 'string') throw new OptionError('name', `must be a string (the argument errors name), got ${show(name)}`);
  const o = optionsObject(options, ['shape', 'outOfRange']);
  if (!isOrtTensor(tensor)) throw new DTypeError(name, 'expected an onnxruntime-web Tensor (with type, dims and location)');
  if (tensor.location === 'none') throw new DeviceError('DISPOSED', 'the ORT tensor was disposed', name);
  if (tensor.location !== 'gpu-buffer' && tensor.dims.some((d) => d === 0)) {
    // ORT hands out empty outputs on the CPU even with preferredOutputLocation 'gpu-buffer'.
    throw new ShapeError(name, `the ORT tensor is empty (dims [${tensor.dims.join(', ')}])`, 'INVALID_SHAPE');
  }
  if (tensor.location !== 'gpu-buffer') {
    throw new DeviceError('DEVICE_MISMATCH', `the ORT tensor is on '${tensor.location}', not in a GPU buffer: create the session with ` +
      "preferredOutputLocation: 'gpu-buffer' (and the 'webgpu' execution provider), or pass host data { data, shape }", name);
  }
  const bytesPer = tensor.type === 'int64' ? 8 : tensor.type === 'float16' ? 2 : 4;
  if (tensor.type !== 'float32' && tensor.type !== 'float16' && tensor.type !== 'int32' && tensor.type !== 'int64') {
    throw new DTypeError(name, `ORT tensor of type ${tensor.type}: the loss kernels read float32 or float16 (or int32 / int64 labels); cast it in the graph (a Cast node)`);
  }
  const dims = [...tensor.dims];
  const shape = o.shape !== undefined ? copyDims(o.shape, 'options.shape') : dims;
  const size = dims.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || shape.reduce((a, b) => a * b, 1) !== size) {
    throw new ShapeError(name, `shape [${shape.join(', ')}] does not hold the ${size} values of the ORT tensor's dims [${dims.join(', ')}]`, 'INVALID_SHAPE');
  }
  let buffer: GPUBuffer;
  try {
    buffer = tensor.gpuBuffer;
  } catch (e) {
    throw new DeviceError('DISPOSED', `the ORT tensor's buffer is not available (${e instanceof Error ? e.message : String(e)})`, name);
  }
  checkCallerBuffer(buffer, name);
  if (!(buffer.usage & GPUBufferUsage.STORAGE)) throw new BufferError(name, 'the ORT buffer lacks GPUBufferUsage.STORAGE', 'BUFFER_USAGE');
  if (buffer.size < size * bytesPer) {
    throw new BufferError(name, `the ORT buffer holds ${buffer.size} bytes; dims [${dims.join(', ')}] of ${tensor.type} need ${size * bytesPer}`);
  }
  await checkDevice(wl.device, buffer, name);
  if (tensor.type !== 'int64') return wl.wrap(buffer, shape, tensor.type);
  return wl.fromInt64(buffer, shape, { outOfRange: o.outOfRange as number | undefined });
}

// ---- the device check ----------------------------------------------------------------------------
// A GPUBuffer does not say which device made it. Binding it on `device` inside an error scope does:
// WebGPU rejects a buffer of another device there. Buffers found good are remembered (ORT reuses
// its output buffers from a pool, so most calls skip the check).

const onDevice = new WeakMap<GPUBuffer, GPUDevice>();
const probeLayouts = new WeakMap<GPUDevice, GPUBindGroupLayout>();

async function checkDevice(device: GPUDevice, buffer: GPUBuffer, name: string): Promise<void> {
  if (onDevice.get(buffer) === device) return;
  let layout = probeLayouts.get(device);
  if (!layout) {
    layout = device.createBindGroupLayout({
      label: 'webgpu-loss:ort-device-check',
      entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } }],
    });
    probeLayouts.set(device, layout);
  }
  device.pushErrorScope('validation');
  device.createBindGroup({ label: 'webgpu-loss:ort-device-check', layout, entries: [{ binding: 0, resource: { buffer, size: 4 } }] });
  const err = await device.popErrorScope();
  if (err) {
    throw new DeviceError('DEVICE_MISMATCH', 'the ORT tensor lives on another GPUDevice than this context: create OrtLoss on the ' +
      `session's device (ort.env.webgpu.device, or the device given to the session) (WebGPU: ${err.message.split('\n')[0]})`, name);
  }
  onDevice.set(buffer, device);
}

// ---- OrtLoss ---------------------------------------------------------------------------------------

/**
 * The library on ONNX Runtime Web's GPUDevice, with loss methods that take ORT tensors kept on
 * the GPU (or anything `WebGPULoss` takes) and never read the model's outputs back.
 *
 * @example
 * import * as ort from 'onnxruntime-web/webgpu';
 * import { OrtLoss } from 'webgpu-loss/onnxruntime';
 *
 * const session = await ort.InferenceSession.create(modelBytes, {
 *   executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
 * const ol = await OrtLoss.create(ort);                 // after the session: ORT's device
 * const out = await session.run({ x, y });
 * const ce = await ol.crossEntropy(out.logits, out.labels, { extras: true });
 * out.logits.dispose(); out.labels.dispose();          // after the call has resolved
 * console.log((await ce.loss.read())[0]);              // one 4-byte readback
 */
export class OrtLoss {
  private constructor(
    /** The library's object on ORT's device: every WebGPULoss method is there. */
    readonly wl: WebGPULoss,
  ) {}

  /**
   * The library on `options.device`, or on `ort.env.webgpu.device` (ORT's own device, which exists
   * once a session on the 'webgpu' EP has been created). Throws DeviceError NO_WEBGPU before that.
   * @example
   * const session = await ort.InferenceSession.create(modelBytes, {
   *   executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
   * const ol = await OrtLoss.create(ort);   // on the device ORT made for the session
   */
  static async create(ort: OrtLike, options: OrtLossOptions = {}): Promise<OrtLoss> {
    const { device: given, ...rest } = optionsObject(options, ['device', 'debug', 'maxBindingBytes', 'subgroups']);
    // A device given is checked as WebGPULoss.create checks one (an OptionError naming it).
    if (given !== undefined) return new OrtLoss(await WebGPULoss.create({ ...rest, device: given as GPUDevice }));
    let env: { device?: unknown };
    try {
      env = ort.env.webgpu;
      if (typeof env !== 'object' || env === null) throw new Error('no env.webgpu');
    } catch {
      throw new OptionError('ort', `expected the onnxruntime-web namespace (import * as ort from 'onnxruntime-web/webgpu'), got ${show(ort)}`);
    }
    const device = (await env.device) as GPUDevice | undefined;
    if (!device || typeof (device as GPUDevice).createBuffer !== 'function') {
      throw new DeviceError('NO_WEBGPU', "ort.env.webgpu.device holds no GPUDevice yet: create an InferenceSession with the 'webgpu' " +
        'execution provider first, or pass the device the sessions use as options.device');
    }
    return new OrtLoss(await WebGPULoss.create({ ...rest, device }));
  }

  /** The shared `GPUDevice` (ORT's, or `options.device`). */
  get device(): GPUDevice {
    return this.wl.device;
  }

  /**
   * {@link fromOrtTensor} on this object's device: an ORT output as a GpuTensor, without a copy
   * (int64 labels are converted into a new int32 tensor).
   * @example
   * const logits = await ol.wrap(out.logits, 'logits', { shape: [N, V] });   // a [N, 1, V] output as [N, V]
   * const p = await ol.wl.softmax(logits);
   */
  wrap(tensor: OrtTensorLike, name = 'tensor', options: WrapOptions = {}): Promise<GpuTensor> {
    return fromOrtTensor(this.wl, tensor, name, options);
  }

  /**
   * Cross-entropy of an ORT output (logits or probabilities), against ORT labels (int32, or int64
   * converted on the GPU), dense ORT targets, or host / GpuTensor data. Options as
   * `WebGPULoss.crossEntropy`.
   * @example
   * const ce = await ol.crossEntropy(out.logits, out.labels, { reduction: 'none', extras: true });
   */
  async crossEntropy(input: OrtInput, target: OrtInput, opts: GpuCrossEntropyOptions = {}): Promise<OrtLossResult> {
    // Read once: the ignore index chooses the int64 conversion's out-of-range label and the loss's.
    const o = optionsObject(opts, [...CROSS_ENTROPY_KEYS, 'inPlace', 'gradOut']);
    const outOfRange = o.ignoreIndex === -(2 ** 31) ? 2 ** 31 - 1 : -(2 ** 31);
    return this.call([[input, 'input'], [target, 'target', outOfRange]], ([x, t]) => this.wl.crossEntropy(x, t, o));
  }

  /**
   * Binary cross-entropy (see `WebGPULoss.binaryCrossEntropy`).
   * @example
   * const bce = await ol.binaryCrossEntropy(out.scores, { data: targets, shape: [rows, cols] }, { posWeight: 3 });
   */
  binaryCrossEntropy(input: OrtInput, target: OrtInput, opts: BinaryCrossEntropyOptions = {}): Promise<OrtLossResult> {
    return this.call([[input, 'input'], [target, 'target']], ([x, t]) => this.wl.binaryCrossEntropy(x, t, opts));
  }

  /**
   * Entropy of each row (see `WebGPULoss.entropy`).
   * @example
   * const h = await ol.entropy(out.logits, { from: 'logits', reduction: 'none' });
   */
  entropy(input: OrtInput, opts: EntropyOptions = {}): Promise<OrtLossResult> {
    return this.call([[input, 'input']], ([x]) => this.wl.entropy(x, opts));
  }

  /**
   * KL(target ‖ input) of each row (see `WebGPULoss.klDivergence`).
   * @example
   * const kl = await ol.klDivergence(student.logits, teacher.logits, { targetFrom: 'logits' });
   */
  klDivergence(input: OrtInput, target: OrtInput, opts: KLDivergenceOptions = {}): Promise<OrtLossResult> {
    return this.call([[input, 'input'], [target, 'target']], ([x, t]) => this.wl.klDivergence(x, t, opts));
  }

  /**
   * Generalized Jensen–Shannon divergence between student and teacher logits (see
   * `WebGPULoss.jsDivergence`): either may be an ORT output still on the GPU, e.g. the teacher
   * model's logits; `labels` an ORT tensor too (int32, or int64 converted on the GPU).
   * @example
   * const jsd = await ol.jsDivergence(student.logits, teacher.logits, { temperature: 2, grad: true });
   */
  async jsDivergence(student: OrtInput, teacher: OrtInput, opts: JSDivergenceOptions<OrtInput> = {}): Promise<OrtLossResult> {
    const { labels, ...o } = optionsObject(opts, JSD_KEYS);
    // An int64 label past int32 is kept: it becomes a value other than the ignore index.
    const outOfRange = o.ignoreIndex === -(2 ** 31) ? 2 ** 31 - 1 : -(2 ** 31);
    const args: [OrtInput, string, number?][] = [[student, 'student'], [teacher, 'teacher']];
    if (labels !== undefined) args.push([labels as OrtInput, 'options.labels', outOfRange]);
    return this.call(args, ([s, t, l]) => this.wl.jsDivergence(s, t, l !== undefined ? { ...o, labels: l } : o));
  }

  /**
   * Softmax over the last axis (see `WebGPULoss.softmax`).
   * @example
   * const p = await ol.softmax(out.logits, { temperature: 2 });
   */
  softmax(input: OrtInput, opts: SoftmaxOptions = {}): Promise<GpuTensor> {
    return this.call([[input, 'input']], ([x]) => this.wl.softmax(x, opts));
  }

  /**
   * Bytes the library holds (its outputs and temporaries), as `WebGPULoss.stats`.
   * @example
   * console.log(ol.stats().bytes);
   */
  stats(): ReturnType<WebGPULoss['stats']> {
    return this.wl.stats();
  }

  /**
   * Frees what the library owns; ORT's buffers and device are untouched.
   * @example
   * ol.dispose();
   */
  dispose(): void {
    this.wl.dispose();
  }

  /**
   * Wraps the ORT arguments, runs `fn`, and frees converted int64 labels once the call's work is
   * submitted (WebGPU keeps a destroyed buffer alive for submitted work). Outputs wait on the
   * conversions' error scopes too.
   */
  private async call<T extends LossOutputs | GpuTensor>(args: [OrtInput, string, number?][], fn: (a: TensorLike[]) => Promise<T>): Promise<T> {
    const temps: GpuTensor[] = [];
    try {
      const resolved: TensorLike[] = [];
      for (const [a, name, outOfRange] of args) {
        if (!isOrtTensor(a)) {
          resolved.push(a);
          continue;
        }
        const t = await fromOrtTensor(this.wl, a, name, { outOfRange });
        if (t.owned) temps.push(t);
        resolved.push(t);
      }
      const out = await fn(resolved);
      if (temps.length > 0) {
        const waits = temps.map((t) => t.ready);
        const outs = out instanceof GpuTensor ? [out] : Object.values(out).filter((v): v is GpuTensor => v instanceof GpuTensor);
        for (const o of outs) {
          const own = o.ready;
          o.ready = Promise.all([own, ...waits]).then(() => {});
          o.ready.catch(() => {});
        }
      }
      return out;
    } finally {
      for (const t of temps) t.destroy();
    }
  }
}
