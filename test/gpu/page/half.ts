// 16-bit inputs in the page: a float16 buffer of the caller's wrapped at an odd element offset
// (the binding aligned down, the element base shifted), read back, and the refusals that need GPU
// objects.
import { GpuTensor, type LossOutputs } from '../../../src/index';
import * as ref from '../../../src/reference/index';
import { allclose } from '../../util/allclose';
import { errorOf } from '../../util/errors';
import { toHalfBits } from '../../util/half';
import { engineOf } from '../../../src/loss';
import { packDispatches } from '../../../src/kernels/pack16';
import { Report } from '../../util/report';
import { TOL } from '../../util/tolerances';
import { ctx, contextFor } from './context';

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
  const g = ctx.empty([1, 3]);
  const out: Record<string, string | undefined> = {
    oddOffset: await say(() => ctx.wrap(buffer, [2], 'float16', 3)),
    pastTheWord: await say(() => ctx.wrap(buffer, [3], 'float16', 12)),
    inPlace: await say(() => ctx.crossEntropy(x, { data: new Int32Array([1]), shape: [1] }, { inPlace: true })),
    halfLabels: await say(() => ctx.crossEntropy(x, halfLabels)),
    gradOutHalf: await say(() => ctx.crossEntropy(x, { data: new Int32Array([1]), shape: [1] }, { gradDtype: 'input', gradOut: g })),
    badGradDtype: await say(() => ctx.entropy(x, { grad: true, gradDtype: 'float16' as never })),
    linearBias: await say(() => ctx.linearCrossEntropy(x, { data: new Float32Array(6), shape: [2, 3] }, { data: new Int32Array([0]), shape: [1] }, { bias: { data: new Uint16Array(2), shape: [2], dtype: 'float16' } })),
    floatData: await say(() => ctx.tensor(new Float32Array(3), [1, 3], 'float16')),
    hostFloatData: await say(() => ctx.softmax({ data: new Float32Array(3), shape: [1, 3], dtype: 'bfloat16' })),
    unknownDType: await say(() => ctx.softmax({ data: new Float32Array(3), shape: [1, 3], dtype: 'float64' as never })),
  };
  halfLabels.destroy();
  g.destroy();
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

/** Same bits, or both NaN (a NaN's payload and sign are not carried through JavaScript numbers). */
function sameHalf(a: ArrayLike<number>, b: ArrayLike<number>, dtype: 'float16' | 'bfloat16'): number {
  const nan = (h: number) => (dtype === 'float16' ? (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0 : (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0);
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(nan(a[i]) && nan(b[i]))) bad++;
  return bad + Math.abs(a.length - b.length);
}

/**
 * The packing pass on its own (the engine's dispatches): float32 patterns around every rounding
 * boundary (ties, the float16 subnormal range and its carry into the normals, 65504 and 65520,
 * ±0, ±Infinity, NaN) and random 32-bit patterns, against the oracle's encoder.
 */
async function packing(dtype: 'float16' | 'bfloat16', seed: number): Promise<Report> {
  const u = new Uint32Array(20001);
  const special = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x477fe000, 0x477ff000, 0x477fefff, 0x477fffff, 0x38800000, 0x387fffff,
    0x387fe000, 0x387ff000, 0x33800000, 0x33000000, 0x33000001, 0x3f801000, 0x3f803000, 0x3f808000, 0x3f818000, 0x3f807fff, 0x7f7fffff, 0x00000001, 0x00800000];
  u.set(special);
  let s = seed >>> 0;
  for (let i = special.length; i < u.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    // Half random patterns, half values of float16's range (exponents 100..150).
    u[i] = i % 2 ? s : (s & 0x807fffff) | ((100 + (s % 51)) << 23);
  }
  const values = new Float32Array(u.buffer);
  const engine = engineOf(ctx);
  const src = ctx.tensor(values, [u.length]);
  const dst = ctx.empty([u.length], dtype);
  await (await engine.run('pack16 test', packDispatches(engine, src, dst))).done;
  const got = await dst.read();
  const want = toHalfBits(values, dtype);
  src.destroy();
  dst.destroy();
  const bad = sameHalf(got, want, dtype);
  const r = new Report();
  r.add({ ok: bad === 0, message: `${dtype}: ${u.length - bad} of ${u.length} packed patterns equal the encoder's` });
  return r;
}

/**
 * gradDtype 'input' on every operation with a gradient: the 16-bit gradient is the float32
 * gradient of the same call rounded to nearest even (and that one matches the oracle elsewhere).
 */
async function gradDtype(dtype: 'float16' | 'bfloat16', rows: number, cols: number): Promise<Report> {
  const n = rows * cols;
  const x = { data: toHalfBits(Array.from({ length: n }, (_, i) => Math.sin(i * 0.9) * 4), dtype), shape: [rows, cols], dtype };
  const p = { data: toHalfBits(Array.from({ length: n }, (_, i) => (1 + Math.cos(i)) / (2 * cols)), dtype), shape: [rows, cols], dtype };
  const y = { data: Int32Array.from({ length: rows }, (_, i) => (i * 5) % cols), shape: [rows] };
  const calls: [string, (o: object) => Promise<LossOutputs>][] = [
    ['crossEntropy', (o) => ctx.crossEntropy(x, y, { ...o, labelSmoothing: 0.1 })],
    ['crossEntropy dense', (o) => ctx.crossEntropy(x, p, o)],
    ['binaryCrossEntropy', (o) => ctx.binaryCrossEntropy(x, p, { ...o, reduction: 'sum' })],
    ['entropy', (o) => ctx.entropy(p, o)],
    ['klDivergence', (o) => ctx.klDivergence(x, p, { ...o, reduction: 'sum' })],
    ['focalLoss', (o) => ctx.focalLoss(x, y, o)],
    ['focalLoss dense', (o) => ctx.focalLoss(x, p, { ...o, reduction: 'sum' })],
    ['binaryFocalLoss', (o) => ctx.binaryFocalLoss(x, p, { ...o, reduction: 'sum' })],
    ['jsDivergence', (o) => ctx.jsDivergence(x, p, { ...o, temperature: 2 })],
  ];
  const r = new Report();
  for (const [name, call] of calls) {
    const a = await call({ grad: true });
    const b = await call({ grad: true, gradDtype: 'input' });
    const g32 = await a.grad!.read();
    const g16 = await b.grad!.read();
    const bad = sameHalf(g16, toHalfBits(g32, dtype), dtype);
    r.add({ ok: b.grad!.dtype === dtype && g16 instanceof Uint16Array && bad === 0, message: `${name}: ${b.grad!.dtype} gradient, ${n - bad} of ${n} values the float32 gradient rounded` });
    for (const o of [a, b]) for (const t of Object.values(o)) (t as GpuTensor | undefined)?.destroy();
  }
  return r;
}

/**
 * linearCrossEntropy of 16-bit hidden states and weights (odd element counts, more than a tile of
 * classes) against the oracle on the same patterns, on this context or with GPU launch shapes.
 */
async function linear(dtype: 'float16' | 'bfloat16', N: number, D: number, V: number, shaped: boolean): Promise<Report> {
  const wl = shaped ? await contextFor({ gpuShaped: true }) : ctx;
  const h = { data: toHalfBits(Array.from({ length: N * D }, (_, i) => Math.sin(i * 1.3)), dtype), shape: [N, D], dtype };
  const w = { data: toHalfBits(Array.from({ length: V * D }, (_, i) => Math.cos(i * 0.7) / 2), dtype), shape: [V, D], dtype };
  const y = { data: Int32Array.from({ length: N }, (_, i) => (i % 4 === 3 ? -100 : (i * 7) % V)), shape: [N] };
  const bias = { data: Float32Array.from({ length: V }, (_, i) => (i % 5) / 10), shape: [V] };
  const out = await wl.linearCrossEntropy(h, w, y, { bias, grad: true, labelSmoothing: 0.1 });
  const want = ref.linearCrossEntropy(h, w, y, { bias, grad: true, labelSmoothing: 0.1 });
  const r = new Report();
  r.add(allclose(await out.loss.read(), want.loss, TOL.linearLoss, 'loss'));
  r.add(allclose(await out.gradHidden!.read(), want.gradHidden!, TOL.linearGrad(want.gradHidden!), 'gradHidden'));
  r.add(allclose(await out.gradWeight!.read(), want.gradWeight!, TOL.linearGrad(want.gradWeight!), 'gradWeight'));
  r.add(allclose(await out.gradBias!.read(), want.gradBias!, TOL.linearGrad(want.gradBias!), 'gradBias'));
  for (const t of Object.values(out)) if (t instanceof GpuTensor) t.destroy();
  return r;
}

export const handlers = { halfLinear: linear, halfWrapOffset: wrapOffset, halfRefusals: refusals, halfFloat16Array: float16Array, halfPacking: packing, halfGradDtype: gradDtype };
