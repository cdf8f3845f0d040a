// The tensors of one device: uploads, wrapped caller buffers, outputs and views of them, the
// placeholders for unused bindings, and the bytes they hold. Only what the library made is freed.
import type { DType, HostTensor } from '../contract/types';
import { BufferError, DeviceError, DTypeError } from '../contract/errors';
import { bareUint16, checkElementType, copyDims, elementBytes, formatShape, hostDType, hostValues, isHalf } from '../contract/tensor';
import { show } from '../contract/show';
import { checkCallerBuffer } from '../contract/buffer';
import { GpuTensor, MAKE } from './tensor';

export interface Binding {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

export class TensorStore {
  private readonly live = new Set<GpuTensor>();
  private readonly dummies = new Map<string, GPUBuffer>();

  constructor(
    private readonly device: GPUDevice,
    /** Throws the typed error of a lost device or a disposed library. */
    private readonly checkAlive: () => void,
  ) {}

  /**
   * Uploads host data as a library-owned tensor. Float data is stored as float32. `name`: the
   * argument an operation's host data came in (errors name it); without it, the call is the
   * public `tensor(data, shape, dtype)` and errors name each of those.
   */
  tensor(data: ArrayLike<number>, shape: readonly number[], dtype?: DType, name?: string): GpuTensor {
    this.checkAlive();
    const names = name ? { data: name, shape: name, dtype: 'dtype' } : { data: 'data', shape: 'shape', dtype: 'dtype' };
    const h = hostValues(data, shape, dtype, names);
    const t = this.empty(h.shape, h.dtype, name ?? 'tensor', GPUBufferUsage.COPY_DST, names.shape);
    // Dawn's writeBuffer takes no SharedArrayBuffer (a TypeError): such data go through a copy;
    // writes are whole words, so an odd count of 16-bit values is padded by one.
    const odd = h.values instanceof Uint16Array && h.values.length % 2 === 1;
    const values = odd ? padded(h.values as Uint16Array) : h.values.buffer instanceof ArrayBuffer ? h.values : h.values.slice();
    if (values.length > 0) this.device.queue.writeBuffer(t.buffer, 0, values.buffer, values.byteOffset, values.byteLength);
    return t;
  }

  /** Wraps a caller's buffer. The library reads (or, for in-place gradients, writes) it but never destroys it. */
  wrap(buffer: GPUBuffer, shape: readonly number[], dtype: DType = 'float32', byteOffset = 0): GpuTensor {
    this.checkAlive();
    const dims = copyDims(shape, 'shape');
    dtype = dtypeOf(dtype, 'dtype');
    checkCallerBuffer(buffer, 'buffer');
    const eb = elementBytes(dtype);
    if (typeof byteOffset !== 'number' || !Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % eb !== 0) {
      throw new BufferError('byteOffset', `must be an integer >= 0 and a multiple of ${eb} (the ${dtype} element size), got ${show(byteOffset)}`, 'BUFFER_USAGE');
    }
    const t = new GpuTensor(MAKE, this.device, buffer, dims, dtype, false, byteOffset, undefined, this.checkAlive);
    checkBuffer(t, 'buffer');
    return t;
  }

  /**
   * A new library-owned tensor (contents undefined until a kernel writes it). `name`: what an
   * error for a size past maxBufferSize names (default the label).
   */
  empty<D extends DType>(shape: readonly number[], dtype: D, label: string, extraUsage = 0, name = label): GpuTensor<D> {
    this.checkAlive();
    const dims = copyDims(shape, 'shape');
    dtype = dtypeOf(dtype, 'dtype') as D;
    const size = dims.reduce((a, b) => a * b, 1);
    const bytes = Math.max(16, Math.ceil((size * elementBytes(dtype)) / 16) * 16);
    if (bytes > this.device.limits.maxBufferSize) {
      throw new BufferError(name, `needs ${bytes} bytes, more than this device's maxBufferSize (${this.device.limits.maxBufferSize})`, 'TOO_LARGE');
    }
    const buffer = this.device.createBuffer({
      label: `webgpu-loss:${label}`,
      size: bytes,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage,
    });
    const t = new GpuTensor(MAKE, this.device, buffer, dims, dtype, true, 0, (x) => this.live.delete(x), this.checkAlive);
    t.madeByLibrary = true;
    this.live.add(t);
    return t;
  }

  /**
   * Resolves an argument to a GPU tensor: host data is uploaded (and marked temporary), a GPU
   * tensor is checked (same device, storage usage, large enough).
   */
  input<D extends DType>(arg: GpuTensor | HostTensor, name: string, dtype: D): { t: GpuTensor<D>; temp: boolean } {
    this.checkAlive();
    if (arg instanceof GpuTensor) {
      if (arg.device !== this.device) throw new DeviceError('DEVICE_MISMATCH', 'tensor belongs to another GPUDevice than this context', name);
      if (arg.isDestroyed) throw new DeviceError('DISPOSED', 'tensor was destroyed', name);
      if (arg.dtype !== dtype) throw new DTypeError(name, `expected dtype ${dtype}, got ${arg.dtype}`);
      checkBuffer(arg, name);
      return { t: arg as GpuTensor<D>, temp: false };
    }
    // Host data was checked by the contract's checkTensor when the kernel read its shape (every
    // argument's shape is read before anything is uploaded); here only its element type.
    const declared = hostDType(arg, name);
    if (declared !== undefined && declared !== dtype) throw new DTypeError(name, `expected ${dtype} data, got dtype ${declared}`);
    checkElementType(arg.data, name, dtype);
    if (dtype === 'float32' && declared === undefined && arg.data instanceof Uint16Array) throw bareUint16(name);
    return { t: this.tensor(arg.data, arg.shape, dtype, name) as GpuTensor<D>, temp: true };
  }

  /**
   * A float argument (an input, a dense target): float32, float16 or bfloat16, as a GPU tensor
   * says or as host data declare (`dtype`, or a Float16Array); otherwise as input() resolves it.
   */
  floats(arg: GpuTensor | HostTensor, name: string): { t: GpuTensor; temp: boolean } {
    this.checkAlive();
    const dtype = arg instanceof GpuTensor ? arg.dtype : hostDType(arg, name) ?? 'float32';
    return this.input(arg, name, isHalf(dtype) ? dtype : 'float32');
  }

  /**
   * Tensors viewing parts of one library-owned buffer. The buffer is freed when every view has
   * been destroyed (or on dispose()).
   */
  split(parent: GpuTensor, parts: { elemOffset: number; shape: number[]; dtype: DType }[]): GpuTensor[] {
    let left = parts.length;
    // The parent is owned through its views from now on (stats() counts its buffer once).
    this.live.delete(parent);
    const views = parts.map((p) => new GpuTensor(MAKE, this.device, parent.buffer, p.shape, p.dtype, false, parent.offset + p.elemOffset * 4, (v) => {
      this.live.delete(v);
      if (--left === 0) parent.destroy();
    }, this.checkAlive));
    for (const v of views) {
      v.madeByLibrary = true;
      this.live.add(v);
    }
    return views;
  }

  /** A small placeholder buffer for a binding an entry point does not use (one per role, so
   *  two writable placeholders never alias). */
  dummy(role: string): Binding {
    let b = this.dummies.get(role);
    if (!b) {
      b = this.device.createBuffer({ label: `webgpu-loss:unused:${role}`, size: 16, usage: GPUBufferUsage.STORAGE });
      this.dummies.set(role, b);
    }
    return { buffer: b, offset: 0, size: 16 };
  }

  /**
   * Tensors and their bytes (views of one buffer count it once); the placeholders apart: they
   * live until dispose(), so a caller who freed every tensor sees `bytes` back at 0.
   */
  stats(): { tensors: number; bytes: number; placeholderBytes: number } {
    const buffers = new Set<GPUBuffer>();
    for (const t of this.live) buffers.add(t.buffer);
    let bytes = 0;
    for (const b of buffers) bytes += b.size;
    let placeholderBytes = 0;
    for (const b of this.dummies.values()) placeholderBytes += b.size;
    return { tensors: this.live.size, bytes, placeholderBytes };
  }

  /** Frees every library-made tensor (their buffers die with a lost device anyway). */
  freeTensors(): void {
    for (const t of [...this.live]) t.destroy();
    this.live.clear();
  }

  freePlaceholders(): void {
    for (const b of this.dummies.values()) b.destroy();
    this.dummies.clear();
  }
}

function dtypeOf(dtype: unknown, name: string): DType {
  if (dtype !== 'float32' && dtype !== 'int32' && !isHalf(dtype)) throw new DTypeError(name, `must be 'float32', 'int32', 'float16' or 'bfloat16', got ${show(dtype)}`);
  return dtype;
}

/** 16-bit values padded to whole words (one zero after an odd count). */
function padded(v: Uint16Array): Uint16Array {
  const out = new Uint16Array(v.length + 1);
  out.set(v);
  return out;
}


function checkBuffer(t: GpuTensor, name: string): void {
  if (!(t.buffer.usage & GPUBufferUsage.STORAGE)) throw new BufferError(name, 'buffer lacks GPUBufferUsage.STORAGE', 'BUFFER_USAGE');
  const eb = elementBytes(t.dtype);
  if (t.offset % eb !== 0) throw new BufferError(name, `byte offset ${t.offset} is not a multiple of ${eb}`, 'BUFFER_USAGE');
  // Shaders read whole words: 16-bit values need the word holding the last of them in the buffer.
  const end = eb === 2 ? Math.ceil((t.offset + t.byteLength) / 4) * 4 : t.offset + t.byteLength;
  if (end > t.buffer.size) {
    throw new BufferError(name, `buffer holds ${t.buffer.size} bytes; shape ${formatShape(t.shape)} at offset ${t.offset} needs ${end}${eb === 2 ? ' (whole 4-byte words)' : ''}`);
  }
}
