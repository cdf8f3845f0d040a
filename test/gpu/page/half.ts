// 16-bit inputs in the page: a float16 buffer of the caller's wrapped at an odd element offset
// (the binding aligned down, the element base shifted), read back, and the refusals that need GPU
// objects.
import { GpuTensor, type LossOutputs } from '../../../src/index';
import * as ref from '../../../src/reference/index';
import { allclose } from '../../util/allclose';
import { errorOf } from '../../util/errors';
import { toHalfBits } from '../../util/half';
import { Report } from '../../util/report';
import { TOL } from '../../util/tolerances';
import { ctx } from './context';

/**
 * A [rows, cols] float16 (or bfloat16) matrix written into a caller buffer at element `at`, with
 * other values around it, wrapped with that byte offset: softmax, crossEntropy and entropy from
 * logits against the oracle, and read() gives the tensor's own patterns.
 */
async function wrapOffset(dtype: 'float16' | 'bfloat16', rows: number, cols: number, at: number): Promise<Report> {
  const n = rows * cols;
  const values = Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 6);
  const bits = toHalfBits(values, dtype);
  // Junk around the tensor (large values would change every result were they read).
  const all = new Uint16Array(Math.ceil((at + n + 5) / 2) * 2).fill(dtype === 'float16' ? 0x7800 : 0x4700);
  all.set(bits, at);
  const buffer = ctx.device.createBuffer({ size: Math.ceil(all.byteLength / 16) * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  ctx.device.queue.writeBuffer(buffer, 0, all);
  const r = new Report();
  const x = ctx.wrap(buffer, [rows, cols], dtype, at * 2);
  const host = { data: bits, shape: [rows, cols], dtype };
  const back = await x.read();
  r.add({ ok: back instanceof Uint16Array && back.every((b, i) => b === bits[i]) && back.length === n, message: `read() of the wrapped ${dtype} tensor gives its own ${n} patterns` });
  const p = await ctx.softmax(x);
  r.add(allclose(await p.read(), ref.softmax(host), TOL.loss, 'softmax'));
  const labels = { data: Int32Array.from({ length: rows }, (_, i) => (i * 3) % cols), shape: [rows] };
  const ce = await ctx.crossEntropy(x, labels, { grad: true, reduction: 'none' });
  const want = ref.crossEntropy(host, labels, { grad: true, reduction: 'none' });
  r.add(allclose(await ce.loss.read(), want.loss, TOL.loss, 'crossEntropy loss'));
  r.add(allclose(await ce.grad!.read(), want.grad!, TOL.grad(), 'crossEntropy grad'));
  const ent = await ctx.entropy(x, { from: 'logits', reduction: 'none' });
  r.add(allclose(await ent.loss.read(), ref.entropy(host, { from: 'logits', reduction: 'none' }).loss, TOL.divergence(cols), 'entropy'));
  const after = await ctx.wrap(buffer, [all.length], dtype).read();
  r.add({ ok: after.every((b, i) => b === all[i]), message: 'the caller buffer is unchanged' });
  for (const t of [p, ce.loss, ce.grad, ent.loss] as (GpuTensor | undefined)[]) t?.destroy();
  buffer.destroy();
  return r;
}

/** Errors (name: argument: message) of the calls a 16-bit tensor on the GPU cannot make. */
async function refusals(): Promise<Record<string, string | undefined>> {
  const buffer = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const say = async (f: () => unknown) => {
    const e = await errorOf(f);
    return e ? `${e.name}: ${(e as { argument?: string }).argument}: ${e.message}` : undefined;
  };
  const x = ctx.tensor(new Uint16Array([0x3c00, 0x4000, 0x4200]), [1, 3], 'float16');
  const halfLabels = ctx.tensor(new Uint16Array([1]), [1], 'float16');
  const out: Record<string, string | undefined> = {
    oddOffset: await say(() => ctx.wrap(buffer, [2], 'float16', 3)),
    pastTheWord: await say(() => ctx.wrap(buffer, [3], 'float16', 12)),
    inPlace: await say(() => ctx.crossEntropy(x, { data: new Int32Array([1]), shape: [1] }, { inPlace: true })),
    halfLabels: await say(() => ctx.crossEntropy(x, halfLabels)),
    linear: await say(() => ctx.linearCrossEntropy(x, { data: new Float32Array(6), shape: [2, 3] }, { data: new Int32Array([0]), shape: [1] })),
    floatData: await say(() => ctx.tensor(new Float32Array(3), [1, 3], 'float16')),
    hostFloatData: await say(() => ctx.softmax({ data: new Float32Array(3), shape: [1, 3], dtype: 'bfloat16' })),
    unknownDType: await say(() => ctx.softmax({ data: new Float32Array(3), shape: [1, 3], dtype: 'float64' as never })),
  };
  halfLabels.destroy();
  const stats = ctx.stats();
  x.destroy();
  buffer.destroy();
  return { ...out, leftTensors: String(stats.tensors) };
}

/** A loss of 16-bit host data given as a Float16Array, where the page's runtime has one. */
async function float16Array(): Promise<{ has: boolean; same?: boolean }> {
  const F16 = (globalThis as { Float16Array?: new (v: number[]) => ArrayLike<number> }).Float16Array;
  if (!F16) return { has: false };
  const values = [0.5, -1.25, 3, 0.1, 2, -7];
  const a = (await ctx.crossEntropy({ data: new F16(values), shape: [2, 3] }, { data: new Int32Array([0, 2]), shape: [2] })) as LossOutputs;
  const b = (await ctx.crossEntropy({ data: toHalfBits(values, 'float16'), shape: [2, 3], dtype: 'float16' }, { data: new Int32Array([0, 2]), shape: [2] })) as LossOutputs;
  const [la, lb] = [await a.loss.read(), await b.loss.read()];
  return { has: true, same: la[0] === lb[0] };
}

export const handlers = { halfWrapOffset: wrapOffset, halfRefusals: refusals, halfFloat16Array: float16Array };
