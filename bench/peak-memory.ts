// Peak GPU memory of one call, measured by hooking the device: while `f` runs, every buffer made
// with `device.createBuffer` adds its requested size to a live count and its `destroy()` takes it
// off (once, however often it is called). Buffers alive before the call (the inputs) never count,
// and destroying one of them during the call changes nothing. Sizes are the requested ones, not
// what a driver rounds them up to. A pooling allocator (TF.js keeps released buffers for reuse)
// shows only what it newly allocates: its peak is meaningful on a call that starts from an
// empty pool, and what it keeps afterwards appears as `liveBytesAfter`.

/** What one call made on the device. */
export interface PeakMemory {
  /** Most bytes of buffers made during the call that were alive at once. */
  peakBytes: number;
  /** Bytes of those buffers still alive when the call returned (pools, caches, kept outputs). */
  liveBytesAfter: number;
  /** All bytes requested during the call, destroyed or not. */
  createdBytes: number;
  /** Buffers made during the call. */
  buffers: number;
  /** The largest single buffer made during the call. */
  largestBuffer: number;
}

/** The part of GPUDevice the tracker touches (so a test can pass a stand-in). */
export interface BufferMaker {
  createBuffer(descriptor: GPUBufferDescriptor): GPUBuffer;
}

/**
 * Runs `f` with `device.createBuffer` hooked and returns its value with the memory it made.
 * The hook is removed when `f` settles, also when it throws; calls may nest (each tracker sees
 * the buffers made inside it).
 */
export async function peakDuring<T>(device: BufferMaker, f: () => Promise<T>): Promise<{ value: T } & PeakMemory> {
  const hadOwn = Object.prototype.hasOwnProperty.call(device, 'createBuffer');
  const previous = device.createBuffer;
  const stats: PeakMemory = { peakBytes: 0, liveBytesAfter: 0, createdBytes: 0, buffers: 0, largestBuffer: 0 };
  let live = 0;
  let tracking = true;
  device.createBuffer = function (this: unknown, descriptor: GPUBufferDescriptor): GPUBuffer {
    const buffer = previous.call(device, descriptor);
    if (!tracking) return buffer;
    const size = descriptor.size;
    stats.buffers++;
    stats.createdBytes += size;
    stats.largestBuffer = Math.max(stats.largestBuffer, size);
    live += size;
    stats.peakBytes = Math.max(stats.peakBytes, live);
    const destroy = buffer.destroy;
    let gone = false;
    buffer.destroy = function (this: unknown): undefined {
      if (!gone) {
        gone = true;
        live -= size;
      }
      return destroy.call(buffer);
    };
    return buffer;
  };
  try {
    const value = await f();
    stats.liveBytesAfter = live;
    return { value, ...stats };
  } finally {
    tracking = false;
    if (hadOwn) device.createBuffer = previous;
    else delete (device as Partial<BufferMaker>).createBuffer;
  }
}
