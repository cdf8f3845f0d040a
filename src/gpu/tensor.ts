import type { DType } from '../contract/types';
import { BufferError, DeviceError, DTypeError } from '../contract/errors';
import { ASYNC_DISPOSE, DISPOSE } from '../contract/dispose';
import { elementBytes, isHalf } from '../contract/tensor';

export { ASYNC_DISPOSE, DISPOSE };


/** Held by the library only: a GpuTensor comes from `tensor`, `wrap`, `empty` or an operation, never `new`. */
export const MAKE: unique symbol = Symbol('webgpu-loss:make');

/**
 * The typed array a tensor of each dtype reads back as.
 * @inline
 */
export type ArrayOf<D extends DType> = D extends 'int32' ? Int32Array : D extends 'float16' | 'bfloat16' ? Uint16Array : Float32Array;

/**
 * Tensors the library made. `instanceof GpuTensor` answers from here: an object that only has the
 * class's prototype, or a Proxy of a tensor (whose reads may answer anything), is not one.
 */
const made = new WeakSet<object>();

/**
 * A tensor on the GPU: a buffer region, a shape and a dtype. It comes from
 * {@link WebGPULoss.tensor}, {@link WebGPULoss.wrap}, {@link WebGPULoss.empty} or an operation,
 * never from `new`. Tensors the library made are freed by `destroy()` (or `using`) or by the
 * library's `dispose()`; a tensor wrapping your buffer (`wl.wrap`) never destroys it.
 *
 * @example
 * const x = wl.tensor(new Float32Array([1, 2, 3, 4]), [2, 2]);
 * const p = await wl.softmax(x);
 * console.log(p.shape, p.dtype, await p.read());   // [2, 2] 'float32' Float32Array(4)
 * x.destroy();
 * p.destroy();
 */
export class GpuTensor<D extends DType = DType> {
  /**
   * `x instanceof GpuTensor` holds only for tensors the library made (not for a look-alike object
   * or a Proxy of one).
   * @example
   * if (input instanceof GpuTensor) console.log(input.shape, input.dtype);
   */
  static [Symbol.hasInstance](v: unknown): v is GpuTensor {
    return typeof v === 'object' && v !== null && made.has(v);
  }

  /** Waits for the work that produced this tensor and rejects with its typed error, if any. */
  ready: Promise<void> = Promise.resolve();
  /** Made by the library (an output or a view of one), not a wrapped caller buffer. */
  madeByLibrary = false;
  private destroyed = false;

  /**
   * Made by the library only: a direct `new GpuTensor(...)` throws a `DTypeError`.
   * @internal
   */
  constructor(
    token: typeof MAKE,
    /** The device that holds `buffer`. */
    readonly device: GPUDevice,
    /** The buffer the values live in (from `offset`, 4 bytes per element; 2 for float16 / bfloat16, two per word). */
    readonly buffer: GPUBuffer,
    /** Row-major shape, e.g. `[rows, classes]`; `[]` for a scalar. */
    readonly shape: readonly number[],
    /** Element type: `'float32'`, `'int32'` for labels and indices, or `'float16'` / `'bfloat16'` inputs. */
    readonly dtype: D,
    /**
     * Whether `destroy()` frees `buffer` itself: false for a wrapped buffer of yours, and for views
     * that share one library buffer (freed with the last of them).
     */
    readonly owned: boolean,
    /** Byte offset of element 0 in `buffer`. */
    readonly offset = 0,
    private readonly onDestroy?: (t: GpuTensor) => void,
    /** The library's liveness check: read() reports its device loss or disposal. */
    private readonly checkAlive?: () => void,
  ) {
    if (token !== MAKE) throw new DTypeError('GpuTensor', 'is made by WebGPULoss (tensor, wrap, empty or an operation), not constructed directly');
    made.add(this);
  }

  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Size of the values in bytes: 4 per element (2 for float16 / bfloat16). */
  get byteLength(): number {
    return this.size * elementBytes(this.dtype);
  }

  /** Whether `destroy()` has run: by you or, for a tensor the library made, by its `dispose()` or a lost device. */
  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /**
   * Copies the values back to the CPU (one staging copy, one mapAsync). A copy WebGPU refuses
   * (a wrapped buffer its owner destroyed, or of another device) rejects with its message; the call's own typed error comes first.
   * @example
   * const out = await wl.crossEntropy(logits, labels, { reduction: 'none' });
   * const perRow = await out.loss.read();   // Float32Array of length rows
   */
  async read(): Promise<ArrayOf<D>> {
    this.checkAlive?.();
    // A failed call's own error comes first (its outputs were freed because of it).
    await this.ready;
    if (this.destroyed) throw new DeviceError('DISPOSED', 'tensor was destroyed before read()', 'tensor');
    this.checkAlive?.();
    if (this.byteLength > 0 && !(this.buffer.usage & GPUBufferUsage.COPY_SRC)) {
      throw new BufferError('tensor', 'its buffer lacks GPUBufferUsage.COPY_SRC, which read() copies it out by', 'BUFFER_USAGE');
    }
    // Copies move whole words: a 16-bit tensor's words are copied and its own halves cut out.
    const from = Math.floor(this.offset / 4) * 4;
    const words = Math.ceil((this.offset + this.byteLength) / 4) * 4 - from;
    const bytes = Math.max(4, words);
    const staging = this.device.createBuffer({
      label: 'webgpu-loss:readback',
      size: bytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    try {
      let refused: Promise<GPUError | null> = Promise.resolve(null);
      if (this.byteLength > 0) {
        this.device.pushErrorScope('validation');
        try {
          const enc = this.device.createCommandEncoder({ label: 'webgpu-loss:readback' });
          enc.copyBufferToBuffer(this.buffer, from, staging, 0, words);
          this.device.queue.submit([enc.finish()]);
        } finally {
          refused = this.device.popErrorScope();
        }
      }
      const [err] = await Promise.all([refused, staging.mapAsync(GPUMapMode.READ)]);
      if (err) throw new DeviceError('GPU_ERROR', `WebGPU refused to copy the tensor out: ${err.message}`, 'tensor');
      const copy = staging.getMappedRange(0, bytes).slice(this.offset - from, this.offset - from + this.byteLength);
      staging.unmap();
      return (this.dtype === 'int32' ? new Int32Array(copy) : isHalf(this.dtype) ? new Uint16Array(copy) : new Float32Array(copy)) as ArrayOf<D>;
    } catch (e) {
      this.checkAlive?.();
      if (e instanceof DeviceError) throw e;
      if (e instanceof Error && /lost|destroyed/i.test(e.message)) {
        throw new DeviceError('DEVICE_LOST', `the device was lost before read() finished (${e.message})`, 'tensor');
      }
      throw e;
    } finally {
      staging.destroy();
    }
  }

  /**
   * `using t = wl.tensor(...)` destroys it at the end of the block.
   * @example
   * {
   *   using x = wl.tensor(new Float32Array([1, 2, 3]), [1, 3]);
   *   using p = await wl.softmax(x);
   *   console.log(await p.read());
   * }   // x and p are destroyed here
   */
  [DISPOSE](): void {
    this.destroy();
  }

  /**
   * Frees the buffer if the library owns it; a wrapped caller buffer is left alone. Later reads
   * reject with `DeviceError` `DISPOSED`; calling it again does nothing.
   * @example
   * const p = await wl.softmax(x);
   * const values = await p.read();
   * p.destroy();
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.owned) this.buffer.destroy();
    this.onDestroy?.(this);
  }
}
