import { BufferError, ShapeError } from '../contract/errors';
import { GpuTensor } from '../gpu/tensor';
import { asMatrix, checkTensor, formatShape, matrixShape } from '../contract/tensor';
import type { GpuContext, Dispatch, TensorLike } from '../gpu/context';
import { REDUCE } from './layouts/reduce';
import { grid, reduceWG } from './launch';

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

/** An argument's GPU tensor from ctx.input / ctx.floats, an upload of host data kept in `temps` (freed with the call). */
export function uploadsTo(temps: Temps) {
  return <T extends GpuTensor>({ t, temp }: { t: T; temp: boolean }): T => {
    if (temp) temps.push(t);
    return t;
  };
}

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
 * shaders/reduce.wgsl over `values` into the scalar `out` (mode: REDUCE.C.MODE_*). One workgroup:
 * the batch sum is a small part of a call's work.
 */
export function reduceDispatch(ctx: GpuContext, values: GpuTensor, meta: GpuTensor | null, out: GpuTensor, mode: number, zeroIfEmpty: boolean): Dispatch {
  return {
    family: 'reduce', entry: 'main', constants: { WG: reduceWG(ctx) },
    uniforms: REDUCE.uniforms({ n: values.size, mode, zero_if_empty: zeroIfEmpty ? 1 : 0 }),
    bindings: REDUCE.bindings({ V: ctx.bind(values).binding, META: meta ? ctx.bind(meta).binding : ctx.dummy('read'), OUT: ctx.bind(out).binding }),
    workgroups: 1,
  };
}

// warmup() (src/loss.ts) takes these from here.

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

type Bound = ReturnType<GpuContext['bind']>;

/** One row chunk of an elementwise call: its element count, regions, output slot and workgroups. */
export interface ElementChunk {
  len: number;
  x: Bound;
  t: Bound;
  /** The per-element loss ('none') or the partial sums; `outBase` is this chunk's first slot. */
  out: Bound;
  outBase: number;
  g: Bound | undefined;
  workgroups: number;
}

/**
 * The plan of an elementwise call (binary cross-entropy, binary focal loss): rows chunked to one
 * binding, WG elements a workgroup, each workgroup's partial sum ('sum' / 'mean') or a [rows, cols]
 * loss ('none'), the gradient when asked, and `finish`, which appends the plain-sum reduction of
 * the partials (they already carry every scale) and gives the loss.
 */
export function elementwisePlan(
  ctx: GpuContext, label: string, input: GpuTensor, target: GpuTensor, inShape: readonly number[], rows: number, cols: number,
  chunks: { row0: number; count: number }[], sums: boolean, wantGrad: boolean, WG: number, made: GpuTensor[], temps: Temps,
): { grad: GpuTensor<'float32'> | undefined; chunks: ElementChunk[]; finish(dispatches: Dispatch[]): GpuTensor<'float32'> } {
  const groups = chunks.map((c) => grid(ctx, Math.ceil((c.count * cols) / WG)));
  const perElem = sums ? undefined : ctx.empty([rows, cols], 'float32', `${label}:loss`);
  if (perElem) made.push(perElem);
  const partials = sums ? ctx.empty([groups.reduce((a, b) => a + b, 0)], 'float32', `${label}:partials`) : undefined;
  if (partials) temps.push(partials);
  const grad = wantGrad ? ctx.empty(inShape, 'float32', `${label}:grad`) : undefined;
  if (grad) made.push(grad);
  const partB = partials ? ctx.bind(partials) : undefined;
  const planned: ElementChunk[] = [];
  let partBase = 0;
  chunks.forEach(({ row0, count }, k) => {
    if (count === 0) return;
    const e0 = row0 * cols;
    const len = count * cols;
    const out = perElem ? ctx.bind(perElem, e0, len) : partB!;
    planned.push({
      len, x: ctx.bind(input, e0, len), t: ctx.bind(target, e0, len), out, outBase: perElem ? out.base : out.base + partBase,
      g: grad ? ctx.bind(grad, e0, len) : undefined, workgroups: groups[k],
    });
    partBase += groups[k];
  });
  const finish = (dispatches: Dispatch[]): GpuTensor<'float32'> => {
    if (!partials) return perElem!;
    const loss = ctx.empty([], 'float32', `${label}:reduced`);
    made.push(loss);
    dispatches.push(reduceDispatch(ctx, partials, null, loss, REDUCE.C.MODE_SUM, false));
    return loss;
  };
  return { grad, chunks: planned, finish };
}
