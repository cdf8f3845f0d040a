// The GPU test page: makes inputs from a seed, runs an operation on the GPU and in the float64
// oracle on the same float32 values, and compares every output with the one comparison helper.
import { WebGPULoss, GpuTensor } from '../../src/index';
import { splitParts } from '../../src/kernels/cross-entropy';
import { engineOf } from '../../src/loss';
import * as ref from '../../src/reference/index';
import { mulberry32, randomLabels, randomLogits } from '../../src/reference/random';
import { check, opsOf, readAll } from '../util/check';
import { allclose } from '../util/allclose';
import { startPage, contextsFrom } from './page-common';
import type { CheckReport, CheckSpec } from './page-types';

let ctx: WebGPULoss;

const contextFor = contextsFrom(() => ctx);

const gpuOps = () => opsOf(ctx);

/**
 * Many calls queued with no readback between them, on different inputs, then every result read:
 * each must match the oracle (outputs of one call are not disturbed by the next).
 */
async function queued(n: number): Promise<CheckReport> {
  const messages: string[] = [];
  let ok = true;
  const calls = [];
  const inputs = [];
  for (let i = 0; i < n; i++) {
    const rng = mulberry32(100 + i);
    const rows = 1 + (i % 7) * 5;
    const cols = [3, 40, 257, 1000][i % 4];
    const x = { data: randomLogits(rng, rows, cols, 3), shape: [rows, cols] };
    const y = { data: randomLabels(rng, rows, cols), shape: [rows] };
    inputs.push({ x, y });
    calls.push(ctx.crossEntropy(x, y, { grad: true, reduction: i % 2 ? 'sum' : 'none' }));
  }
  const outs = await Promise.all(calls);
  for (let i = 0; i < n; i++) {
    const { x, y } = inputs[i];
    const want = ref.crossEntropy(x, y, { grad: true, reduction: i % 2 ? 'sum' : 'none' });
    const a = allclose(await outs[i].loss.read(), want.loss, { rtol: 1e-5, atol: 1e-6 }, `call ${i} loss`);
    const g = allclose(await outs[i].grad!.read(), want.grad!, { rtol: 1e-4, atol: 1e-6 }, `call ${i} grad`);
    if (!a.ok || !g.ok) {
      ok = false;
      messages.push(a.message, g.message);
    }
    for (const t of Object.values(outs[i])) t?.destroy();
  }
  messages.push(`${n} calls queued, then read`);
  return { ok, messages };
}

/**
 * Runs a GPU operation that must throw; returns the error's class, code and message, and
 * whether the caller's arguments (data arrays and options) are as they were.
 */
async function expectError(op: string, rawArgs: unknown[]): Promise<(ErrorInfo & { argsUnchanged: boolean }) | null> {
  const args = decodeNumbers(rawArgs) as unknown[];
  const before = JSON.stringify(args, jsonSafe);
  try {
    const out = await gpuOps()[op](...args);
    await readAll(out);
    return null;
  } catch (e) {
    return { ...errorInfo(e), argsUnchanged: JSON.stringify(args, jsonSafe) === before };
  }
}

/**
 * `{ $num: 'NaN' }` (and the infinities) back to numbers, `{ $int32: [...] }` to an Int32Array:
 * page.evaluate sends NaN as null and a typed array as a plain object.
 */
function decodeNumbers(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeNumbers);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$num === 'string' && Object.keys(o).length === 1) return Number(o.$num);
    if (Array.isArray(o.$int32) && Object.keys(o).length === 1) return Int32Array.from(o.$int32 as number[]);
    if (Array.isArray(o.$float32) && Object.keys(o).length === 1) return Float32Array.from(o.$float32 as number[]);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decodeNumbers(x)]));
  }
  return v;
}

/** JSON that tells NaN and the infinities apart (plain JSON writes them all as null). */
function jsonSafe(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

/**
 * Gradient written over the caller's logits (inPlace) and into a caller's buffer (gradOut),
 * both compared with the oracle; the caller's labels are read back unchanged.
 */
async function crossEntropyBuffers(rows: number, cols: number, seed: number): Promise<CheckReport> {
  const rng = mulberry32(seed);
  const logits = randomLogits(rng, rows, cols, 3);
  const labels = randomLabels(rng, rows, cols);
  const want = ref.crossEntropy({ data: logits, shape: [rows, cols] }, { data: labels, shape: [rows] }, { grad: true, labelSmoothing: 0.05 });
  const x = ctx.tensor(logits, [rows, cols]);
  const y = ctx.tensor(labels, [rows]);
  const messages: string[] = [];
  const a = await ctx.crossEntropy(x, y, { inPlace: true, labelSmoothing: 0.05 });
  const inPlace = allclose(await x.read(), want.grad!, { rtol: 1e-4, atol: 1e-7 }, 'in-place grad');
  const loss1 = allclose(await a.loss.read(), want.loss, { rtol: 1e-5, atol: 1e-6 }, 'in-place loss');
  const x2 = ctx.tensor(logits, [rows, cols]);
  const g = ctx.empty([rows, cols]);
  const b = await ctx.crossEntropy(x2, y, { gradOut: g, labelSmoothing: 0.05 });
  const viaOut = allclose(await g.read(), want.grad!, { rtol: 1e-4, atol: 1e-7 }, 'gradOut');
  const same = b.grad === g;
  const inputKept = allclose(await x2.read(), logits, { rtol: 0, atol: 0 }, 'input after gradOut');
  const labelsKept = allclose(await y.read(), labels, { rtol: 0, atol: 0 }, 'labels after both calls');
  for (const r of [inPlace, loss1, viaOut, inputKept, labelsKept]) messages.push(r.message);
  if (!same) messages.push('gradOut: the result does not return the given tensor');
  for (const t of [x, y, x2, g, a.loss, b.loss, a.invalidLabels, b.invalidLabels]) t?.destroy();
  return { ok: same && [inPlace, loss1, viaOut, inputKept, labelsKept].every((r) => r.ok), messages };
}

/** Labels already on the GPU are range-checked there: a count, NaN rows, and checkLabels throws. */
async function crossEntropyGpuLabels(): Promise<{ invalid: number; loss: (number | null)[]; thrown: string | null; labelsAfter: number[] }> {
  const x = ctx.tensor(new Float32Array([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]), [4, 3]);
  const y = ctx.tensor(new Int32Array([0, 3, -1, -100]), [4]);
  const out = await ctx.crossEntropy(x, y, { reduction: 'none' });
  const [invalid] = await out.invalidLabels!.read();
  const loss = Array.from(await out.loss.read(), (v) => (Number.isNaN(v) ? null : v));
  let thrown: string | null = null;
  try {
    await ctx.checkLabels(out, 3);
  } catch (e) {
    thrown = `${(e as Error).name}: ${(e as Error).message}`;
  }
  const labelsAfter = Array.from(await y.read());
  for (const t of [x, y, out.loss, out.invalidLabels]) t?.destroy();
  return { invalid, loss, thrown, labelsAfter };
}

interface ErrorInfo { name: string; code?: string; argument?: string; message: string }

function errorInfo(e: unknown): ErrorInfo {
  const err = e as Error & { code?: string; argument?: string };
  return { name: err.name, code: err.code, argument: err.argument, message: err.message };
}

async function errorOf(f: () => unknown): Promise<ErrorInfo | null> {
  try {
    await f();
    return null;
  } catch (e) {
    return errorInfo(e);
  }
}

/**
 * Errors that need GPU objects to provoke: buffers without STORAGE, too small, destroyed,
 * from another device, in-place on host data, a lost device. Returns each case's error and
 * whether the caller's buffer still holds what it held.
 */
async function gpuObjectErrors(): Promise<Record<string, ErrorInfo | null | boolean>> {
  const out: Record<string, ErrorInfo | null | boolean> = {};
  const logits = new Float32Array([1, 2, 3, 4, 5, 6]);
  const labels = { data: new Int32Array([0, 2]), shape: [2] };
  const noStorage = ctx.device.createBuffer({ size: 24, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  out.noStorage = await errorOf(() => ctx.wrap(noStorage, [2, 3]));
  const small = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  out.tooSmall = await errorOf(() => ctx.wrap(small, [2, 3]));
  const x = ctx.tensor(logits, [2, 3]);
  x.destroy();
  out.destroyed = await errorOf(() => ctx.crossEntropy(x, labels));
  // An adapter gives one device; each extra device needs its own adapter.
  const newDevice = async () => (await navigator.gpu.requestAdapter())!.requestDevice();
  const other = await newDevice();
  const otherCtx = await WebGPULoss.create({ device: other });
  const foreign = otherCtx.tensor(logits, [2, 3]);
  out.otherDevice = await errorOf(() => ctx.crossEntropy(foreign, labels));
  // A call that fails after uploading its input frees what it made.
  const held = ctx.stats().bytes;
  out.failedCallDType = await errorOf(() => ctx.crossEntropy({ data: logits, shape: [2, 3] }, { data: new Float32Array([0, 1]), shape: [2] }));
  out.failedCallFreesBytes = ctx.stats().bytes === held;
  const xi = ctx.tensor(logits, [2, 3]);
  out.gradOutIsInput = await errorOf(() => ctx.crossEntropy(xi, labels, { gradOut: xi }));
  xi.destroy();
  out.inPlaceHost = await errorOf(() => ctx.crossEntropy({ data: logits, shape: [2, 3] }, labels, { inPlace: true }));
  // A caller's buffer passed with a bad option is left as it was.
  const mine = ctx.device.createBuffer({ size: 24, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  ctx.device.queue.writeBuffer(mine, 0, logits);
  const wrapped = ctx.wrap(mine, [2, 3]);
  out.badOptionOnCallerBuffer = await errorOf(() => ctx.crossEntropy(wrapped, labels, { labelSmoothing: 2, inPlace: true }));
  out.callerBufferUnchanged = allclose(await wrapped.read(), logits, { rtol: 0, atol: 0 }).ok;
  wrapped.destroy(); // not owned: the buffer must survive
  out.callerBufferSurvivesDestroy = allclose(await ctx.wrap(mine, [2, 3]).read(), logits, { rtol: 0, atol: 0 }).ok;
  // Device loss: later calls reject with DEVICE_LOST.
  const lostCtx = await WebGPULoss.create({ device: await newDevice() });
  const before = lostCtx.tensor(logits, [2, 3]);
  lostCtx.device.destroy();
  await lostCtx.device.lost;
  out.afterLoss = await errorOf(() => lostCtx.crossEntropy({ data: logits, shape: [2, 3] }, labels));
  out.readAfterLoss = await errorOf(() => before.read());
  const fresh = await WebGPULoss.create();
  const r = await fresh.crossEntropy({ data: logits, shape: [2, 3] }, labels);
  out.newContextWorks = Number.isFinite((await r.loss.read())[0]);
  fresh.dispose();
  out.afterDispose = await errorOf(() => fresh.softmax({ data: logits, shape: [2, 3] }));
  for (const b of [noStorage, small, mine]) b.destroy();
  otherCtx.dispose();
  other.destroy();
  return out;
}

/** The README's examples, as written there, with their results. */
async function readmeExamples(): Promise<Record<string, number[]>> {
  const wl = ctx;
  const logits = { data: new Float32Array([2, 1, 0.1, 0.5, 2.5, 0.3]), shape: [2, 3] };
  const labels = { data: new Int32Array([0, 1]), shape: [2] };
  const out = await wl.crossEntropy(logits, labels, { grad: true });
  const a = await wl.crossEntropy(logits, labels, { labelSmoothing: 0.1, weight: [1, 2, 1], ignoreIndex: -100, base: 2 });
  const c = await wl.crossEntropy({ data: new Float32Array([0.4, 0.3, 0.1, 0.1]), shape: [4] },
    { data: new Int32Array([0]), shape: [] }, { from: 'probs', base: 2 });
  const car = await wl.crossEntropy({ data: new Float32Array([0.775, 0.116, 0.039, 0.070]), shape: [4] },
    { data: new Int32Array([0]), shape: [] }, { from: 'probs', base: 2 });
  const e = await wl.crossEntropy(logits, labels, { extras: true, reduction: 'none' });
  const p = await wl.softmax(logits, { temperature: 2 });
  const h = await wl.entropy({ data: new Float32Array([0.75, 0.25]), shape: [2] }, { base: 2 });
  const kl = await wl.klDivergence(logits, { data: new Float32Array([0.7, 0.2, 0.1, 0.1, 0.8, 0.1]), shape: [2, 3] }, { grad: true });
  const bce = await wl.binaryCrossEntropy(logits, { data: new Float32Array([1, 0, 0, 0, 1, 0]), shape: [2, 3] }, { posWeight: 3 });
  const res: Record<string, number[]> = {
    quickLoss: Array.from(await out.loss.read()), quickGrad: Array.from(await out.grad!.read()),
    smoothedBits: Array.from(await a.loss.read()), catBits: Array.from(await c.loss.read()), carBits: Array.from(await car.loss.read()),
    correct: Array.from(await e.correct!.read()), softmaxT2: Array.from(await p.read()), forecastBits: Array.from(await h.loss.read()),
    kl: Array.from(await kl.loss.read()), bce: Array.from(await bce.loss.read()),
  };
  for (const o of [out, a, c, car, e, h, kl, bce]) for (const t of Object.values(o)) (t as GpuTensor | undefined)?.destroy();
  p.destroy();
  return res;
}

/** The smallest end-to-end proof: softmax of one row on the GPU next to the oracle. */
async function smoke(): Promise<{ gpu: number[]; oracle: number[]; adapter: string }> {
  const x = { data: new Float32Array([1, 2, 3, 4]), shape: [1, 4] };
  const p = await ctx.softmax(x);
  const gpu = Array.from(await p.read());
  p.destroy();
  return { gpu, oracle: Array.from(ref.softmax(x)), adapter: `${ctx.adapter.vendor} ${ctx.adapter.architecture}` };
}

startPage({
  check: (spec: CheckSpec) => check(spec, contextFor),
  expectError,
  smoke,
  crossEntropyBuffers,
  queued,
  readmeExamples,
  gpuObjectErrors,
  crossEntropyGpuLabels,
  stats: () => ctx.stats(),
  splitParts: (rows: number, cols: number) => splitParts(engineOf(ctx), rows, cols),
  warmup: async () => {
    await ctx.warmup();
    return ctx.stats().pipelines;
  },
}, async () => {
  ctx = await WebGPULoss.create();
  return ctx;
});
