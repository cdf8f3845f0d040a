import { BufferError, ShapeError } from '../contract/errors';
import { GpuTensor } from '../gpu/tensor';
import { asMatrix, checkTensor, formatShape, matrixShape } from '../contract/tensor';
import type { GpuContext, Dispatch, TensorLike } from '../gpu/context';

/** Little-endian uniform block writer (u32 / i32 / f32 fields, 4 bytes each, in order). */
export class Uniforms {
  private readonly words: number[] = [];
  private readonly kinds: ('u' | 'i' | 'f')[] = [];
  u32(v: number): this { this.words.push(v >>> 0); this.kinds.push('u'); return this; }
  i32(v: number): this { this.words.push(v | 0); this.kinds.push('i'); return this; }
  f32(v: number): this { this.words.push(v); this.kinds.push('f'); return this; }
  bytes(): ArrayBuffer {
    const n = Math.ceil(this.words.length / 4) * 4; // uniform structs are 16-byte multiples
    const buf = new ArrayBuffer(Math.max(16, n * 4));
    const dv = new DataView(buf);
    this.words.forEach((w, i) => {
      if (this.kinds[i] === 'f') dv.setFloat32(i * 4, w, true);
      else if (this.kinds[i] === 'i') dv.setInt32(i * 4, w, true);
      else dv.setUint32(i * 4, w, true);
    });
    return buf;
  }
}


/**
 * Splits rows into chunks whose [count, cols] float32 slice fits one storage binding (with room
 * for the offset alignment), so inputs larger than maxStorageBufferBindingSize still run.
 */
export function rowChunks(ctx: GpuContext, rows: number, cols: number): { row0: number; count: number }[] {
  const maxBytes = ctx.maxBindingBytes - ctx.limits.minStorageBufferOffsetAlignment;
  if (cols * 4 > maxBytes) throw new BufferError('input', `one row of ${cols} classes (${cols * 4} bytes) exceeds the storage binding limit (${ctx.maxBindingBytes} bytes, maxStorageBufferBindingSize)`, 'TOO_LARGE');
  const perChunk = Math.max(1, Math.floor(maxBytes / Math.max(4, cols * 4)));
  const out: { row0: number; count: number }[] = [];
  for (let r = 0; r < rows; r += perChunk) out.push({ row0: r, count: Math.min(perChunk, rows - r) });
  if (out.length === 0) out.push({ row0: 0, count: 0 });
  return out;
}

/** Library tensors a call made for itself, freed once its work is submitted. */
export type Temps = GpuTensor[];

/**
 * Ends a call: every output waits on the call's error scopes, and the call's temporaries are
 * freed (WebGPU keeps a destroyed buffer alive until submitted work using it has finished).
 */
export function finishCall(out: object, done: Promise<void>, temps: Temps): void {
  const outs = Object.values(out).filter((v): v is GpuTensor => v instanceof GpuTensor);
  for (const t of outs) t.ready = done;
  for (const t of temps) t.destroy();
  // A call WebGPU rejected frees the outputs it made (their contents are undefined); reading
  // one reports the call's error. Caller-owned outputs (inPlace, gradOut) are left alone.
  done.catch(() => {
    for (const t of outs) if (t.madeByLibrary) t.destroy();
  });
}

/**
 * Runs a call's encoding with the lists it fills: `temps` (freed after submit) and `made` (its
 * outputs). If anything throws before the submit, both are freed, so a failed call holds nothing.
 */
export async function freeOnThrow<T>(temps: Temps, made: GpuTensor[], encode: () => Promise<T>): Promise<T> {
  try {
    return await encode();
  } catch (e) {
    for (const t of [...temps, ...made]) t.destroy();
    throw e;
  }
}

/**
 * Per-row buffers (labels, per-row losses, extras) are bound whole: refuse, naming the limit,
 * a batch whose per-row buffer would not fit one storage binding.
 */
export function checkRowBinding(ctx: GpuContext, rows: number, wordsPerRow: number, name: string): void {
  const bytes = rows * wordsPerRow * 4;
  if (bytes > ctx.maxBindingBytes) {
    throw new BufferError(name, `${rows} rows need a per-row buffer of ${bytes} bytes in one storage binding; this device's limit is ${ctx.maxBindingBytes} bytes (maxStorageBufferBindingSize). Split the batch.`, 'TOO_LARGE');
  }
}

/**
 * shaders/reduce.wgsl over `values` into the scalar `out`: mode 0 sum, 1 mean over META[0],
 * 2 mean over the count. One workgroup: the batch sum is a small part of a call's work.
 */
export function reduceDispatch(ctx: GpuContext, values: GpuTensor, meta: GpuTensor | null, out: GpuTensor, mode: 0 | 1 | 2, zeroIfEmpty: boolean): Dispatch {
  return {
    family: 'reduce', entry: 'main', constants: { WG: reduceWG(ctx) },
    uniforms: new Uniforms().u32(values.size).u32(mode).u32(zeroIfEmpty ? 1 : 0).u32(0).bytes(),
    bindings: [ctx.bind(values).binding, meta ? ctx.bind(meta).binding : ctx.dummy('read'), ctx.bind(out).binding],
    workgroups: 1,
  };
}

/**
 * Workgroup size of the batch reduction: 256 threads on a GPU; one SIMD group on a CPU adapter,
 * where each subgroup of a workgroup with barriers runs as its own coroutine (SwiftShader): 64 of
 * them through 9 barriers made the reduce of even 8 values cost ~0.6 ms.
 */
export function reduceWG(ctx: GpuContext): number {
  return ctx.adapter.isFallback ? cpuRowWG(ctx) : 256;
}

/**
 * Workgroup size of binary cross-entropy (elementwise, a Kahan tree per workgroup when summing):
 * 256 on a GPU, one SIMD group on a CPU adapter (the barrier cost as for reduceWG).
 */
export function bceWG(ctx: GpuContext): number {
  return ctx.adapter.isFallback ? cpuRowWG(ctx) : 256;
}

/**
 * A CPU adapter's SIMD width (its subgroup size; SwiftShader: 4), the workgroup size of kernels
 * that share nothing between threads there: more threads a workgroup only make fewer, larger
 * workgroups to balance over the cores.
 */
export function cpuRowWG(ctx: GpuContext): number {
  const w = Math.min(64, Math.max(4, ctx.adapter.subgroupMaxSize || 4));
  return 2 ** Math.floor(Math.log2(w)); // the reduction trees halve WG
}

/** Workgroup size of the row kernels (softmax, cross-entropy, entropy/KL). */
export const ROW_WG = 64;
/** Rows of at most this many classes get a thread each on any adapter. */
export const THREAD_ROW_MAX_COLS = 32;
/**
 * On a CPU adapter, batches of at least this many rows get a thread per row whatever the row
 * length: there a workgroup per row pays for its barriers (SwiftShader runs every subgroup of an
 * entry point with a barrier as its own coroutine) and its threads' reads are less local. The
 * workgroup is one SIMD group (cpuRowWG), so that even 8 rows reach two cores. Measured on
 * SwiftShader (cross-entropy, steady ms, forward): [64, 50257] 17.6 a workgroup per row, 11.5 a
 * thread per row; [8, 128256] 14.6 with split rows, 8.4 a thread per row. Fewer rows keep a
 * workgroup per row (or split rows), so that one long row still spreads over every core. A GPU
 * keeps a workgroup per row above THREAD_ROW_MAX_COLS, whose threads read a row together.
 */
export const CPU_THREAD_ROW_MIN_ROWS = 8;

/** Whether rows of `cols` classes get a thread each (else a workgroup each). */
export function threadPerRow(ctx: GpuContext, rows: number, cols: number): boolean {
  return cols <= THREAD_ROW_MAX_COLS || (ctx.adapter.isFallback && rows >= CPU_THREAD_ROW_MIN_ROWS);
}

/** The two pipeline shapes of a row family on a GPU (a workgroup per row, a thread per row). */
export const ROW_SHAPES = [{ WG: ROW_WG, WG_PER_ROW: 1 }, { WG: ROW_WG, WG_PER_ROW: 0 }] as const;

/** The pipeline shapes a row family uses on this adapter, for warmup(). */
export function rowShapes(ctx: GpuContext): { WG: number; WG_PER_ROW: number }[] {
  return [ROW_SHAPES[0], ctx.adapter.isFallback ? { WG: cpuRowWG(ctx), WG_PER_ROW: 0 } : ROW_SHAPES[1]];
}

/** Override constants and grid of a row kernel over `rows` rows of `cols` classes. */
export function rowLaunch(ctx: GpuContext, cols: number, rows: number): { constants: { WG: number; WG_PER_ROW: number }; workgroups: number } {
  if (!threadPerRow(ctx, rows, cols)) return { constants: ROW_SHAPES[0], workgroups: ctx.grid(rows) };
  const constants = rowShapes(ctx)[1];
  return { constants, workgroups: ctx.grid(Math.ceil(rows / constants.WG)) };
}

/** Shape of a tensor argument, host data checked as the oracle checks it (values, length). */
export function argShape(t: TensorLike, name: string): readonly number[] {
  return t instanceof GpuTensor ? t.shape : checkTensor(t, name);
}

/** Shape of a [rows, classes] (or [classes]) input, checked as the oracle checks it. */
export function matrixArgShape(t: TensorLike, name = 'input'): readonly number[] {
  if (!(t instanceof GpuTensor)) {
    asMatrix(t, name);
    return t.shape;
  }
  matrixShape(t.shape, name);
  if (t.shape.some((d) => d < 1)) throw new ShapeError(name, `shape ${formatShape(t.shape)} must hold integer dimensions >= 1`, 'INVALID_SHAPE');
  return t.shape;
}
