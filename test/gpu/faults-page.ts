// The fault and abuse page: GPU-object misuse, device loss mid-call, WebGPU errors caught in
// error scopes, limits, disposal, a soak, concurrency and the CPU fallback. Each handler returns
// plain data that test/gpu/faults.test.ts asserts on.
import { WebGPULoss, GpuTensor, createLoss, CpuLoss } from '../../src/index';
import type { LossOutputs } from '../../src/index';
import * as ref from '../../src/reference/index';
import { mulberry32, randomLabels, randomLogits, randomProbs, randomUniform } from '../../src/reference/random';
import { allclose } from '../util/allclose';
import { startPage, listen } from './page-common';

let ctx: WebGPULoss;

interface ErrorInfo { name: string; code?: string; argument?: string; message: string }

async function errorOf(f: () => unknown): Promise<ErrorInfo | null> {
  try {
    const r = await f();
    // A call that resolved may still fail on the GPU: its outputs' read() says so.
    if (r && typeof r === 'object') {
      for (const v of Object.values(r as Record<string, unknown>)) if (v instanceof GpuTensor) await v.read();
      if (r instanceof GpuTensor) await r.read();
    }
    return null;
  } catch (e) {
    const err = e as Error & { code?: string; argument?: string };
    return { name: err.name, code: err.code, argument: err.argument, message: err.message };
  }
}

const newDevice = async (): Promise<GPUDevice> => {
  return listen(await (await navigator.gpu.requestAdapter())!.requestDevice());
};

function destroyAll(out: LossOutputs | GpuTensor): void {
  if (out instanceof GpuTensor) out.destroy();
  else for (const t of Object.values(out)) (t as GpuTensor | undefined)?.destroy();
}

async function same(t: GpuTensor, want: ArrayLike<number>): Promise<boolean> {
  return allclose(await t.read(), want, { rtol: 0, atol: 0 }).ok;
}

/**
 * Misuse that needs GPU objects, each with the caller's GPU data read back afterwards.
 * Returns, per case, the error and whether the caller's tensors still hold their values.
 */
async function gpuBattery(): Promise<Record<string, { error: ErrorInfo | null; unchanged: boolean }>> {
  const res: Record<string, { error: ErrorInfo | null; unchanged: boolean }> = {};
  const logits = new Float32Array([1, 2, 3, 4, 5, 6]);
  const labelsI = new Int32Array([0, 2]);
  const x = ctx.tensor(logits, [2, 3]);
  const y = ctx.tensor(labelsI, [2]);
  const run = async (name: string, f: () => unknown) => {
    const error = await errorOf(f);
    res[name] = { error, unchanged: (await same(x, logits)) && (await same(y, labelsI)) };
  };
  const floatLabels = ctx.tensor(new Float32Array([0, 2]), [2], 'float32');
  await run('float labels on the GPU', () => ctx.crossEntropy(x, floatLabels));
  const intLogits = ctx.tensor(new Int32Array([1, 2, 3]), [1, 3]);
  await run('int32 logits on the GPU', () => ctx.softmax(intLogits));
  const wrongShape = ctx.empty([3, 2, 1]);
  await run('gradOut of the wrong shape', () => ctx.crossEntropy(x, y, { gradOut: wrongShape }));
  const otherDevice = await newDevice();
  const other = await WebGPULoss.create({ device: otherDevice });
  await run('gradOut on another device', () => ctx.crossEntropy(x, y, { gradOut: other.empty([2, 3]) }));
  await run('labels on another device', () => ctx.crossEntropy(x, other.tensor(labelsI, [2])));
  const buf = ctx.device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  await run('a byte offset that is not a multiple of 4', () => ctx.wrap(buf, [2, 3], 'float32', 2));
  await run('a shape past 2^32 elements', () => ctx.wrap(buf, [70000, 70000]));
  await run('a negative shape on a wrapped buffer', () => ctx.wrap(buf, [-2, 3]));
  const shared = ctx.device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  ctx.device.queue.writeBuffer(shared, 0, labelsI);
  const yShared = ctx.wrap(shared, [2], 'int32');
  await run('gradOut sharing the labels\' buffer', () => ctx.crossEntropy(x, yShared, { gradOut: ctx.wrap(shared, [2, 3], 'float32', 16) }));
  res['gradOut sharing the labels\' buffer'].unchanged &&= await same(yShared, labelsI);
  const spare = ctx.empty([2, 3]);
  await run('inPlace with gradOut', () => ctx.crossEntropy(x, y, { inPlace: true, gradOut: spare }));
  await run('a read of a destroyed output', async () => {
    const o = await ctx.softmax(x);
    o.destroy();
    return o.read();
  });
  other.dispose();
  otherDevice.destroy();
  buf.destroy();
  shared.destroy();
  for (const t of [x, y, floatLabels, intLogits, wrongShape, spare]) t.destroy();
  return res;
}

/**
 * Device loss with a call in flight: the call or its read rejects with DEVICE_LOST, later calls
 * reject at once, the context holds no bytes, and a new context on a new device works.
 */
async function deviceLoss(): Promise<Record<string, unknown>> {
  const wl = await WebGPULoss.create({ device: await newDevice() });
  const rng = mulberry32(5);
  const x = { data: randomLogits(rng, 64, 1000, 3), shape: [64, 1000] };
  const y = { data: randomLabels(rng, 64, 1000), shape: [64] };
  const kept = wl.tensor(x.data, x.shape);
  const held = wl.stats().bytes;
  // One call already submitted (its work on the queue), one still compiling its pipelines.
  const submitted = await wl.crossEntropy(x, y, { grad: true, labelSmoothing: 0.1 });
  const inFlight = wl.crossEntropy(x, y, { grad: true });
  wl.device.destroy();
  const submittedError = await errorOf(() => submitted.grad!.read());
  const inFlightError = await errorOf(() => inFlight);
  const info = await wl.device.lost;
  const laterCall = await errorOf(() => wl.softmax(x));
  const laterRead = await errorOf(() => kept.read());
  const bytesAfter = wl.stats().bytes;
  const fresh = await WebGPULoss.create({ device: await newDevice() });
  const out = await fresh.crossEntropy(x, y, { grad: true });
  const want = ref.crossEntropy(x, y, { grad: true });
  const loss = allclose(await out.loss.read(), want.loss, { rtol: 1e-5, atol: 1e-6 }, 'loss');
  const grad = allclose(await out.grad!.read(), want.grad!, { rtol: 1e-4, atol: 1e-6 }, 'grad');
  fresh.dispose();
  return { heldBefore: held, reason: info.reason, submittedError, inFlightError, laterCall, laterRead, bytesAfter, freshOk: loss.ok && grad.ok, freshMessage: `${loss.message}; ${grad.message}` };
}

/**
 * WebGPU errors in a call's error scopes become typed errors: a caller buffer destroyed by the
 * caller (a validation error at submit), and an out-of-memory error injected into the scope
 * (no real allocation fails on this adapter). The failed call's outputs are freed.
 */
async function scopedErrors(): Promise<Record<string, unknown>> {
  const wl = await WebGPULoss.create({ device: await newDevice() });
  const logits = new Float32Array([1, 2, 3, 4, 5, 6]);
  await wl.warmup();
  // One good call first: it makes the context's placeholder bindings, which it keeps.
  destroyAll(await wl.crossEntropy({ data: logits, shape: [2, 3] }, { data: [0, 2], shape: [2] }, { grad: true, extras: true }));
  destroyAll(await wl.crossEntropy({ data: logits, shape: [2, 3] }, { data: [0, 2], shape: [2] }));
  const held = wl.stats().bytes;
  const mine = wl.device.createBuffer({ size: 24, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  wl.device.queue.writeBuffer(mine, 0, logits);
  const wrapped = wl.wrap(mine, [2, 3]);
  mine.destroy();
  const validation = await errorOf(() => wl.crossEntropy(wrapped, { data: [0, 2], shape: [2] }, { grad: true }));
  const bytesAfterValidation = wl.stats().bytes;

  // Inject: the next 'out-of-memory' scope popped reports an OOM error.
  const dev = wl.device;
  const pop = dev.popErrorScope.bind(dev);
  const kinds: string[] = [];
  const push = dev.pushErrorScope.bind(dev);
  dev.pushErrorScope = (f: GPUErrorFilter) => {
    kinds.push(f);
    push(f);
  };
  let injected = false;
  dev.popErrorScope = async () => {
    const kind = kinds.pop();
    const real = await pop();
    if (kind === 'out-of-memory' && !injected) {
      injected = true;
      return new GPUOutOfMemoryError('injected by the test');
    }
    return real;
  };
  const oom = await errorOf(() => wl.crossEntropy({ data: logits, shape: [2, 3] }, { data: [0, 2], shape: [2] }, { grad: true, extras: true }));
  const bytesAfterOom = wl.stats().bytes;
  dev.popErrorScope = pop;
  dev.pushErrorScope = push;
  // The context still works after both.
  const out = await wl.crossEntropy({ data: logits, shape: [2, 3] }, { data: [0, 2], shape: [2] });
  const worksAfter = allclose(await out.loss.read(), ref.crossEntropy({ data: logits, shape: [2, 3] }, { data: [0, 2], shape: [2] }).loss, { rtol: 1e-5, atol: 1e-6 }).ok;
  destroyAll(out);
  const bytesEnd = wl.stats().bytes;
  wl.dispose();
  return { held, validation, bytesAfterValidation, oom, injected, bytesAfterOom, worksAfter, bytesEnd };
}

/** Inputs past the device's limits: chunked where possible, refused with the limit named where not. */
async function limits(): Promise<Record<string, unknown>> {
  const dev = await newDevice(); // spec-default limits: 256 MiB buffers, 128 MiB bindings
  const wl = await WebGPULoss.create({ device: dev });
  const maxBuffer = dev.limits.maxBufferSize;
  const big = new Float32Array(maxBuffer / 4 + 1024);
  const overBuffer = await errorOf(() => wl.softmax({ data: big, shape: [1024, big.length / 1024] }));
  const bytesAfterOverBuffer = wl.stats().bytes;
  // A per-row buffer past a (lowered) binding size: refused, naming it.
  const small = await WebGPULoss.create({ device: dev, maxBindingBytes: 4096 });
  const rows = 2000;
  const rng = mulberry32(9);
  const x = { data: randomLogits(rng, rows, 3, 2), shape: [rows, 3] };
  const y = { data: randomLabels(rng, rows, 3), shape: [rows] };
  const perRow = await errorOf(() => small.crossEntropy(x, y));
  const entropyRows = await errorOf(() => small.entropy(x, { from: 'logits' }));
  const longRow = await errorOf(() => small.softmax({ data: new Float32Array(2000), shape: [1, 2000] }));
  // The matrix itself is chunked by rows: 300 rows of 101 classes through 4 KiB bindings.
  const cx = { data: randomLogits(rng, 300, 101, 3), shape: [300, 101] };
  const cy = { data: randomLabels(rng, 300, 101), shape: [300] };
  const out = await small.crossEntropy(cx, cy, { grad: true });
  const want = ref.crossEntropy(cx, cy, { grad: true });
  const chunked = allclose(await out.grad!.read(), want.grad!, { rtol: 1e-4, atol: 1e-6 }, 'chunked grad');
  destroyAll(out);
  const bytesEnd = small.stats().bytes + wl.stats().bytes;
  small.dispose();
  wl.dispose();
  dev.destroy();
  return { maxBuffer, overBuffer, bytesAfterOverBuffer, perRow, entropyRows, longRow, chunkedOk: chunked.ok, chunkedMessage: chunked.message, bytesEnd };
}

/** dispose(): frees all it owns (outputs and their views), rejects later use, spares the caller's buffer. */
async function disposal(): Promise<Record<string, unknown>> {
  const wl = await WebGPULoss.create({ device: ctx.device });
  const logits = new Float32Array([1, 2, 3, 4, 5, 6]);
  const mine = wl.device.createBuffer({ size: 24, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  wl.device.queue.writeBuffer(mine, 0, logits);
  const out = await wl.crossEntropy(wl.wrap(mine, [2, 3]), { data: [0, 2], shape: [2] }, { grad: true, extras: true });
  await out.loss.read();
  const before = wl.stats();
  wl.dispose();
  const after = wl.stats();
  const readOutput = await errorOf(() => out.grad!.read());
  const readView = await errorOf(() => out.argmax!.read());
  const call = await errorOf(() => wl.softmax({ data: logits, shape: [2, 3] }));
  // The caller's buffer, read through another context on the same device.
  const callerKept = await same(ctx.wrap(mine, [2, 3]), logits);
  const deviceAlive = await errorOf(() => ctx.softmax({ data: logits, shape: [2, 3] })) === null;
  mine.destroy();
  return { before, after, readOutput, readView, call, callerKept, deviceAlive };
}

type Op = 'ce' | 'ceDense' | 'softmax' | 'logSoftmax' | 'entropy' | 'kl' | 'bce';
const OPS: Op[] = ['ce', 'ceDense', 'softmax', 'logSoftmax', 'entropy', 'kl', 'bce'];

/** One call of a kind on random inputs, and the oracle's answer for it. */
function makeCall(wl: WebGPULoss, op: Op, rows: number, cols: number, seed: number): { run: () => Promise<LossOutputs | GpuTensor>; want: () => Record<string, ArrayLike<number>> } {
  const rng = mulberry32(seed);
  const x = { data: randomLogits(rng, rows, cols, 3), shape: [rows, cols] };
  const p = { data: randomProbs(rng, rows, cols, 2), shape: [rows, cols] };
  const y = { data: randomLabels(rng, rows, cols), shape: [rows] };
  const b = { data: Float32Array.from(randomUniform(rng, rows * cols), (u) => (u < 0.5 ? 0 : 1)), shape: [rows, cols] };
  const g = { grad: true, reduction: 'sum' as const };
  const pick = (r: { loss: ArrayLike<number>; grad?: ArrayLike<number> }) => ({ loss: r.loss, grad: r.grad! });
  switch (op) {
    case 'ce': return { run: () => wl.crossEntropy(x, y, { ...g, labelSmoothing: 0.1 }), want: () => pick(ref.crossEntropy(x, y, { ...g, labelSmoothing: 0.1 })) };
    case 'ceDense': return { run: () => wl.crossEntropy(x, p, g), want: () => pick(ref.crossEntropy(x, p, g)) };
    case 'softmax': return { run: () => wl.softmax(x), want: () => ({ out: ref.softmax(x) }) };
    case 'logSoftmax': return { run: () => wl.logSoftmax(x), want: () => ({ out: ref.logSoftmax(x) }) };
    case 'entropy': return { run: () => wl.entropy(p, g), want: () => pick(ref.entropy(p, g)) };
    case 'kl': return { run: () => wl.klDivergence(x, p, g), want: () => pick(ref.klDivergence(x, p, g)) };
    case 'bce': return { run: () => wl.binaryCrossEntropy(x, b, g), want: () => pick(ref.binaryCrossEntropy(x, b, g)) };
  }
}

// f32 kernels vs the float64 oracle on the same inputs; sums over the batch ('sum'), hence the
// looser absolute floor than the per-row tests (reasons in test/gpu/cross-entropy.test.ts).
const TOL = { rtol: 1e-4, atol: 1e-5 };

async function compare(out: LossOutputs | GpuTensor, want: Record<string, ArrayLike<number>>): Promise<string[]> {
  const bad: string[] = [];
  const got: Record<string, GpuTensor | undefined> = out instanceof GpuTensor ? { out } : { loss: out.loss, grad: out.grad };
  for (const [k, w] of Object.entries(want)) {
    const t = got[k];
    if (!t) {
      bad.push(`${k}: missing`);
      continue;
    }
    const r = allclose(await t.read(), w, TOL, k);
    if (!r.ok) bad.push(r.message);
  }
  return bad;
}

/**
 * The soak: `n` mixed calls of varied shapes, outputs freed as they come. Bytes held are sampled
 * every 500 calls after a warm-up of 200; the last calls of each kind are checked against the oracle.
 */
async function soak(n: number): Promise<{ calls: number; samples: number[]; warmBytes: number; bad: string[]; ms: number }> {
  const wl = await WebGPULoss.create({ device: ctx.device });
  const t0 = performance.now();
  const rng = mulberry32(2024);
  const samples: number[] = [];
  let warmBytes = -1;
  const bad: string[] = [];
  const shapes = [[1, 1], [1, 7], [3, 5], [17, 33], [64, 10], [8, 257], [2, 1000]];
  for (let i = 0; i < n; i++) {
    const op = OPS[i % OPS.length];
    const [rows, cols] = shapes[Math.floor(rng() * shapes.length)];
    const c = makeCall(wl, op, rows, cols, i);
    const out = await c.run();
    if (i >= n - OPS.length) bad.push(...(await compare(out, c.want())).map((m) => `call ${i} ${op} [${rows}, ${cols}]: ${m}`));
    destroyAll(out);
    // Let the queue drain now and then, as an app's frame loop would.
    if (i % 100 === 99) await wl.device.queue.onSubmittedWorkDone();
    if (i === 199) warmBytes = wl.stats().bytes;
    if (i >= 200 && i % 500 === 499) samples.push(wl.stats().bytes);
  }
  samples.push(wl.stats().bytes);
  wl.dispose();
  return { calls: n, samples, warmBytes, bad, ms: performance.now() - t0 };
}

/** `n` calls issued without awaiting any, on different inputs; every result against the oracle. */
async function concurrency(n: number): Promise<{ bad: string[]; kinds: number }> {
  const wl = await WebGPULoss.create({ device: ctx.device });
  const calls = Array.from({ length: n }, (_, i) => ({ i, op: OPS[i % OPS.length], c: makeCall(wl, OPS[i % OPS.length], 1 + (i % 9) * 7, 3 + ((i * 37) % 300), 9000 + i) }));
  const outs = await Promise.all(calls.map(({ c }) => c.run()));
  const bad: string[] = [];
  for (let k = 0; k < calls.length; k++) {
    bad.push(...(await compare(outs[k], calls[k].c.want())).map((m) => `call ${k} ${calls[k].op}: ${m}`));
    destroyAll(outs[k]);
  }
  const bytes = wl.stats().bytes;
  wl.dispose();
  if (bytes > 64) bad.push(`${bytes} bytes still held after every output was destroyed`);
  return { bad, kinds: new Set(calls.map((c) => c.op)).size };
}

/** No WebGPU: a typed error by default, the oracle when asked, and it says which it is. */
async function fallback(): Promise<Record<string, unknown>> {
  const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
  const refused = await errorOf(() => createLoss({ gpu: noAdapter }));
  const failing = { requestAdapter: async () => { throw new Error('blocked by policy'); } } as unknown as GPU;
  const refusedThrow = await errorOf(() => createLoss({ gpu: failing }));
  // navigator.gpu itself missing (an insecure context, an old browser): shadow it for a moment.
  Object.defineProperty(navigator, 'gpu', { value: undefined, configurable: true });
  let missing: ErrorInfo | null;
  let cpu: CpuLoss | WebGPULoss;
  try {
    missing = await errorOf(() => createLoss());
    cpu = await createLoss({ fallback: 'cpu' });
  } finally {
    delete (navigator as unknown as Record<string, unknown>).gpu;
  }
  const restored = Boolean(navigator.gpu);
  const rng = mulberry32(3);
  const x = { data: randomLogits(rng, 5, 7, 2), shape: [5, 7] };
  const y = { data: randomLabels(rng, 5, 7), shape: [5] };
  const out = await cpu.crossEntropy(x, y, { grad: true, labelSmoothing: 0.1 });
  const want = ref.crossEntropy(x, y, { grad: true, labelSmoothing: 0.1 });
  // The fallback rounds the oracle's float64 to float32: within half an ulp.
  const ok = allclose(await out.loss.read(), want.loss, { rtol: 6e-8, atol: 0 }).ok && allclose(await out.grad!.read(), want.grad!, { rtol: 6e-8, atol: 1e-30 }).ok;
  const inPlace = await errorOf(() => cpu.crossEntropy(x, y, { inPlace: true }));
  // Linear cross-entropy too, and a tensor made by the fallback feeds a later call.
  const h = { data: randomLogits(rng, 5, 4, 1), shape: [5, 4] };
  const w = { data: randomLogits(rng, 7, 4, 1), shape: [7, 4] };
  if (!(cpu instanceof CpuLoss)) throw new Error(`createLoss({ fallback: 'cpu' }) without WebGPU gave ${cpu.backend}`);
  const lin = await cpu.linearCrossEntropy(cpu.tensor(h.data, h.shape), w, y, { grad: true });
  const linWant = ref.linearCrossEntropy(h, w, y, { grad: true });
  const linOk = allclose(await lin.loss.read(), linWant.loss, { rtol: 6e-8, atol: 0 }).ok && allclose(await lin.gradWeight!.read(), linWant.gradWeight!, { rtol: 6e-8, atol: 1e-30 }).ok;
  cpu.dispose();
  const afterDispose = await errorOf(() => cpu.softmax(x));
  const gpuWhenThere = await createLoss({ fallback: 'cpu' });
  const backendWhenThere = gpuWhenThere.backend;
  gpuWhenThere.dispose();
  return { refused, refusedThrow, missing, backend: cpu.backend, isCpu: cpu instanceof CpuLoss, ok, linOk, inPlace, afterDispose, restored, gpuWhenThere: backendWhenThere };
}

startPage({
  gpuBattery,
  deviceLoss,
  scopedErrors,
  limits,
  disposal,
  soak,
  concurrency,
  fallback,
}, async () => {
  ctx = await WebGPULoss.create();
  return ctx;
});
