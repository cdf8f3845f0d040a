// The engine: everything the kernels need from one GPUDevice (tensors, pipelines, one submit per
// call, error scopes, liveness), private to the library. WebGPULoss holds one; users never see it.
import type { DType, HostTensor } from '../contract/types';
import { DeviceError } from '../contract/errors';
import { elementBytes } from '../contract/tensor';
import { GpuTensor } from './tensor';
import { acquireDevice, parseCreateOptions, type AdapterFacts, type CreateOptions } from './device';
import { PipelineCache } from './pipelines';
import { Submitter, type Dispatch } from './submit';
import { TensorStore, type Binding } from './memory';
import type { Family } from './shaders';

export type { AdapterFacts, CreateOptions } from './device';
export type { Dispatch } from './submit';

/** A GPU tensor or host data with its shape. */
export type TensorLike = GpuTensor | HostTensor;

/**
 * The library's engine for one `GPUDevice`: it owns pipelines, scratch buffers and the outputs it
 * makes; it never destroys buffers the caller passed in.
 */
export class GpuContext {
  readonly device: GPUDevice;
  readonly adapter: AdapterFacts;
  /** Subgroup size the row reductions are built for; 0 when they use the workgroup tree. */
  readonly subgroupSize: number;
  /** The storage-binding size row chunks are cut to (see CreateOptions.maxBindingBytes). */
  readonly maxBindingBytes: number;
  private lostInfo: GPUDeviceLostInfo | null = null;
  private disposed = false;
  private readonly ownsDevice: boolean;
  private readonly store: TensorStore;
  private readonly pipelines: PipelineCache;
  private readonly submitter: Submitter;

  /** Requests a device (or takes the caller's) and builds the engine on it. */
  static async create(options: CreateOptions | undefined): Promise<GpuContext> {
    const opts = parseCreateOptions(options);
    const { device, facts, owned } = await acquireDevice(opts);
    return new GpuContext(device, facts, owned, opts);
  }

  private constructor(device: GPUDevice, adapter: AdapterFacts, ownsDevice: boolean, opts: CreateOptions) {
    this.device = device;
    this.adapter = adapter;
    this.ownsDevice = ownsDevice;
    const limit = device.limits.maxStorageBufferBindingSize;
    const want = opts.maxBindingBytes;
    this.maxBindingBytes = Math.min(limit, want ?? limit);
    const { subgroups, subgroupMinSize: lo, subgroupMaxSize: hi } = adapter;
    // The subgroup reduction unrolls for one known size; adapters whose size varies use the tree.
    this.subgroupSize = opts.subgroups !== false && subgroups && lo > 0 && lo === hi && lo <= 64 ? lo : 0;
    const checkAlive = () => this.checkAlive();
    this.store = new TensorStore(device, checkAlive);
    this.pipelines = new PipelineCache(device, this.subgroupSize, Boolean(opts.debug), checkAlive);
    this.submitter = new Submitter(device, this.pipelines, checkAlive);
    device.lost.then((info) => {
      this.lostInfo = info;
      this.dropCaches();
      // Their buffers died with the device; reading one now reports DEVICE_LOST.
      this.store.freeTensors();
    });
  }

  /** Whether dispose() ran (WebGPULoss then names the call in its DISPOSED error). */
  get isDisposed(): boolean {
    return this.disposed;
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Throws the typed error for a lost device or a disposed library. */
  checkAlive(): void {
    if (this.disposed) throw new DeviceError('DISPOSED', 'this WebGPULoss was disposed and holds no device; create a new one');
    if (this.lostInfo) throw new DeviceError('DEVICE_LOST', `the GPU device was lost (${this.lostInfo.reason}: ${this.lostInfo.message})`);
  }

  // ---- tensors (memory.ts) ---------------------------------------------------------------------

  tensor(data: ArrayLike<number>, shape: readonly number[], dtype?: DType, name?: string): GpuTensor {
    return this.store.tensor(data, shape, dtype, name);
  }

  wrap(buffer: GPUBuffer, shape: readonly number[], dtype?: DType, byteOffset?: number): GpuTensor {
    return this.store.wrap(buffer, shape, dtype, byteOffset);
  }

  empty<D extends DType>(shape: readonly number[], dtype: D, label: string, extraUsage?: number, name?: string): GpuTensor<D> {
    return this.store.empty(shape, dtype, label, extraUsage, name);
  }

  input<D extends DType>(arg: TensorLike, name: string, dtype: D): { t: GpuTensor<D>; temp: boolean } {
    return this.store.input(arg, name, dtype);
  }

  /** A float input or dense target: float32, float16 or bfloat16 (see TensorStore.floats). */
  floats(arg: TensorLike, name: string): { t: GpuTensor; temp: boolean } {
    return this.store.floats(arg, name);
  }

  split(parent: GpuTensor, parts: { elemOffset: number; shape: number[]; dtype: DType }[]): GpuTensor[] {
    return this.store.split(parent, parts);
  }

  dummy(role: string): Binding {
    return this.store.dummy(role);
  }

  /**
   * Binding for a region of a tensor, aligned down to the storage-offset alignment; `base` is the
   * region's first element in the binding. 16-bit elements: two per word, the size whole words.
   */
  bind(t: GpuTensor, elemOffset = 0, elemCount = t.size): { binding: Binding; base: number } {
    const align = this.limits.minStorageBufferOffsetAlignment;
    const eb = elementBytes(t.dtype);
    const start = t.offset + elemOffset * eb;
    const aligned = Math.floor(start / align) * align;
    const size = Math.max(4, Math.ceil((start - aligned + elemCount * eb) / 4) * 4);
    return { binding: { buffer: t.buffer, offset: aligned, size: Math.min(size, t.buffer.size - aligned) }, base: (start - aligned) / eb };
  }

  // ---- pipelines and submits (pipelines.ts, submit.ts) -----------------------------------------

  /** Compiles (once per device) the pipeline for a family's entry point and constants. */
  pipeline(family: Family, entry: string, constants?: Record<string, number>): Promise<GPUComputePipeline> {
    this.checkAlive();
    return this.pipelines.get(family, entry, constants);
  }

  usesSubgroups(family: Family): boolean {
    return this.pipelines.usesSubgroups(family);
  }

  run(label: string, dispatches: Dispatch[], before?: (enc: GPUCommandEncoder) => void, after?: (enc: GPUCommandEncoder) => void): Promise<{ done: Promise<void> }> {
    return this.submitter.run(label, dispatches, before, after);
  }

  // ---- lifetime ----------------------------------------------------------------------------------

  /** Library-owned tensors and their bytes, the unused bindings' placeholders apart, and pipelines. */
  stats(): { tensors: number; bytes: number; placeholderBytes: number; pipelines: number } {
    return { ...this.store.stats(), pipelines: this.pipelines.count };
  }

  private dropCaches(): void {
    this.pipelines.clear();
    this.store.freePlaceholders();
    this.submitter.free();
  }

  /**
   * Frees everything the library owns on this device (outputs, views of them, pipelines); the
   * caller's buffers are untouched. A device requested here is destroyed too.
   */
  dispose(): void {
    if (this.disposed) return;
    this.store.freeTensors();
    this.dropCaches();
    this.disposed = true;
    if (this.ownsDevice) this.device.destroy();
  }
}
