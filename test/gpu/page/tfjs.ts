// The TF.js area of the test page: TF.js 4.22 on its WebGPU backend, the adapter on TF.js's
// device, and checks of its results against the float64 oracle, TF.js's own losses and autodiff.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients (the @tensorflow/tfjs bundle does this import).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-cpu';
import { TfjsLoss } from '../../../src/interop/tfjs';
import * as ref from '../../../src/reference/index';
import { mulberry32, randomLabels, randomLogits, randomProbs, randomUniform, type Rng } from '../../../src/reference/index';
import { allclose } from '../../util/allclose';
import { errorOf, type ErrorInfo } from '../../util/errors';
import { Report, type CheckReport } from '../../util/report';
import { TOL, meanScale } from '../../util/tolerances';
import type { Area } from './main';
import { createGives, readmeHandlers } from './readme';
import type { Case } from '../../battery/case';
import type { Makers } from '../../battery/make';
import { crossEntropyHealth, runCases, type Batch, type Entries } from '../../battery/run';

let tl: TfjsLoss;

type Backend = { tensorMap: { get(id: object): { values: unknown; resource: unknown } }; device: GPUDevice; memory(): { numBytesInGPU: number } };
const backend = (): Backend => tf.backend() as unknown as Backend;

/** A float32 tensor made on the GPU by a TF.js kernel (x·1: exact), whose values never were on the CPU side of TF.js. */
function gpuBorn(data: Float32Array | Int32Array, shape: number[]): tf.Tensor {
  const dtype = data instanceof Int32Array ? 'int32' : 'float32';
  return tf.tidy(() => tf.mul(tf.tensor(data, shape, dtype), tf.scalar(1, dtype)));
}

async function read(t: tf.Tensor | undefined): Promise<Float32Array | Int32Array> {
  return (await t!.data()) as Float32Array | Int32Array;
}

function outputs(o: object): tf.Tensor[] {
  return Object.values(o).filter((v): v is tf.Tensor => v instanceof tf.Tensor);
}

// ---- 1. the device --------------------------------------------------------------------------------

function sameDevice(): { same: boolean; wlSame: boolean; backendName: string } {
  return { same: tl.device === backend().device, wlSame: tl.wl.device === backend().device, backendName: tf.getBackend() };
}

// ---- 2. against the oracle and TF.js ------------------------------------------------------------

interface CeSpec { rows: number; cols: number; seed: number; dense?: boolean; ignoreFrac?: number; options?: Record<string, unknown>; upload?: boolean; tfjs?: boolean }

/** Cross-entropy of TF.js tensors: loss, gradient and extras against the oracle (and TF.js's own loss). */
async function crossEntropy(spec: CeSpec): Promise<Report> {
  const r = new Report();
  const rng = mulberry32(spec.seed);
  const { rows, cols } = spec;
  const opts = { ...(spec.options ?? {}) } as Record<string, unknown>;
  const logits = randomLogits(rng, rows, cols, 3);
  const ignoreIndex = (opts.ignoreIndex as number | undefined) ?? -100;
  const target = spec.dense ? randomProbs(rng, rows, cols, 2) : randomLabels(rng, rows, cols, { ignoreFraction: spec.ignoreFrac ?? 0, ignoreIndex });
  if (opts.weight === 'random') opts.weight = Array.from(randomUniform(rng, cols, 0.5, 2));
  const tShape = spec.dense ? [rows, cols] : [rows];
  // Either made by a TF.js kernel on the GPU (pending in TF.js's encoder when the adapter is
  // called), or fresh from an array (the adapter uploads it).
  const x = spec.upload ? tf.tensor2d(logits, [rows, cols]) : gpuBorn(logits, [rows, cols]);
  const y = spec.upload ? tf.tensor(target, tShape, spec.dense ? 'float32' : 'int32') : gpuBorn(target, tShape);
  const out = await tl.crossEntropy(x, y, { ...opts, grad: true });
  await out.ready;
  const want = ref.crossEntropy({ data: logits, shape: [rows, cols] }, { data: target, shape: tShape }, { ...opts, grad: true } as never);
  r.add(allclose(await read(out.loss), want.loss, TOL.loss, 'loss'));
  r.add(allclose(await read(out.grad), want.grad!, TOL.grad(), 'grad'));
  const shapeOk = JSON.stringify(out.loss.shape) === JSON.stringify(want.shape) && JSON.stringify(out.grad!.shape) === JSON.stringify([rows, cols]);
  if (!shapeOk) r.fail(`shapes: loss [${out.loss.shape}] (oracle [${want.shape}]), grad [${out.grad!.shape}]`);
  if (out.loss.dtype !== 'float32' || out.grad!.dtype !== 'float32') r.fail(`dtypes ${out.loss.dtype} ${out.grad!.dtype}`);
  if (opts.extras) {
    r.add(allclose(await read(out.lse), want.lse!, TOL.loss, 'lse'));
    r.add(allclose(await read(out.argmax), want.argmax!, TOL.exact, 'argmax'));
    if (want.correct) r.add(allclose(await read(out.correct), want.correct, TOL.exact, 'correct'));
    if (out.argmax?.dtype !== 'int32') r.fail(`argmax dtype ${out.argmax?.dtype}`);
  }
  if (!spec.dense) {
    const [bad] = await read(out.invalidLabels);
    if (bad !== 0) r.fail(`invalidLabels ${bad}`);
  }
  if (spec.tfjs) {
    // TF.js's own softmax cross-entropy on one-hot (or the dense) targets, and its autodiff.
    const red = { none: tf.Reduction.NONE, sum: tf.Reduction.SUM, mean: tf.Reduction.SUM_BY_NONZERO_WEIGHTS }[(opts.reduction as 'none' | 'sum' | 'mean') ?? 'mean'];
    const ls = (opts.labelSmoothing as number | undefined) ?? 0;
    const oh = spec.dense ? y : tf.oneHot(y as tf.Tensor1D, cols, 1, 0, 'float32');
    const f = (z: tf.Tensor) => tf.losses.softmaxCrossEntropy(oh, z, undefined, ls, red);
    const tfLoss = f(x);
    const tfGrad = tf.grad((z: tf.Tensor) => tf.sum(f(z)))(x);
    r.add(allclose(await read(out.loss), await read(tfLoss), TOL.vsTfjs, 'loss vs tf.losses.softmaxCrossEntropy'));
    r.add(allclose(await read(out.grad), await read(tfGrad), TOL.vsTfjs, 'grad vs tf.grad(softmaxCrossEntropy)'));
    tf.dispose([tfLoss, tfGrad, ...(spec.dense ? [] : [oh])]);
  }
  tf.dispose([x, y, ...outputs(out)]);
  return r;
}

interface OpSpec { op: 'binaryCrossEntropy' | 'klDivergence' | 'entropy' | 'softmax' | 'logSoftmax' | 'binaryFocalLoss' | 'focalLoss'; rows: number; cols: number; seed: number; options?: Record<string, unknown> }

/** The other operations of TF.js tensors against the oracle. */
async function otherOp(spec: OpSpec): Promise<Report> {
  const r = new Report();
  const rng: Rng = mulberry32(spec.seed);
  const { rows, cols, op } = spec;
  const shape = [rows, cols];
  const inputData = op === 'entropy' ? randomProbs(rng, rows, cols, 2) : randomLogits(rng, rows, cols, 3);
  const binary = op === 'binaryCrossEntropy' || op === 'binaryFocalLoss';
  const targetData = binary ? randomUniform(rng, rows * cols) : op === 'focalLoss' ? randomLabels(rng, rows, cols) : randomProbs(rng, rows, cols, 2);
  const tShape = op === 'focalLoss' ? [rows] : shape;
  const x = gpuBorn(inputData, shape);
  const t = gpuBorn(targetData, tShape);
  const opts = spec.options ?? {};
  const host = { data: inputData, shape };
  const hostT = { data: targetData, shape: tShape };
  if (op === 'softmax' || op === 'logSoftmax') {
    const p = await tl[op](x, opts);
    r.add(allclose(await read(p), ref[op](host, opts), TOL.loss, op));
    if (JSON.stringify(p.shape) !== JSON.stringify(shape)) r.fail(`shape [${p.shape}]`);
    p.dispose();
  } else {
    const o: Record<string, unknown> = { ...opts, grad: true };
    const out = op === 'entropy' ? await tl.entropy(x, o) : await tl[op](x, t, o);
    await out.ready;
    const want = op === 'entropy' ? ref.entropy(host, o) : ref[op](host, hostT, o);
    const bce = op === 'binaryCrossEntropy';
    const focal = op === 'focalLoss' || op === 'binaryFocalLoss';
    const gamma = (o.gamma as number | undefined) ?? 2;
    const lossTol = bce ? (o.reduction === 'none' ? TOL.bce : TOL.bceSum) : focal ? TOL.focalRow : TOL.divergence(cols);
    const gradTol = bce ? TOL.bceGrad(true, rows * cols, o) : focal ? TOL.focalGrad(gamma, meanScale(op === 'focalLoss' ? rows : rows * cols, o)) : TOL.grad(meanScale(rows, o));
    r.add(allclose(await read(out.loss), want.loss, lossTol, `${op} loss`));
    r.add(allclose(await read(out.grad), want.grad!, gradTol, `${op} grad`));
    if (JSON.stringify(out.loss.shape) !== JSON.stringify(want.shape)) r.fail(`loss shape [${out.loss.shape}], oracle [${want.shape}]`);
    tf.dispose(outputs(out));
  }
  tf.dispose([x, t]);
  return r;
}

/** jsDivergence of TF.js student and teacher logits, labels an int32 tf.Tensor, against the oracle. */
async function jsDivergence(rows: number, cols: number, seed: number, options: Record<string, unknown>): Promise<Report> {
  const r = new Report();
  const rng: Rng = mulberry32(seed);
  const shape = [rows, cols];
  const s = randomLogits(rng, rows, cols, 3);
  const t = randomLogits(rng, rows, cols, 3);
  const labels = Int32Array.from({ length: rows }, (_, i) => (i % 3 === 1 ? -100 : i));
  const [xs, xt, xl] = [gpuBorn(s, shape), gpuBorn(t, shape), gpuBorn(labels, [rows])];
  const out = await tl.jsDivergence(xs, xt, { ...options, labels: xl, grad: true });
  await out.ready;
  const want = ref.jsDivergence({ data: s, shape }, { data: t, shape }, { ...options, labels: { data: labels, shape: [rows] }, grad: true });
  const T = (options.temperature as number | undefined) ?? 1;
  const kept = labels.filter((y) => y !== -100).length;
  r.add(allclose(await read(out.loss), want.loss, TOL.divergence(cols), 'jsDivergence loss'));
  r.add(allclose(await read(out.grad), want.grad!, TOL.jsdGrad(meanScale(kept, options) / T, 24 / T), 'jsDivergence grad'));
  r.add(allclose(await read(xl), labels, TOL.exact, 'labels after the call'));
  tf.dispose([...outputs(out), xs, xt, xl]);
  return r;
}

// ---- 3. no CPU round trip ----------------------------------------------------------------------

interface Spy { restore(): void; counts: Record<string, number>; copies: number[]; writes: number[]; wrapped: GPUBuffer[] }

/** Counts every way data could leave the GPU (or be copied on it) while a call runs. */
function spy(): Spy {
  const counts: Record<string, number> = {};
  const copies: number[] = [];
  const writes: number[] = [];
  const wrapped: GPUBuffer[] = [];
  const undo: (() => void)[] = [];
  const patch = <T extends object>(obj: T, key: string, name: string, also?: (args: unknown[]) => void) => {
    const o = obj as Record<string, unknown>;
    const orig = o[key] as (...a: unknown[]) => unknown;
    counts[name] = 0;
    o[key] = function (this: unknown, ...a: unknown[]) {
      counts[name]++;
      also?.(a);
      return orig.apply(this, a);
    };
    undo.push(() => { o[key] = orig; });
  };
  const b = tf.backend() as unknown as object;
  for (const k of ['read', 'readSync', 'getBufferData', 'readToGPU']) patch(b, k, `backend.${k}`);
  for (const k of ['data', 'dataSync', 'array', 'arraySync', 'dataToGPU']) patch(tf.Tensor.prototype, k, `Tensor.${k}`);
  patch(GPUBuffer.prototype, 'mapAsync', 'GPUBuffer.mapAsync');
  patch(GPUCommandEncoder.prototype, 'copyBufferToBuffer', 'copyBufferToBuffer', (a) => copies.push(a.length >= 5 ? Number(a[4]) : (a[2] as GPUBuffer).size));
  patch(GPUQueue.prototype, 'writeBuffer', 'writeBuffer', (a) => writes.push(typeof a[4] === 'number' ? a[4] * ((a[2] as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1) : (a[2] as ArrayBufferView | ArrayBuffer).byteLength));
  patch(tl.wl, 'wrap', 'wl.wrap', (a) => wrapped.push(a[0] as GPUBuffer));
  return { restore: () => undo.reverse().forEach((f) => f()), counts, copies, writes, wrapped };
}

/**
 * Cross-entropy (with gradient and extras) on GPU-born TF.js tensors while every download path
 * is counted: no reads, no mapAsync, no copy of the logits; the library reads TF.js's own
 * buffers; the outputs feed further TF.js ops.
 */
async function noRoundTrip(): Promise<CheckReport & { counts: Record<string, number>; copies: number[]; writes: number[] }> {
  const r = new Report();
  const rows = 256;
  const cols = 1000;
  const rng = mulberry32(7);
  const logits = randomLogits(rng, rows, cols, 3);
  const labels = randomLabels(rng, rows, cols);
  const x = gpuBorn(logits, [rows, cols]);
  const y = gpuBorn(labels, [rows]);
  const entry = (t: tf.Tensor) => backend().tensorMap.get(t.dataId);
  if (entry(x).values != null || entry(y).values != null) r.fail('test setup: the inputs already have CPU values');
  const s = spy();
  let out;
  try {
    out = await tl.crossEntropy(x, y, { grad: true, extras: true, labelSmoothing: 0.1 });
    await out.ready;
  } finally {
    s.restore();
  }
  const reads = ['backend.read', 'backend.readSync', 'backend.getBufferData', 'backend.readToGPU', 'Tensor.data', 'Tensor.dataSync', 'Tensor.array', 'Tensor.arraySync', 'Tensor.dataToGPU', 'GPUBuffer.mapAsync'];
  for (const k of reads) if (s.counts[k] !== 0) r.fail(`${k} was called ${s.counts[k]} times during the call`);
  const big = rows * cols * 4;
  if (s.copies.some((n) => n >= big)) r.fail(`a copy of ${Math.max(...s.copies)} bytes (the logits are ${big})`);
  if (s.copies.some((n) => n > rows * 4)) r.fail(`copies larger than a per-row output: ${s.copies.join(', ')}`);
  const written = s.writes.reduce((a, b) => a + b, 0);
  if (written >= rows * 4 * 8) r.fail(`${written} bytes written from the CPU (uniforms only expected)`);
  const [bx, by] = [entry(x).resource, entry(y).resource];
  if (!(s.wrapped.includes(bx as GPUBuffer) && s.wrapped.includes(by as GPUBuffer))) r.fail("the library did not read TF.js's own buffers");
  if (entry(x).values != null || entry(y).values != null) r.fail('the inputs gained CPU values during the call');
  r.note(`during the call: ${reads.map((k) => `${k} ${s.counts[k]}`).join(', ')}; copies ${s.copies.join('/')} B; writeBuffer ${written} B; wrap ${s.counts['wl.wrap']}`);
  // The outputs are ordinary TF.js tensors: use them in TF.js ops, then compare with the oracle.
  const want = ref.crossEntropy({ data: logits, shape: [rows, cols] }, { data: labels, shape: [rows] }, { grad: true, extras: true, labelSmoothing: 0.1 });
  const dot = tf.tidy(() => tf.sum(tf.mul(out.grad!, x)));
  const lossPlus = tf.tidy(() => tf.add(tf.mul(out.loss, 2), 1));
  const acc = tf.tidy(() => tf.mean(tf.cast(out.correct!, 'float32')));
  let wantDot = 0;
  let scale = 0;
  for (let i = 0; i < logits.length; i++) {
    wantDot += want.grad![i] * logits[i];
    scale += Math.abs(want.grad![i] * logits[i]);
  }
  r.add(allclose(await read(dot), [wantDot], TOL.tfjsDot(scale), 'tf.sum(grad * x)'));
  r.add(allclose(await read(lossPlus), [2 * want.loss[0] + 1], TOL.loss, 'loss * 2 + 1'));
  const hits = want.correct!.reduce((a, b) => a + b, 0);
  r.add(allclose(await read(acc), [hits / rows], TOL.fewTerms, 'accuracy from correct'));
  r.add(allclose(await read(out.grad), want.grad!, TOL.grad(), 'grad'));
  tf.dispose([dot, lossPlus, acc, x, y, ...outputs(out)]);
  return { ...r, counts: s.counts, copies: s.copies, writes: s.writes };
}

// ---- 4. training --------------------------------------------------------------------------------

/** K Gaussian blobs in the plane (separable), seeded. */
function blobs(rng: Rng, n: number, k: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    const a = (2 * Math.PI * c) / k;
    const u = randomLogits(rng, 1, 2, 0.35);
    x[2 * i] = 2 * Math.cos(a) + u[0];
    x[2 * i + 1] = 2 * Math.sin(a) + u[1];
    y[i] = c;
  }
  return { x, y };
}

/**
 * A 2 → 16 → 3 perceptron on TF.js variables, trained with the library's loss and gradient
 * (trainStep). At the first step the library's parameter gradients are compared with TF.js's
 * autodiff of its own softmax cross-entropy.
 */
async function training(steps: number): Promise<CheckReport & { losses: number[]; accuracy: number[]; msPerStep: number }> {
  const r = new Report();
  const rng = mulberry32(11);
  const n = 192;
  const k = 3;
  const data = blobs(rng, n, k);
  const x = tf.tensor2d(data.x, [n, 2]);
  const y = tf.tensor1d(data.y, 'int32');
  const w1 = tf.variable(tf.tensor2d(randomLogits(rng, 2, 16, 0.5), [2, 16]), true, 'w1');
  const b1 = tf.variable(tf.zeros([16]), true, 'b1');
  const w2 = tf.variable(tf.tensor2d(randomLogits(rng, 16, k, 0.5), [16, k]), true, 'w2');
  const b2 = tf.variable(tf.zeros([k]), true, 'b2');
  const forward = () => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2);

  // Step 0: the library's gradients against TF.js's own loss and autodiff.
  const mine = await tl.gradients(forward, y);
  const oh = tf.oneHot(y, k, 1, 0, 'float32');
  const theirs = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(oh, forward()) as tf.Scalar);
  r.add(allclose(await read(mine.loss), await read(theirs.value), TOL.vsTfjs, 'step-0 loss vs TF.js'));
  for (const name of ['w1', 'b1', 'w2', 'b2']) {
    r.add(allclose(await read(mine.grads[name]), await read(theirs.grads[name]), TOL.vsTfjsParams, `d loss / d ${name} vs TF.js autodiff`));
  }
  if (Object.keys(mine.grads).sort().join() !== 'b1,b2,w1,w2') r.fail(`gradients for ${Object.keys(mine.grads)}`);
  tf.dispose([theirs.value, ...Object.values(theirs.grads), ...Object.values(mine.grads), ...outputs(mine), oh]);

  const opt = tf.train.sgd(0.5);
  const losses: number[] = [];
  const accuracy: number[] = [];
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const out = await tl.trainStep(forward, y, opt, { extras: true });
    losses.push((await read(out.loss))[0]);
    accuracy.push(Array.from(await read(out.correct)).reduce((a, b) => a + b, 0) / n);
    out.dispose();
  }
  const msPerStep = (performance.now() - t0) / steps;
  const first = losses[0];
  const last = losses[losses.length - 1];
  if (!(last < first / 3)) r.fail(`loss ${first} -> ${last}: not below a third`);
  if (!(accuracy[accuracy.length - 1] >= 0.95 && accuracy[accuracy.length - 1] > accuracy[0])) r.fail(`accuracy ${accuracy[0]} -> ${accuracy[accuracy.length - 1]}`);
  r.note(`loss ${first.toFixed(4)} -> ${last.toFixed(4)}, accuracy ${accuracy[0].toFixed(3)} -> ${accuracy[accuracy.length - 1].toFixed(3)}, ${msPerStep.toFixed(1)} ms/step`);
  opt.dispose();
  tf.dispose([x, y, w1, b1, w2, b2]);
  return { ...r, losses, accuracy, msPerStep };
}

// ---- 5. memory ----------------------------------------------------------------------------------

interface Footprint { numTensors: number; numBytes: number; gpuBytes: number; libTensors: number; libBytes: number }
function footprint(): Footprint {
  const m = tf.memory();
  const s = tl.wl.stats();
  return { numTensors: m.numTensors, numBytes: m.numBytes, gpuBytes: backend().memory().numBytesInGPU, libTensors: s.tensors, libBytes: s.bytes };
}

/**
 * Every operation, repeated, outputs disposed: TF.js's tensor count and bytes, TF.js's GPU bytes
 * and the library's stats() stay flat; the inputs are bit-for-bit unchanged and still usable; an
 * input disposed while its call is in flight still gives the right answer.
 */
async function memory(rounds: number): Promise<CheckReport & { before: Footprint; after: Footprint }> {
  const r = new Report();
  const rng = mulberry32(5);
  const rows = 64;
  const cols = 100;
  const logits = randomLogits(rng, rows, cols, 3);
  const labels = randomLabels(rng, rows, cols);
  const probs = randomProbs(rng, rows, cols, 2);
  const x = gpuBorn(logits, [rows, cols]);
  const y = gpuBorn(labels, [rows]);
  const p = gpuBorn(probs, [rows, cols]);
  const once = async () => {
    const a = await tl.crossEntropy(x, y, { grad: true, extras: true });
    const b = await tl.crossEntropy(x, p, { grad: true, reduction: 'none' });
    const c = await tl.klDivergence(x, p, { grad: true });
    const d = await tl.binaryCrossEntropy(x, p, { grad: true });
    const e = await tl.entropy(p, { grad: true });
    const f = await tl.softmax(x);
    await Promise.all([a, b, c, d, e].map((o) => o.ready));
    await f.data(); // wait for the GPU, so pooled buffers are really free again
    // Each result frees itself as the README says: one dispose() per result, nothing else.
    for (const o of [a, b, c, d, e]) o.dispose();
    f.dispose();
  };
  await once(); // first call: pipelines, TF.js pool buffers of each size
  await settle();
  const before = footprint();
  for (let i = 0; i < rounds; i++) await once();
  await settle();
  const after = footprint();
  for (const key of Object.keys(before) as (keyof Footprint)[]) {
    if (after[key] !== before[key]) r.fail(`${key}: ${before[key]} before ${rounds} rounds, ${after[key]} after`);
  }
  r.note(`over ${rounds} rounds: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
  // The caller's inputs: not disposed, same bits, usable in TF.js ops.
  if (x.isDisposed || y.isDisposed || p.isDisposed) r.fail('an input was disposed');
  r.add(allclose(await read(x), logits, TOL.exact, 'logits after the calls'));
  r.add(allclose(await read(y), labels, TOL.exact, 'labels after the calls'));
  r.add(allclose(await read(p), probs, TOL.exact, 'probs after the calls'));
  const sx = tf.sum(x);
  r.add(allclose(await read(sx), [logits.reduce((a, b) => a + b, 0)], TOL.tfjsSum, 'tf.sum(logits) after the calls'));
  // Disposed by the caller while the call is in flight: the adapter's reference keeps it alive.
  const x2 = gpuBorn(logits, [rows, cols]);
  const pending = tl.crossEntropy(x2, y, { grad: true });
  x2.dispose();
  // If x2's buffer had gone back to TF.js's pool, this fill would take it and, submitted at once
  // by the read, overwrite it before the library's kernels run.
  const junk = tf.fill([rows, cols], 1e3);
  const junkRead = junk.data();
  const late = await pending;
  await junkRead;
  const want = ref.crossEntropy({ data: logits, shape: [rows, cols] }, { data: labels, shape: [rows] }, { grad: true });
  r.add(allclose(await read(late.loss), want.loss, TOL.loss, 'loss with the input disposed in flight'));
  r.add(allclose(await read(late.grad), want.grad!, TOL.grad(), 'grad with the input disposed in flight'));
  tf.dispose([sx, junk, x, y, p, ...outputs(late)]);
  return { ...r, before, after };
}

// ---- 6. bad input -------------------------------------------------------------------------------

/** Each bad call's error; the TF.js and library footprints before and after. */
async function badInput(): Promise<{ errors: Record<string, ErrorInfo | null>; before: Footprint; after: Footprint; backendRestored: boolean }> {
  const out: Record<string, ErrorInfo | null> = {};
  // Every argument made (on the GPU) before the footprint, disposed after it: the footprint
  // compares only what the failing calls leave behind.
  const x = gpuBorn(randomLogits(mulberry32(3), 4, 5, 1), [4, 5]);
  const y = gpuBorn(new Int32Array([0, 1, 2, 3]), [4]);
  const args = {
    intLogits: tf.cast(x, 'int32'), floatLabels: tf.cast(y, 'float32'), boolLabels: tf.cast(y, 'bool'),
    rank3: tf.reshape(x, [2, 2, 5]), rank3b: tf.reshape(x, [1, 4, 5]), y3: tf.slice(y, 0, 3), x44: tf.slice(x, [0, 0], [4, 4]),
  };
  const gone = tf.clone(x);
  gone.dispose();
  await tf.setBackend('cpu');
  const cpuX = tf.tensor2d(new Float32Array(20), [4, 5]);
  out.cpuBackend = await errorOf(() => TfjsLoss.create(tf));
  await tf.setBackend('webgpu');
  const backendRestored = tf.backend() === tl.backend;
  await settle();
  const before = footprint();
  out.intLogits = await errorOf(() => tl.crossEntropy(args.intLogits, y));
  out.floatLabels = await errorOf(() => tl.crossEntropy(x, args.floatLabels));
  out.boolLabels = await errorOf(() => tl.crossEntropy(x, args.boolLabels));
  out.rank3 = await errorOf(() => tl.crossEntropy(args.rank3, y));
  out.labelCount = await errorOf(() => tl.crossEntropy(x, args.y3));
  out.denseShape = await errorOf(() => tl.klDivergence(x, args.x44));
  out.softmaxRank = await errorOf(() => tl.softmax(args.rank3b));
  out.inPlace = await errorOf(() => tl.crossEntropy(x, y, { inPlace: true } as never));
  out.badOption = await errorOf(() => tl.crossEntropy(x, y, { labelSmoothing: 2 }));
  out.notTensor = await errorOf(() => tl.crossEntropy({ data: new Float32Array(20), shape: [4, 5] } as never, y));
  out.disposed = await errorOf(() => tl.crossEntropy(gone, y));
  out.cpuTensor = await errorOf(() => tl.crossEntropy(cpuX, y));
  out.notTf = await errorOf(() => TfjsLoss.create({} as never));
  await settle();
  const after = footprint();
  tf.dispose([x, y, cpuX, ...Object.values(args)]);
  return { errors: out, before, after, backendRestored };
}

/**
 * A fault on the GPU side: the buffer behind a TF.js tensor destroyed under it. The call's
 * commands fail WebGPU validation; `ready` (losses) and the call itself (softmax) reject.
 */
async function gpuFault(): Promise<{ ce: ErrorInfo | null; softmax: ErrorInfo | null }> {
  const x = gpuBorn(randomLogits(mulberry32(4), 4, 5, 1), [4, 5]);
  const y = gpuBorn(new Int32Array([0, 1, 2, 3]), [4]);
  await settle();
  (backend().tensorMap.get(x.dataId).resource as GPUBuffer).destroy();
  const out = await tl.crossEntropy(x, y, { grad: true });
  const ce = await errorOf(() => out.ready);
  const softmax = await errorOf(() => tl.softmax(x));
  tf.dispose([y, ...outputs(out)]);
  // x stays undisposed: its destroyed buffer must not go back to TF.js's pool.
  return { ce, softmax };
}

/** Submits TF.js's pending work (and its deferred disposals) by reading one value back. */
async function settle(): Promise<void> {
  const t = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)));
  await t.data();
  t.dispose();
}

// ---- 7. the bad-input battery ----------------------------------------------------------------------

/** The battery's tokens for TF.js objects, made on TF.js's backend and disposed after their case. */
const tfMakers: Makers = {
  'tf.tensor': (t, _build, scope) => {
    const x = gpuBorn(t.dtype === 'int32' ? Int32Array.from(t.values as number[]) : Float32Array.from(t.values as number[]), t.shape as number[]);
    scope.describe.set(x, async () => (x.isDisposed ? 'tf.Tensor(disposed)' : `tf.Tensor(${x.dtype} [${x.shape.join(', ')}] ${Array.from(await x.data()).join(',')})`));
    scope.cleanup.push(() => x.dispose());
    return { value: x };
  },
  'tf.forward': (t) => ({ value: t.returns === 'logits' ? () => tf.mul(tf.ones([2, 3]), tf.scalar(2)) : () => t.returns }),
  'tf.namespace': () => ({ value: tf }),
};

/** The battery's TF.js cases, through the shared runner; the call after them is a cross-entropy of TF.js tensors. */
async function battery(cases: Case[]): Promise<Batch> {
  const entries: Entries = {
    crossEntropy: (...a) => tl.crossEntropy(...(a as Parameters<TfjsLoss['crossEntropy']>)),
    softmax: (...a) => tl.softmax(...(a as Parameters<TfjsLoss['softmax']>)),
    gradients: (...a) => tl.gradients(...(a as Parameters<TfjsLoss['gradients']>)),
    trainStep: (...a) => tl.trainStep(...(a as Parameters<TfjsLoss['trainStep']>)),
    create: (...a) => TfjsLoss.create(...(a as Parameters<typeof TfjsLoss.create>)),
  };
  const health = () => crossEntropyHealth(async (x, y, o) => {
    const [hx, hy] = [x, y] as { data: number[]; shape: number[] }[];
    const [tx, ty] = [tf.tensor(hx.data, hx.shape), tf.tensor(hy.data, hy.shape, 'int32')];
    try {
      return await tl.crossEntropy(tx, ty, o as object);
    } finally {
      tf.dispose([tx, ty]);
    }
  });
  return runCases(cases, entries, tfMakers, health);
}

/**
 * The README's TF.js example: its inputs and one-layer model made once (kept for the page's life),
 * and, in a loop, this area's TfjsLoss.
 */
function readme() {
  const rng = mulberry32(8);
  const [rows, features, classes] = [4, 5, 3];
  const keep = <T extends tf.Tensor>(t: T): T => tf.keep(t);
  const w = tf.variable(tf.tensor2d(randomLogits(rng, features, classes, 0.5), [features, classes]));
  const page = {
    logits: keep(tf.tensor2d(randomLogits(rng, rows, classes, 2), [rows, classes])),
    labels: keep(tf.tensor1d(randomLabels(rng, rows, classes), 'int32')),
    x: keep(tf.tensor2d(randomLogits(rng, rows, features, 1), [rows, features])),
    model: { apply: (x: tf.Tensor) => tf.matMul(x, w) },
  };
  return readmeHandlers({
    modules: { '@tensorflow/tfjs': tf, '@tensorflow/tfjs-backend-webgpu': {}, 'webgpu-loss/tfjs': { TfjsLoss } },
    page,
    isContext: (v) => v instanceof TfjsLoss,
    shared: async () => ({
      wl: tl.wl, tfTensors: () => tf.memory().numTensors, dispose: () => {},
      modules: { 'webgpu-loss/tfjs': { TfjsLoss: createGives(TfjsLoss, tl) } },
    }),
  });
}

// ---- area setup --------------------------------------------------------------------------------

export async function start(): Promise<Area> {
  // Every TF.js op on the GPU, also for small tensors (by default TF.js runs small ops whose
  // inputs are on the CPU there), so that "made on the GPU" means it.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  if (!(await tf.setBackend('webgpu'))) throw new Error("TF.js could not initialise its 'webgpu' backend");
  await tf.ready();
  tl = await TfjsLoss.create(tf);
  return {
    wl: tl.wl,
    handlers: { sameDevice, crossEntropy, otherOp, jsDivergence, noRoundTrip, training, memory, badInput, gpuFault, battery, ...readme() },
    facts: { tfjs: tf.version_core, backend: tf.getBackend() },
  };
}
