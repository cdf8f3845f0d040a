// Faults and load in the page: device loss mid-call, WebGPU errors caught in error scopes,
// limits, disposal, a soak, calls queued or issued together, and the CPU fallback. Each handler
// returns plain data that test/gpu/faults.test.ts asserts on.
import { WebGPULoss, GpuTensor, createLoss, CpuLoss, type LossOutputs } from '../../../src/index';
import * as ref from '../../../src/reference/index';
import { mulberry32, randomLabels, randomLogits, randomProbs, randomUniform } from '../../../src/reference/index';
import { allclose, type Tolerance } from '../../util/allclose';
import { errorOf, type ErrorInfo } from '../../util/errors';
import { Report } from '../../util/report';
import { TOL } from '../../util/tolerances';
import { ctx, newDevice } from './context';

function destroyAll(out: LossOutputs | GpuTensor): void {
  if (out instanceof GpuTensor) out.destroy();
  else for (const t of Object.values(out)) (t as GpuTensor | undefined)?.destroy();
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
  const r = new Report().add(allclose(await out.loss.read(), want.loss, TOL.loss, 'loss')).add(allclose(await out.grad!.read(), want.grad!, TOL.grad(), 'grad'));
  fresh.dispose();
  return { heldBefore: held, reason: info.reason, submittedError, inFlightError, laterCall, laterRead, bytesAfter, freshOk: r.ok, freshMessage: r.messages.join('; ') };
}

/**
 * WebGPU errors in a call's error scopes become typed errors: a caller buffer destroyed by the
 * caller (a validation error at submit), and an out-of-memory error injected into the scope
 * (no real allocation fails on this adapter). The failed call's outputs are freed.
 */
async function scopedErrors(): Promise<Record<string, unknown>> {
  const wl = await WebGPULoss.create({ device: await newDevice() });
  const logits = new Float32Array([1, 2, 3, 4, 5, 6]);
  const x = { data: logits, shape: [2, 3] };
  const y = { data: [0, 2], shape: [2] };
  await wl.warmup();
  // One good call first: it makes the context's placeholder bindings, which it keeps.
  destroyAll(await wl.crossEntropy(x, y, { grad: true, extras: true }));
  destroyAll(await wl.crossEntropy(x, y));
  const held = wl.stats().bytes;
  const mine = wl.device.createBuffer({ size: 24, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  wl.device.queue.writeBuffer(mine, 0, logits);
  const wrapped = wl.wrap(mine, [2, 3]);
  mine.destroy();
  const validation = await errorOf(() => wl.crossEntropy(wrapped, y, { grad: true }));
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
  const oom = await errorOf(() => wl.crossEntropy(x, y, { grad: true, extras: true }));
  const bytesAfterOom = wl.stats().bytes;
  dev.popErrorScope = pop;
  dev.pushErrorScope = push;
  // The context still works after both.
  const out = await wl.crossEntropy(x, y);
  const worksAfter = allclose(await out.loss.read(), ref.crossEntropy(x, y).loss, TOL.loss).ok;
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
  const chunked = allclose(await out.grad!.read(), want.grad!, TOL.grad(), 'chunked grad');
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
  const callerKept = allclose(await ctx.wrap(mine, [2, 3]).read(), logits, TOL.exact).ok;
  const deviceAlive = await errorOf(() => ctx.softmax({ data: logits, shape: [2, 3] })) === null;
  mine.destroy();
  return { before, after, readOutput, readView, call, callerKept, deviceAlive };
}

type Op = 'ce' | 'ceDense' | 'softmax' | 'logSoftmax' | 'entropy' | 'kl' | 'bce';
const OPS: Op[] = ['ce', 'ceDense', 'softmax', 'logSoftmax', 'entropy', 'kl', 'bce'];

interface Call {
  run(): Promise<LossOutputs | GpuTensor>;
  /** The oracle's outputs, each with the tolerance it is compared at. */
  want(): Record<string, [ArrayLike<number>, Tolerance]>;
}

/** One call of a kind on random inputs, and the oracle's answer for it. */
function makeCall(wl: WebGPULoss, op: Op, rows: number, cols: number, seed: number, reduction: 'none' | 'sum' = 'sum', labelSmoothing = 0.1): Call {
  const rng = mulberry32(seed);
  const x = { data: randomLogits(rng, rows, cols, 3), shape: [rows, cols] };
  const p = { data: randomProbs(rng, rows, cols, 2), shape: [rows, cols] };
  const y = { data: randomLabels(rng, rows, cols), shape: [rows] };
  const b = { data: Float32Array.from(randomUniform(rng, rows * cols), (u) => (u < 0.5 ? 0 : 1)), shape: [rows, cols] };
  const g = { grad: true, reduction };
  const pick = (r: { loss: ArrayLike<number>; grad?: ArrayLike<number> }, loss: Tolerance, grad: Tolerance) =>
    ({ loss: [r.loss, loss], grad: [r.grad!, grad] }) as Record<string, [ArrayLike<number>, Tolerance]>;
  switch (op) {
    case 'ce': return { run: () => wl.crossEntropy(x, y, { ...g, labelSmoothing }), want: () => pick(ref.crossEntropy(x, y, { ...g, labelSmoothing }), TOL.loss, TOL.grad()) };
    case 'ceDense': return { run: () => wl.crossEntropy(x, p, g), want: () => pick(ref.crossEntropy(x, p, g), TOL.loss, TOL.grad()) };
    case 'softmax': return { run: () => wl.softmax(x), want: () => ({ out: [ref.softmax(x), TOL.loss] }) };
    case 'logSoftmax': return { run: () => wl.logSoftmax(x), want: () => ({ out: [ref.logSoftmax(x), TOL.loss] }) };
    case 'entropy': return { run: () => wl.entropy(p, g), want: () => pick(ref.entropy(p, g), TOL.divergence(cols), TOL.grad()) };
    case 'kl': return { run: () => wl.klDivergence(x, p, g), want: () => pick(ref.klDivergence(x, p, g), TOL.divergence(cols), TOL.grad()) };
    case 'bce': return { run: () => wl.binaryCrossEntropy(x, b, g), want: () => pick(ref.binaryCrossEntropy(x, b, g), reduction === 'none' ? TOL.bce : TOL.bceSum, TOL.bceGrad(false)) };
  }
}

/** An output against the oracle's: the messages of what does not match. */
async function compare(out: LossOutputs | GpuTensor, want: Record<string, [ArrayLike<number>, Tolerance]>): Promise<string[]> {
  const bad: string[] = [];
  const got: Record<string, GpuTensor | undefined> = out instanceof GpuTensor ? { out } : { loss: out.loss, grad: out.grad };
  for (const [k, [w, tol]] of Object.entries(want)) {
    const t = got[k];
    const r = t ? allclose(await t.read(), w, tol, k) : { ok: false, message: `${k}: missing` };
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

/** `calls` issued without awaiting any, then every result read and checked against the oracle. */
async function together(wl: WebGPULoss, calls: { name: string; c: Call }[]): Promise<string[]> {
  const outs = await Promise.all(calls.map(({ c }) => c.run()));
  const bad: string[] = [];
  for (let k = 0; k < calls.length; k++) {
    bad.push(...(await compare(outs[k], calls[k].c.want())).map((m) => `call ${k} ${calls[k].name}: ${m}`));
    destroyAll(outs[k]);
  }
  const bytes = wl.stats().bytes;
  if (bytes > 64) bad.push(`${bytes} bytes still held after every output was destroyed`);
  return bad;
}

/** `n` calls of every kind issued without awaiting any, on different inputs. */
async function concurrency(n: number): Promise<{ bad: string[]; kinds: number }> {
  const wl = await WebGPULoss.create({ device: ctx.device });
  const calls = Array.from({ length: n }, (_, i) => ({ name: OPS[i % OPS.length], c: makeCall(wl, OPS[i % OPS.length], 1 + (i % 9) * 7, 3 + ((i * 37) % 300), 9000 + i) }));
  const bad = await together(wl, calls);
  wl.dispose();
  return { bad, kinds: new Set(calls.map((c) => c.name)).size };
}

/** `n` cross-entropy calls queued with no readback between them, outputs 'none' or 'sum'. */
async function queued(n: number): Promise<{ bad: string[] }> {
  const wl = await WebGPULoss.create({ device: ctx.device });
  const calls = Array.from({ length: n }, (_, i) => {
    const rows = 1 + (i % 7) * 5;
    const cols = [3, 40, 257, 1000][i % 4];
    return { name: `ce [${rows}, ${cols}]`, c: makeCall(wl, 'ce', rows, cols, 100 + i, i % 2 ? 'sum' : 'none', 0) };
  });
  const bad = await together(wl, calls);
  wl.dispose();
  return { bad };
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
  const ok = allclose(await out.loss.read(), want.loss, TOL.roundedToF32).ok && allclose(await out.grad!.read(), want.grad!, TOL.roundedToF32).ok;
  const inPlace = await errorOf(() => cpu.crossEntropy(x, y, { inPlace: true }));
  // Linear cross-entropy too, and a tensor made by the fallback feeds a later call.
  const h = { data: randomLogits(rng, 5, 4, 1), shape: [5, 4] };
  const w = { data: randomLogits(rng, 7, 4, 1), shape: [7, 4] };
  if (!(cpu instanceof CpuLoss)) throw new Error(`createLoss({ fallback: 'cpu' }) without WebGPU gave ${cpu.backend}`);
  const lin = await cpu.linearCrossEntropy(cpu.tensor(h.data, h.shape), w, y, { grad: true });
  const linWant = ref.linearCrossEntropy(h, w, y, { grad: true });
  const linOk = allclose(await lin.loss.read(), linWant.loss, TOL.roundedToF32).ok && allclose(await lin.gradWeight!.read(), linWant.gradWeight!, TOL.roundedToF32).ok;
  cpu.dispose();
  const afterDispose = await errorOf(() => cpu.softmax(x));
  const gpuWhenThere = await createLoss({ fallback: 'cpu' });
  const backendWhenThere = gpuWhenThere.backend;
  gpuWhenThere.dispose();
  return { refused, refusedThrow, missing, backend: cpu.backend, isCpu: cpu instanceof CpuLoss, ok, linOk, inPlace, afterDispose, restored, gpuWhenThere: backendWhenThere };
}

export const handlers = { deviceLoss, scopedErrors, limits, disposal, soak, concurrency, queued, fallback };
