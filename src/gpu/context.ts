import type { DType, HostTensor } from '../types';
import { BufferError, DeviceError, DTypeError, OptionError, ShapeError } from '../errors';
import { GpuTensor } from './tensor';
import { checkTensor } from '../reference/validate';
import { FAMILIES, type Family } from './shaders';

export interface CreateOptions {
  /** Use this device (e.g. TensorFlow.js's or ONNX Runtime Web's). Otherwise one is requested. */
  device?: GPUDevice;
  /** Adapter to request a device from, when no device is given. */
  adapter?: GPUAdapter;
  powerPreference?: GPUPowerPreference;
  /** The `navigator.gpu` to use (for Node bindings). */
  gpu?: GPU;
  /** Print each shader's final WGSL when its module is built. */
  debug?: boolean;
  /**
   * Largest storage binding a dispatch may use, in bytes (default: the device's
   * maxStorageBufferBindingSize). Lower it to bound per-dispatch memory; tests use it to exercise
   * row chunking on small inputs.
   */
  maxBindingBytes?: number;
  /**
   * Use subgroup operations for row reductions where the device has the `subgroups` feature and
   * one fixed subgroup size (default true). False forces the portable workgroup-tree version.
   */
  subgroups?: boolean;
}

/** A GPU tensor or host data with its shape. */
export type TensorLike = GpuTensor | HostTensor;

export interface BindingSpec {
  tensor: GpuTensor;
  /** Byte offset into the tensor's region (0 = element 0). Rounded down to the device alignment. */
  byteOffset?: number;
  byteLength?: number;
}

/** One compute pass of a call. */
export interface Dispatch {
  family: Family;
  entry: string;
  constants?: Record<string, number>;
  /** Raw uniform bytes (at most 256). */
  uniforms: ArrayBuffer;
  /** Storage bindings in order, from binding 1. */
  bindings: { buffer: GPUBuffer; offset: number; size: number }[];
  workgroups: number;
}

/** Facts about the adapter that choose kernel shapes. */
export interface AdapterFacts {
  vendor: string;
  architecture: string;
  description: string;
  /** A CPU implementation (SwiftShader, WARP): it wants few, fat workgroups. */
  isFallback: boolean;
  subgroups: boolean;
  /** The adapter's subgroup sizes (0 when unknown). */
  subgroupMinSize: number;
  subgroupMaxSize: number;
  timestampQuery: boolean;
}

const UNIFORM_SLOT = 256;

/**
 * The library's object for one `GPUDevice`: it owns pipelines, scratch buffers and the outputs it
 * makes; it never destroys buffers the caller passed in.
 */
export class GpuContext {
  readonly device: GPUDevice;
  readonly adapter: AdapterFacts;
  readonly debug: boolean;
  /** Subgroup size the row reductions are built for; 0 when they use the workgroup tree. */
  readonly subgroupSize: number;
  /** The storage-binding size row chunks are cut to (see CreateOptions.maxBindingBytes). */
  readonly maxBindingBytes: number;
  /** Whether this context requested the device itself (then dispose() destroys it). */
  protected ownsDevice = false;
  private lostInfo: GPUDeviceLostInfo | null = null;
  private disposed = false;
  private readonly live = new Set<GpuTensor>();
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly layouts = new Map<Family, { bgl: GPUBindGroupLayout; pl: GPUPipelineLayout }>();
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  private readonly ready = new Map<string, GPUComputePipeline>();

  protected constructor(device: GPUDevice, adapter: AdapterFacts, opts: CreateOptions) {
    this.device = device;
    this.adapter = adapter;
    this.debug = Boolean(opts.debug);
    const limit = device.limits.maxStorageBufferBindingSize;
    const want = opts.maxBindingBytes;
    if (want !== undefined && (!Number.isInteger(want) || want < 1024)) throw new OptionError('options.maxBindingBytes', `must be an integer >= 1024, got ${want}`);
    this.maxBindingBytes = Math.min(limit, want ?? limit);
    const { subgroups, subgroupMinSize: lo, subgroupMaxSize: hi } = adapter;
    // The subgroup reduction unrolls for one known size; adapters whose size varies use the tree.
    this.subgroupSize = opts.subgroups !== false && subgroups && lo > 0 && lo === hi && lo <= 64 ? lo : 0;
    device.lost.then((info) => {
      this.lostInfo = info;
      this.dropCaches();
      // Their buffers died with the device; reading one now reports DEVICE_LOST.
      for (const t of [...this.live]) t.destroy();
      this.live.clear();
    });
  }

  /** Requests an adapter and a device with the adapter's own limits (not the spec defaults). */
  protected static async acquire(opts: CreateOptions): Promise<{ device: GPUDevice; facts: AdapterFacts; owned: boolean }> {
    if (opts.device) return { device: opts.device, facts: factsOf(opts.device, undefined), owned: false };
    const gpu = opts.gpu ?? (typeof navigator !== 'undefined' ? navigator.gpu : undefined);
    if (!gpu) throw new DeviceError('NO_WEBGPU', 'WebGPU is not available here (navigator.gpu is missing; pages need a secure context)');
    let adapter: GPUAdapter | null;
    try {
      adapter = opts.adapter ?? (await gpu.requestAdapter({ powerPreference: opts.powerPreference }));
    } catch (e) {
      throw new DeviceError('NO_WEBGPU', `requestAdapter() failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!adapter) throw new DeviceError('NO_WEBGPU', 'no WebGPU adapter was found');
    const want = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
      'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxStorageBuffersPerShaderStage'] as const;
    const requiredLimits: Record<string, number> = {};
    for (const k of want) requiredLimits[k] = adapter.limits[k];
    const requiredFeatures: GPUFeatureName[] = [];
    for (const f of ['subgroups', 'timestamp-query'] as GPUFeatureName[]) if (adapter.features.has(f)) requiredFeatures.push(f);
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'webgpu-loss' });
    } catch (e) {
      throw new DeviceError('NO_WEBGPU', `the adapter gave no device: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { device, facts: factsOf(device, adapter), owned: true };
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Throws the typed error for a lost device or a disposed context. */
  checkAlive(): void {
    if (this.disposed) throw new DeviceError('DISPOSED', 'this context was disposed');
    if (this.lostInfo) throw new DeviceError('DEVICE_LOST', `the GPU device was lost (${this.lostInfo.reason}: ${this.lostInfo.message})`);
  }

  // ---- tensors ---------------------------------------------------------------------------------

  /** Uploads host data as a library-owned tensor. Float data is stored as float32. */
  tensor(data: ArrayLike<number>, shape: readonly number[], dtype: DType = data instanceof Int32Array ? 'int32' : 'float32', name = 'tensor'): GpuTensor {
    this.checkAlive();
    checkShape(shape, name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new ShapeError(name, `has ${data.length} values but shape [${shape.join(', ')}] needs ${size}`, 'INVALID_SHAPE');
    const t = this.empty(shape, dtype, name, GPUBufferUsage.COPY_DST);
    if (size > 0) {
      const typed = dtype === 'int32' ? toInt32(data, name) : data instanceof Float32Array ? data : Float32Array.from(data);
      this.device.queue.writeBuffer(t.buffer, 0, typed.buffer, typed.byteOffset, size * 4);
    }
    return t;
  }

  /** Wraps a caller's buffer. The library reads (or, for in-place gradients, writes) it but never destroys it. */
  wrap(buffer: GPUBuffer, shape: readonly number[], dtype: DType = 'float32', byteOffset = 0): GpuTensor {
    this.checkAlive();
    checkShape(shape, 'buffer');
    const t = new GpuTensor(this.device, buffer, [...shape], dtype, false, byteOffset, undefined, this);
    checkBuffer(t, 'buffer', this.device);
    return t;
  }

  /** A new library-owned tensor (contents undefined until a kernel writes it). */
  empty(shape: readonly number[], dtype: DType, label: string, extraUsage = 0): GpuTensor {
    this.checkAlive();
    const size = shape.reduce((a, b) => a * b, 1);
    const bytes = Math.max(16, Math.ceil((size * 4) / 16) * 16);
    if (bytes > this.limits.maxBufferSize) {
      throw new BufferError(label, `needs ${bytes} bytes, more than this device's maxBufferSize (${this.limits.maxBufferSize})`, 'TOO_LARGE');
    }
    const buffer = this.device.createBuffer({
      label: `webgpu-loss:${label}`,
      size: bytes,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage,
    });
    const t = new GpuTensor(this.device, buffer, [...shape], dtype, true, 0, (x) => this.live.delete(x), this);
    t.madeByLibrary = true;
    this.live.add(t);
    return t;
  }

  /**
   * Resolves an argument to a GPU tensor: host data is uploaded (and marked temporary), a GPU
   * tensor is checked (same device, storage usage, large enough).
   */
  input(arg: TensorLike, name: string, dtype: DType): { t: GpuTensor; temp: boolean } {
    this.checkAlive();
    if (arg instanceof GpuTensor) {
      if (arg.device !== this.device) throw new DeviceError('DEVICE_MISMATCH', 'tensor belongs to another GPUDevice than this context', name);
      if (arg.isDestroyed) throw new DeviceError('DISPOSED', 'tensor was destroyed', name);
      if (arg.dtype !== dtype) throw new DTypeError(name, `expected dtype ${dtype}, got ${arg.dtype}`);
      checkBuffer(arg, name, this.device);
      return { t: arg, temp: false };
    }
    // Host data: the oracle's own checks, so both sides reject the same inputs the same way.
    checkTensor(arg, name);
    if (dtype === 'float32' && arg.data instanceof Int32Array) throw new DTypeError(name, 'expected float data (Float32Array), got Int32Array');
    if (dtype === 'int32' && (arg.data instanceof Float32Array || arg.data instanceof Float64Array)) {
      throw new DTypeError(name, `expected integer labels (Int32Array or an array of integers), got ${arg.data.constructor.name}`);
    }
    return { t: this.tensor(arg.data, arg.shape, dtype, name), temp: true };
  }

  // ---- pipelines -------------------------------------------------------------------------------

  private layout(family: Family): { bgl: GPUBindGroupLayout; pl: GPUPipelineLayout } {
    let l = this.layouts.get(family);
    if (!l) {
      const spec = FAMILIES[family];
      const entries: GPUBindGroupLayoutEntry[] = [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
        ...spec.bindings.map((kind, i): GPUBindGroupLayoutEntry => ({
          binding: i + 1,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: kind === 'read' ? 'read-only-storage' : 'storage' },
        })),
      ];
      const bgl = this.device.createBindGroupLayout({ label: `webgpu-loss:${family}`, entries });
      l = { bgl, pl: this.device.createPipelineLayout({ label: `webgpu-loss:${family}`, bindGroupLayouts: [bgl] }) };
      this.layouts.set(family, l);
    }
    return l;
  }

  private module(family: Family, sg: boolean): GPUShaderModule {
    const name = sg ? `${family}+sg` : family;
    let m = this.modules.get(name);
    if (!m) {
      const spec: { code: string; sgCode?: string } = FAMILIES[family];
      const code = sg ? spec.sgCode : spec.code;
      if (!code) throw new Error(`family ${family} has no subgroup variant`);
      if (this.debug) console.log(`[webgpu-loss] WGSL for ${name}:\n${code}`);
      m = this.device.createShaderModule({ label: `webgpu-loss:${name}`, code });
      this.modules.set(name, m);
    }
    return m;
  }

  /** Whether `family` runs its subgroup variant on this context. */
  usesSubgroups(family: Family): boolean {
    return this.subgroupSize > 0 && Boolean((FAMILIES[family] as { sgCode?: string }).sgCode);
  }

  private static key(family: Family, entry: string, constants: Record<string, number> | undefined, sg: boolean): string {
    return `${family}${sg ? '+sg' : ''}:${entry}:${constants ? Object.entries(constants).map(([k, v]) => `${k}=${v}`).join(',') : ''}`;
  }

  /**
   * Compiles (once per device) the pipeline for a family's entry point and constants, in its
   * subgroup variant where this context uses one.
   */
  pipeline(family: Family, entry: string, constants?: Record<string, number>): Promise<GPUComputePipeline> {
    this.checkAlive();
    const sg = this.usesSubgroups(family);
    if (sg) constants = { ...constants, SG: this.subgroupSize };
    const key = GpuContext.key(family, entry, constants, sg);
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.device.createComputePipelineAsync({
        label: `webgpu-loss:${key}`,
        layout: this.layout(family).pl,
        compute: { module: this.module(family, sg), entryPoint: entry, constants },
      }).then((pl) => {
        this.ready.set(key, pl);
        return pl;
      }, async (e: unknown) => {
        // Name the shader's own compile messages, not just "invalid module".
        const info = await this.module(family, sg).getCompilationInfo();
        const msgs = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
        throw new DeviceError('GPU_ERROR', `pipeline ${key} failed: ${msgs.join('; ') || (e instanceof Error ? e.message : String(e))}`);
      });
      p.catch(() => this.pipelines.delete(key));
      this.pipelines.set(key, p);
    }
    return p;
  }

  // ---- running ---------------------------------------------------------------------------------

  /**
   * Encodes every dispatch of one call in one command encoder (between `before` and `after`,
   * for copies) and submits it once. `done`
   * settles when the call's error scopes pop: it rejects with a typed error if
   * WebGPU reported a validation or out-of-memory error for this call.
   */
  async run(label: string, dispatches: Dispatch[], before?: (enc: GPUCommandEncoder) => void, after?: (enc: GPUCommandEncoder) => void): Promise<{ done: Promise<void> }> {
    this.checkAlive();
    const pipes = await Promise.all(dispatches.map((d) => this.pipeline(d.family, d.entry, d.constants)));
    this.checkAlive();
    const dev = this.device;
    dev.pushErrorScope('out-of-memory');
    dev.pushErrorScope('validation');
    let validation: Promise<GPUError | null>;
    let oom: Promise<GPUError | null>;
    try {
      const ubuf = this.uniformBuffer(dispatches.length);
      const ubytes = new Uint8Array(dispatches.length * UNIFORM_SLOT);
      dispatches.forEach((d, i) => ubytes.set(new Uint8Array(d.uniforms), i * UNIFORM_SLOT));
      dev.queue.writeBuffer(ubuf, 0, ubytes);
      const enc = dev.createCommandEncoder({ label: `webgpu-loss:${label}` });
      before?.(enc);
      dispatches.forEach((d, i) => {
        const { bgl } = this.layout(d.family);
        const bg = dev.createBindGroup({
          label: `webgpu-loss:${label}:${d.family}`,
          layout: bgl,
          entries: [
            { binding: 0, resource: { buffer: ubuf, offset: i * UNIFORM_SLOT, size: d.uniforms.byteLength } },
            ...d.bindings.map((b, j) => ({ binding: j + 1, resource: { buffer: b.buffer, offset: b.offset, size: b.size } })),
          ],
        });
        const pass = enc.beginComputePass({ label: `webgpu-loss:${label}:${d.family}:${d.entry}` });
        pass.setPipeline(pipes[i]);
        pass.setBindGroup(0, bg);
        if (d.workgroups > 0) pass.dispatchWorkgroups(d.workgroups);
        pass.end();
      });
      after?.(enc);
      dev.queue.submit([enc.finish()]);
    } finally {
      // Always popped, so a throw above never leaves scopes on the device's stack.
      validation = dev.popErrorScope();
      oom = dev.popErrorScope();
    }
    const done = Promise.all([validation, oom]).then(([v, o]) => {
      if (o) throw new DeviceError('OUT_OF_MEMORY', `WebGPU ran out of memory in ${label}: ${o.message}`);
      if (v) throw new DeviceError('GPU_ERROR', `WebGPU reported a validation error in ${label}: ${v.message}`);
      // A device lost mid-call pops its scopes empty; say so rather than hand out dead buffers.
      this.checkAlive();
    });
    done.catch(() => {}); // surfaced through tensor.ready / read(), not as an unhandled rejection
    // Wrapped so that awaiting run() waits for the submit only, not for the GPU.
    return { done };
  }

  private ubuf: GPUBuffer | null = null;

  /**
   * The uniform buffer every call writes its dispatches' uniforms into, reused from call to call
   * (rather than one created and destroyed per call). Reuse is safe:
   * queue.writeBuffer and submit run in queue order, so a call's submit reads the bytes written
   * just before it, whatever later calls write. Grown when a call has more dispatches; not
   * counted by stats() (like pipelines); freed with the caches.
   */
  private uniformBuffer(dispatches: number): GPUBuffer {
    const need = Math.max(16, dispatches) * UNIFORM_SLOT;
    if (!this.ubuf || this.ubuf.size < need) {
      this.ubuf?.destroy(); // work already submitted keeps it alive until done
      this.ubuf = this.device.createBuffer({ label: 'webgpu-loss:uniforms', size: need, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    }
    return this.ubuf;
  }

  /** Workgroups for a grid-stride loop over `units` work items, sized for this adapter. */
  grid(units: number): number {
    // A CPU adapter runs workgroups on a few threads and pays per workgroup barrier: few fat
    // workgroups. A GPU wants enough workgroups to fill every compute unit.
    const cap = this.adapter.isFallback ? 16 : this.limits.maxComputeWorkgroupsPerDimension;
    return Math.max(1, Math.min(units, cap));
  }

  /** Binding for a region of a tensor, aligned down to the storage-offset alignment. */
  bind(t: GpuTensor, elemOffset = 0, elemCount = t.size): { binding: { buffer: GPUBuffer; offset: number; size: number }; base: number } {
    const align = this.limits.minStorageBufferOffsetAlignment;
    const start = t.offset + elemOffset * 4;
    const aligned = Math.floor(start / align) * align;
    const size = Math.max(4, start - aligned + elemCount * 4);
    return { binding: { buffer: t.buffer, offset: aligned, size: Math.min(size, t.buffer.size - aligned) }, base: (start - aligned) / 4 };
  }

  /**
   * Tensors viewing parts of one library-owned buffer. The buffer is freed when every view has
   * been destroyed (or on dispose()).
   */
  split(parent: GpuTensor, parts: { elemOffset: number; shape: number[]; dtype: DType }[]): GpuTensor[] {
    let left = parts.length;
    // The parent is owned through its views from now on (stats() counts its buffer once).
    this.live.delete(parent);
    const views = parts.map((p) => new GpuTensor(this.device, parent.buffer, p.shape, p.dtype, false, parent.offset + p.elemOffset * 4, (v) => {
      this.live.delete(v);
      if (--left === 0) parent.destroy();
    }, this));
    for (const v of views) {
      v.madeByLibrary = true;
      this.live.add(v);
    }
    return views;
  }

  private readonly dummies = new Map<string, GPUBuffer>();

  /** A small placeholder buffer for a binding an entry point does not use (one per role, so
   *  two writable placeholders never alias). */
  dummy(role: string): { buffer: GPUBuffer; offset: number; size: number } {
    let b = this.dummies.get(role);
    if (!b) {
      b = this.device.createBuffer({ label: `webgpu-loss:unused:${role}`, size: 16, usage: GPUBufferUsage.STORAGE });
      this.dummies.set(role, b);
    }
    return { buffer: b, offset: 0, size: 16 };
  }

  /** Bytes held by library-owned tensors. */
  stats(): { tensors: number; bytes: number; pipelines: number } {
    // Views share a buffer: count each buffer once.
    const buffers = new Set<GPUBuffer>();
    for (const t of this.live) buffers.add(t.buffer);
    let bytes = 0;
    for (const b of buffers) bytes += b.size;
    for (const b of this.dummies.values()) bytes += b.size;
    return { tensors: this.live.size, bytes, pipelines: this.ready.size };
  }

  private dropCaches(): void {
    this.pipelines.clear();
    this.ready.clear();
    this.modules.clear();
    this.layouts.clear();
    for (const b of this.dummies.values()) b.destroy();
    this.dummies.clear();
    this.ubuf?.destroy();
    this.ubuf = null;
  }

  /**
   * Frees everything the library owns on this device (outputs, views of them, pipelines); the
   * caller's buffers are untouched. A device this context requested itself is destroyed too.
   */
  dispose(): void {
    if (this.disposed) return;
    for (const t of [...this.live]) t.destroy();
    this.live.clear();
    this.dropCaches();
    this.disposed = true;
    if (this.ownsDevice) this.device.destroy();
  }
}

function factsOf(device: GPUDevice, adapter: GPUAdapter | undefined): AdapterFacts {
  const info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean } =
    (adapter?.info ?? (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo ?? {}) as GPUAdapterInfo;
  const architecture = info.architecture ?? '';
  return {
    vendor: info.vendor ?? '',
    architecture,
    description: info.description ?? '',
    isFallback: Boolean(info.isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe|warp/i.test(`${architecture} ${info.description ?? ''}`),
    subgroups: device.features.has('subgroups'),
    subgroupMinSize: (info as { subgroupMinSize?: number }).subgroupMinSize ?? 0,
    subgroupMaxSize: (info as { subgroupMaxSize?: number }).subgroupMaxSize ?? 0,
    timestampQuery: device.features.has('timestamp-query'),
  };
}

function checkShape(shape: readonly number[], name: string): void {
  if (!Array.isArray(shape) && !(shape as unknown instanceof Array)) throw new ShapeError(name, 'shape must be an array of sizes', 'INVALID_SHAPE');
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(name, `shape [${shape.join(', ')}] must hold non-negative integers`, 'INVALID_SHAPE');
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (size * 4 > Number.MAX_SAFE_INTEGER || size >= 2 ** 32) throw new ShapeError(name, `shape [${shape.join(', ')}] has ${size} elements, more than a u32 index reaches`, 'INVALID_SHAPE');
}

function checkBuffer(t: GpuTensor, name: string, device: GPUDevice): void {
  if (!(t.buffer.usage & GPUBufferUsage.STORAGE)) throw new BufferError(name, 'buffer lacks GPUBufferUsage.STORAGE', 'BUFFER_USAGE');
  if (t.offset % 4 !== 0) throw new BufferError(name, `byte offset ${t.offset} is not a multiple of 4`, 'BUFFER_USAGE');
  if (t.offset + t.byteLength > t.buffer.size) {
    throw new BufferError(name, `buffer holds ${t.buffer.size} bytes; shape [${t.shape.join(', ')}] at offset ${t.offset} needs ${t.offset + t.byteLength}`);
  }
  void device;
}

function toInt32(data: ArrayLike<number>, name: string): Int32Array {
  if (data instanceof Int32Array) return data;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new DTypeError(name, `value ${v} at index ${i} is not a 32-bit integer`);
    out[i] = v;
  }
  return out;
}
