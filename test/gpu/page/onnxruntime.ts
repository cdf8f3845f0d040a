// The ONNX Runtime Web area of the test page: runs a real ONNX model (built in onnx-model.ts)
// on ORT's WebGPU execution provider with its outputs kept on the GPU, computes losses of those
// outputs with webgpu-loss/onnxruntime on ORT's own GPUDevice, and compares them with the float64
// oracle applied to a float64 forward pass of the same weights.
import * as ort from 'onnxruntime-web/webgpu';
import { OrtLoss, fromOrtTensor } from '../../../src/interop/onnxruntime';
import { WebGPULoss, type GpuTensor } from '../../../src/index';
import * as ref from '../../../src/reference/index';
import { mulberry32, normal } from '../../../src/reference/index';
import { allclose } from '../../util/allclose';
import { errorOf, type ErrorInfo } from '../../util/errors';
import { Report, type CheckReport } from '../../util/report';
import { TOL } from '../../util/tolerances';
import { toFloat16Bits } from '../../util/half';
import type { Area } from './main';
import type { Case } from '../../battery/case';
import { readBuffer } from '../../battery/gpu';
import type { Makers } from '../../battery/make';
import { crossEntropyHealth, runCases, type Batch, type Entries } from '../../battery/run';
import { mlpForward64, mlpModel, mlpWeights, readmeModel, type MlpWeights } from './onnx-model';
import { createGives, readmeHandlers } from './readme';
import { uncaptured } from './uncaptured';

export const DIMS = { inFeatures: 16, hidden: 32, classes: 10 };

let weights: MlpWeights;
let model: Uint8Array;
let session: ort.InferenceSession;
let ol: OrtLoss;

type Outputs = Record<'logits' | 'teacher' | 'labels32' | 'labels64', ort.Tensor>;
type TargetKind = 'labels32' | 'labels64' | 'dense';

/** Seeded inputs: features x [rows, D] and int64 labels y (some −100 = ignored when asked). */
function batch(seed: number, rows: number, ignoreFrac = 0): { x: Float32Array; y: BigInt64Array; labels: Int32Array } {
  const rng = mulberry32(seed);
  const x = Float32Array.from({ length: rows * DIMS.inFeatures }, () => normal(rng));
  const labels = Int32Array.from({ length: rows }, () => (rng() < ignoreFrac ? -100 : Math.floor(rng() * DIMS.classes)));
  return { x, y: BigInt64Array.from(labels, (v) => BigInt(v)), labels };
}

async function run(s: ort.InferenceSession, x: Float32Array, y: BigInt64Array, rows: number): Promise<Outputs> {
  const feeds = { x: new ort.Tensor('float32', x, [rows, DIMS.inFeatures]), y: new ort.Tensor('int64', y, [rows]) };
  return (await s.run(feeds)) as unknown as Outputs;
}

function disposeAll(out: Outputs): void {
  for (const t of Object.values(out)) t.dispose();
}

/** Reads a library output and frees it. */
async function take(t: GpuTensor | undefined): Promise<number[]> {
  if (!t) throw new Error('missing output');
  const v = Array.from(await t.read());
  t.destroy();
  return v;
}

// ---- readback spy ----------------------------------------------------------------------------------
// Counts every GPU→CPU readback in a window (each needs a mapAsync), every copy whose source is one
// of the watched (ORT) buffers, and every ort.Tensor getData() call.

interface SpyReport { mapSizes: number[]; watchedCopies: number; getDataCalls: number }

async function spied<T>(watched: GPUBuffer[], fn: () => Promise<T>): Promise<{ value: T; spy: SpyReport }> {
  const spy: SpyReport = { mapSizes: [], watchedCopies: 0, getDataCalls: 0 };
  const mapAsync = GPUBuffer.prototype.mapAsync;
  const copy = GPUCommandEncoder.prototype.copyBufferToBuffer;
  const getData = ort.Tensor.prototype.getData;
  GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...a: Parameters<GPUBuffer['mapAsync']>) {
    spy.mapSizes.push(this.size);
    return mapAsync.apply(this, a);
  };
  GPUCommandEncoder.prototype.copyBufferToBuffer = function (this: GPUCommandEncoder, ...a: unknown[]) {
    if (watched.includes(a[0] as GPUBuffer)) spy.watchedCopies++;
    return (copy as (...x: unknown[]) => void).apply(this, a);
  } as GPUCommandEncoder['copyBufferToBuffer'];
  ort.Tensor.prototype.getData = function (this: ort.Tensor, ...a: Parameters<ort.Tensor['getData']>) {
    spy.getDataCalls++;
    return getData.apply(this, a);
  };
  try {
    return { value: await fn(), spy };
  } finally {
    GPUBuffer.prototype.mapAsync = mapAsync;
    GPUCommandEncoder.prototype.copyBufferToBuffer = copy;
    ort.Tensor.prototype.getData = getData;
  }
}

/** A copy of a buffer's first `bytes`, made on the GPU (no readback), read later. */
function snapshot(device: GPUDevice, src: GPUBuffer, bytes: number): GPUBuffer {
  const dst = device.createBuffer({ label: 'test:snapshot', size: bytes, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, dst, 0, bytes);
  device.queue.submit([enc.finish()]);
  return dst;
}

async function readSnapshot(b: GPUBuffer): Promise<Uint32Array> {
  await b.mapAsync(GPUMapMode.READ);
  const v = new Uint32Array(b.getMappedRange().slice(0));
  b.destroy();
  return v;
}

// ---- evaluation against the oracle -------------------------------------------------------------------

export interface EvalSpec {
  seed: number;
  rows: number;
  target: TargetKind;
  reduction: 'none' | 'mean' | 'sum';
  extras?: boolean;
  ignoreFrac?: number;
  /** Control: also read the logits back inside the spy window, to show that the spy sees it. */
  control?: boolean;
}

export interface EvalReport extends CheckReport {
  locations: string[];
  logitsBytes: number;
  spy: SpyReport;
  /** The readback sizes the loss outputs need (what the spy must see, and nothing else). */
  expectedMapSizes: number[];
  /** ORT's logits are bit-identical after the loss call to a GPU-side copy taken before it. */
  unchanged: boolean;
  sameDevice: boolean;
}

/**
 * One batch through the model and the loss: against the oracle on ORT's own float32 logits (the
 * loss kernel alone) and on float64 logits (the whole path: ORT's float32 Gemms, then the loss).
 */
async function evaluate(spec: EvalSpec): Promise<EvalReport> {
  const { rows, reduction } = spec;
  const V = DIMS.classes;
  const { x, y, labels } = batch(spec.seed, rows, spec.ignoreFrac);
  const out = await run(session, x, y, rows);
  const r = new Report();
  const note = (c: { ok: boolean; message: string }) => r.add(c);
  const locations = Object.values(out).map((t) => t.location);
  const logitsBytes = rows * V * 4;
  const watched = Object.values(out).map((t) => t.gpuBuffer);
  const snap = snapshot(ol.device, out.logits.gpuBuffer, logitsBytes);
  const target = spec.target === 'dense' ? out.teacher : out[spec.target];
  const opts = { reduction, extras: spec.extras ?? false };

  // The loss, read back inside the spy window: only the loss-sized readbacks may happen.
  const { value: gpu, spy } = await spied(watched, async () => {
    const r = await ol.crossEntropy(out.logits, target, opts);
    const res = { loss: await take(r.loss), correct: r.correct ? await take(r.correct) : undefined, argmax: r.argmax ? await take(r.argmax) : undefined };
    for (const t of Object.values(r)) t?.destroy();
    if (spec.control) await out.logits.getData();
    return res;
  });
  const expectedMapSizes = [Math.max(4, (reduction === 'none' ? rows : 1) * 4)];
  if (spec.extras && spec.target !== 'dense') expectedMapSizes.push(rows * 4);
  if (spec.extras) expectedMapSizes.push(rows * 4);

  // After the window: ORT's outputs as ORT gives them, and the GPU-side copy taken before the call.
  const f32 = (await out.logits.getData()) as Float32Array;
  const before = await readSnapshot(snap);
  const after = new Uint32Array(f32.buffer, f32.byteOffset, rows * V);
  const unchanged = before.length === after.length && before.every((b, i) => b === after[i]);

  const f64 = mlpForward64(weights, x, rows);
  const delta = Math.max(...f64.logitErrBound);
  note(allclose(f32, f64.logits, TOL.ortLogits(delta), 'ORT logits vs float64 forward (atol: the f32 dot bound)'));
  const teacher32 = spec.target === 'dense' ? ((await out.teacher.getData()) as Float32Array) : undefined;
  if (teacher32) note(allclose(teacher32, f64.teacher, TOL.ortSoftmax, 'ORT teacher vs float64 softmax'));

  const hostTarget64 = spec.target === 'dense' ? { data: f64.teacher, shape: [rows, V] } : { data: labels, shape: [rows] };
  const hostTarget32 = spec.target === 'dense' ? { data: teacher32!, shape: [rows, V] } : { data: labels, shape: [rows] };
  const onF32 = ref.crossEntropy({ data: f32, shape: [rows, V] }, hostTarget32, opts);
  const onF64 = ref.crossEntropy({ data: f64.logits, shape: [rows, V] }, hostTarget64, opts);
  note(allclose(gpu.loss, onF32.loss, TOL.loss, 'loss vs oracle on ORT\'s f32 logits'));
  note(allclose(gpu.loss, onF64.loss, TOL.throughOrt(delta), 'loss vs oracle on float64 logits'));
  if (spec.extras) {
    note(allclose(gpu.argmax!, onF32.argmax!, TOL.exact, 'argmax'));
    if (gpu.correct) note(allclose(gpu.correct, onF32.correct!, TOL.exact, 'correct'));
  }
  r.note(`max logit error bound δ = ${delta.toExponential(2)}`);
  disposeAll(out);
  return { ...r, locations, logitsBytes, spy, expectedMapSizes, unchanged, sameDevice: ol.device === (await ort.env.webgpu.device) };
}

/**
 * jsDivergence with the teacher an ORT output still on the GPU (the model's logits), the student
 * host data, and int64 ORT labels (some ignored) converted on the GPU; against the oracle on ORT's
 * float32 logits.
 */
async function jsdTeacher(seed: number, rows: number): Promise<CheckReport> {
  const V = DIMS.classes;
  const { x, y, labels } = batch(seed, rows, 0.25);
  const out = await run(session, x, y, rows);
  const r = new Report();
  const rng = mulberry32(seed + 1);
  const student = { data: Float32Array.from({ length: rows * V }, () => 2 * normal(rng)), shape: [rows, V] };
  const opts = { beta: 0.3, temperature: 2 };
  const res = await ol.jsDivergence(student, out.logits, { ...opts, labels: out.labels64, grad: true });
  const loss = await take(res.loss);
  const grad = await take(res.grad);
  const f32 = (await out.logits.getData()) as Float32Array;
  const want = ref.jsDivergence(student, { data: f32, shape: [rows, V] }, { ...opts, labels: { data: labels, shape: [rows] }, grad: true });
  const kept = labels.filter((v) => v !== -100).length;
  r.add(allclose(loss, want.loss, TOL.divergence(V), 'jsDivergence loss vs oracle on ORT\'s f32 logits'));
  r.add(allclose(grad, want.grad!, TOL.jsdGrad(1 / Math.max(kept, 1) / opts.temperature, 16 / opts.temperature), 'jsDivergence grad'));
  r.note(`${kept} of ${rows} rows kept`);
  disposeAll(out);
  return r;
}

/** Several batches through the same objects: what the library holds must not grow. */
async function repeated(n: number): Promise<CheckReport & { before: object; after: object; each: object[] }> {
  const rows = 48;
  const report = new Report();
  const each: object[] = [];
  const one = async (seed: number) => {
    const { x, y, labels } = batch(seed, rows, 0.1);
    const out = await run(session, x, y, rows);
    const r = await ol.crossEntropy(out.logits, out.labels64, { extras: true });
    disposeAll(out);
    const loss = await take(r.loss);
    for (const t of Object.values(r)) t?.destroy();
    const f64 = mlpForward64(weights, x, rows);
    const want = ref.crossEntropy({ data: f64.logits, shape: [rows, DIMS.classes] }, { data: labels, shape: [rows] });
    report.add(allclose(loss, want.loss, TOL.throughOrt(Math.max(...f64.logitErrBound)), `batch ${seed} loss`));
  };
  await one(1000); // compiles what the loop needs
  const before = ol.stats();
  for (let i = 0; i < n; i++) {
    await one(1001 + i);
    each.push(ol.stats());
  }
  const after = ol.stats();
  return { ...report, before, after, each };
}

/**
 * The disposal order the docs ask for: the loss call resolves, then the ORT tensors are disposed
 * and the next run reuses their buffers; the loss read afterwards is still that of the first batch.
 */
async function lifetime(): Promise<CheckReport & { reused: boolean; afterDispose: string }> {
  const rows = 40;
  const a = batch(7, rows);
  const b = batch(8, rows);
  const outA = await run(session, a.x, a.y, rows);
  const bufA = outA.logits.gpuBuffer;
  const ceA = await ol.crossEntropy(outA.logits, outA.labels32, { reduction: 'none' });
  disposeAll(outA);
  const e = await errorOf(() => fromOrtTensor(ol.wl, outA.logits, 'logits'));
  const afterDispose = e ? `${e.name} ${e.code} ${e.argument}` : 'no error';
  const outB = await run(session, b.x, b.y, rows);
  const reused = Object.values(outB).some((t) => t.gpuBuffer === bufA);
  const ceB = await ol.crossEntropy(outB.logits, outB.labels32, { reduction: 'none' });
  disposeAll(outB);
  const r = new Report();
  for (const [ce, inp, name] of [[ceA, a, 'batch A (its ORT tensors disposed and reused)'], [ceB, b, 'batch B']] as const) {
    const f64 = mlpForward64(weights, inp.x, rows);
    const want = ref.crossEntropy({ data: f64.logits, shape: [rows, DIMS.classes] }, { data: inp.labels, shape: [rows] }, { reduction: 'none' });
    r.add(allclose(await take(ce.loss), want.loss, TOL.throughOrt(Math.max(...f64.logitErrBound)), name));
  }
  return { ...r, reused, afterDispose };
}

// ---- errors ------------------------------------------------------------------------------------------

interface ErrorCase extends ErrorInfo { case: string }

async function caught(label: string, fn: () => Promise<unknown>): Promise<ErrorCase> {
  return { case: label, ...((await errorOf(fn)) ?? { name: 'none', message: 'no error' }) };
}

async function errorCases(): Promise<{ cases: ErrorCase[]; statsBefore: object; statsAfter: object; noGpuErrorsBefore: boolean }> {
  const rows = 6;
  const V = DIMS.classes;
  const { x, y } = batch(21, rows);
  const out = await run(session, x, y, rows);
  const other = batch(22, rows + 1);
  const out7 = await run(session, other.x, other.y, rows + 1);
  const statsBefore = ol.stats();
  const noGpuErrorsBefore = uncaptured.length === 0;
  const cases: ErrorCase[] = [];

  // ORT tensors on the CPU: a plain ort.Tensor, and the output of a session without 'gpu-buffer'.
  const cpuTensor = new ort.Tensor('float32', new Float32Array(rows * V), [rows, V]);
  cases.push(await caught('cpu ort.Tensor as input', () => ol.crossEntropy(cpuTensor, out.labels32)));
  const cpuSession = await ort.InferenceSession.create(model, { executionProviders: ['webgpu'] });
  const cpuOut = await run(cpuSession, x, y, rows);
  cases.push(await caught('cpu-located session output as target', () => ol.crossEntropy(out.logits, cpuOut.labels32)));
  disposeAll(cpuOut);
  await cpuSession.release();

  // Wrong dtypes: int32 labels where logits are expected; float16 labels; uint8 tensors.
  cases.push(await caught('int32 tensor as input', () => ol.crossEntropy(out.labels32, out.labels32)));
  const f16 = ort.Tensor.fromGpuBuffer(out.labels32.gpuBuffer, { dataType: 'float16', dims: [rows] });
  cases.push(await caught('float16 tensor as labels', () => ol.crossEntropy(out.logits, f16)));
  const u8 = ort.Tensor.fromGpuBuffer(out.labels32.gpuBuffer, { dataType: 'uint8', dims: [rows] });
  cases.push(await caught('uint8 tensor as target', () => ol.crossEntropy(out.logits, u8)));

  // Wrong dims: labels of another batch size, a rank-3 view, a view larger than its buffer, a bad reshape.
  cases.push(await caught('labels of 7 rows for 6 rows of logits', () => ol.crossEntropy(out.logits, out7.labels32)));
  const rank3 = ort.Tensor.fromGpuBuffer(out.logits.gpuBuffer, { dataType: 'float32', dims: [2, 3, V] });
  cases.push(await caught('rank-3 input', () => ol.crossEntropy(rank3, out.labels32)));
  const tooBig = ort.Tensor.fromGpuBuffer(out.logits.gpuBuffer, { dataType: 'float32', dims: [100, V] });
  cases.push(await caught('dims larger than the buffer', () => ol.crossEntropy(tooBig, out.labels32)));
  cases.push(await caught('reshape to another element count', () => ol.wrap(out.logits, 'logits', { shape: [rows, V + 1] })));

  // A tensor of another GPUDevice: a buffer made on a second device, and a session on that device.
  const otherWl = await WebGPULoss.create();
  const otherDevice = app?.device ?? otherWl.device;
  const foreign = otherWl.tensor(new Float32Array(rows * V), [rows, V]);
  const foreignOrt = ort.Tensor.fromGpuBuffer(foreign.buffer, { dataType: 'float32', dims: [rows, V] });
  cases.push(await caught('buffer of another device as input', () => ol.crossEntropy(foreignOrt, out.labels32)));
  // (appDevice's session when that test ran first: a second device costs ORT a full shader compile.)
  const otherSession = app?.session ?? await ort.InferenceSession.create(model, {
    executionProviders: [{ name: 'webgpu', device: otherDevice } as ort.InferenceSession.ExecutionProviderConfig],
    preferredOutputLocation: 'gpu-buffer',
  });
  const otherOut = await run(otherSession, x, y, rows);
  cases.push(await caught('output of a session on another device as target', () => ol.crossEntropy(out.logits, otherOut.labels32)));
  disposeAll(otherOut);
  otherWl.dispose();

  // A disposed tensor; something that is not a tensor.
  const disposed = await run(session, x, y, rows);
  disposeAll(disposed);
  cases.push(await caught('disposed ORT tensor as input', () => ol.crossEntropy(disposed.logits, out.labels32)));
  cases.push(await caught('not a tensor', () => fromOrtTensor(ol.wl, {} as never, 'logits')));

  // int64 labels outside int32 (and outside [0, V)): counted on the GPU, reported by checkLabels.
  const yBad = BigInt64Array.from([0n, 2n ** 40n, 3n, -(2n ** 35n), 9n, 1n]);
  const bad = await run(session, x, yBad, rows);
  cases.push(await caught('int64 labels outside int32', async () => {
    const r = await ol.crossEntropy(bad.logits, bad.labels64, { reduction: 'none' });
    const invalid = (await r.invalidLabels!.read())[0];
    try {
      await ol.wl.checkLabels(r, V);
    } finally {
      for (const t of Object.values(r)) t?.destroy();
    }
    throw new Error(`checkLabels passed with ${invalid} invalid labels`);
  }));
  const r = await ol.crossEntropy(bad.logits, bad.labels64, { reduction: 'none' });
  const invalidCount = (await r.invalidLabels!.read())[0];
  const lossBad = Array.from(await r.loss.read());
  for (const t of Object.values(r)) t?.destroy();
  cases.push({ case: 'int64 out-of-range count', name: 'info', message: `invalidLabels=${invalidCount}; NaN rows=${lossBad.map((v, i) => (Number.isNaN(v) ? i : -1)).filter((i) => i >= 0).join(',')}` });
  disposeAll(bad);
  disposeAll(out);
  disposeAll(out7);
  return { cases, statsBefore, statsAfter: ol.stats(), noGpuErrorsBefore };
}

// ---- the bad-input battery ----------------------------------------------------------------------

/** The battery's tokens for ORT objects: tensors over GPU buffers of ORT's device, freed after their case. */
const ortMakers: Makers = {
  'ort.namespace': () => ({ value: ort }),
  'ort.wl': () => ({ value: ol.wl }),
  'ort.gpu': (t, _build, scope) => {
    const values = t.values as number[];
    const data = t.type === 'int64' ? BigInt64Array.from(values, (v) => BigInt(v)) : t.type === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    const b = ol.device.createBuffer({ label: 'test:battery', size: Math.max(16, data.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    ol.device.queue.writeBuffer(b, 0, data);
    const tensor = ort.Tensor.fromGpuBuffer(b, { dataType: t.type as 'float32', dims: t.dims as number[] });
    scope.describe.set(tensor, async () => `ort.Tensor(${t.type} [${(t.dims as number[]).join(', ')}] ${await readBuffer(ol.device, b)})`);
    scope.cleanup.push(() => b.destroy());
    return { value: tensor };
  },
};

/** The battery's ORT cases, through the shared runner; the call after them is OrtLoss's cross-entropy. */
async function battery(cases: Case[]): Promise<Batch> {
  const entries: Entries = {
    create: (...a) => OrtLoss.create(...(a as Parameters<typeof OrtLoss.create>)),
    fromOrtTensor: (...a) => fromOrtTensor(...(a as Parameters<typeof fromOrtTensor>)),
    crossEntropy: (...a) => ol.crossEntropy(...(a as Parameters<OrtLoss['crossEntropy']>)),
  };
  return runCases(cases, entries, ortMakers, () => crossEntropyHealth(entries.crossEntropy));
}

/** The app device's session, kept for errorCases (a session on another device than `ol`'s). */
let app: { device: GPUDevice; session: ort.InferenceSession } | undefined;

/** The app's own device, given to ORT per session and to OrtLoss: the documented sharing route. */
async function appDevice(): Promise<CheckReport & { envUnchanged: boolean; onAppDevice: boolean }> {
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter!.requestDevice({ label: 'app device' });
  const envBefore = await ort.env.webgpu.device;
  const s = await ort.InferenceSession.create(model, {
    executionProviders: [{ name: 'webgpu', device } as ort.InferenceSession.ExecutionProviderConfig],
    preferredOutputLocation: 'gpu-buffer',
  });
  const mine = await OrtLoss.create(ort, { device });
  const rows = 24;
  const { x, y, labels } = batch(31, rows);
  const out = await run(s, x, y, rows);
  const ce = await mine.crossEntropy(out.logits, out.labels64, { reduction: 'sum' });
  disposeAll(out);
  const f64 = mlpForward64(weights, x, rows);
  const want = ref.crossEntropy({ data: f64.logits, shape: [rows, DIMS.classes] }, { data: labels, shape: [rows] }, { reduction: 'sum' });
  const c = allclose(await take(ce.loss), want.loss, TOL.throughOrt(Math.max(...f64.logitErrBound), rows), 'loss on the app device');
  mine.dispose();
  const envUnchanged = (await ort.env.webgpu.device) === envBefore;
  app = { device, session: s };
  return { ok: c.ok, messages: [c.message], envUnchanged, onAppDevice: mine.device === device };
}

/** The README's ONNX Runtime example: its model, inputs, and (in a loop) this area's OrtLoss. */
function readme() {
  const rows = 6;
  const { x, y } = batch(5, rows);
  return readmeHandlers({
    modules: { 'onnxruntime-web/webgpu': ort, 'webgpu-loss/onnxruntime': { OrtLoss } },
    page: { modelBytes: readmeModel(weights), x: new ort.Tensor('float32', x, [rows, DIMS.inFeatures]), y: new ort.Tensor('int64', y, [rows]) },
    isContext: (v) => v instanceof OrtLoss,
    shared: async () => ({ wl: ol.wl, modules: { 'webgpu-loss/onnxruntime': { OrtLoss: createGives(OrtLoss, ol) } }, dispose: () => {} }),
  });
}

/**
 * A float16 ORT tensor in a GPU buffer (odd element count) is wrapped without a copy and its
 * cross-entropy and gradient match the oracle on the same float16 patterns.
 */
async function float16Input(): Promise<CheckReport & { sameBuffer: boolean; dtype: string }> {
  const rows = 3;
  const V = 5;
  const bits = Uint16Array.from({ length: rows * V }, (_, i) => toFloat16Bits(Math.sin(i * 2.3) * 5));
  const device = ol.wl.device;
  const buffer = device.createBuffer({ size: 32, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  device.queue.writeBuffer(buffer, 0, Uint16Array.from([...bits, 0]));
  const t = ort.Tensor.fromGpuBuffer(buffer, { dataType: 'float16', dims: [rows, V] });
  const labels = { data: new Int32Array([0, 4, 2]), shape: [rows] };
  const wrapped = await fromOrtTensor(ol.wl, t, 'logits');
  const out = await ol.crossEntropy(t, labels, { grad: true });
  const want = ref.crossEntropy({ data: bits, shape: [rows, V], dtype: 'float16' }, labels, { grad: true });
  const r = new Report();
  r.add(allclose(await out.loss.read(), want.loss, TOL.loss, 'float16 loss'));
  r.add(allclose(await out.grad!.read(), want.grad!, TOL.grad(1 / rows), 'float16 grad'));
  // The same tensor as a distillation teacher: jsDivergence reads it as float16 too.
  const student = { data: Float32Array.from({ length: rows * V }, (_, i) => Math.cos(i * 1.7) * 3), shape: [rows, V] };
  const jsd = await ol.jsDivergence(student, t, { temperature: 2, grad: true });
  const wantJsd = ref.jsDivergence(student, { data: bits, shape: [rows, V], dtype: 'float16' }, { temperature: 2, grad: true });
  r.add(allclose(await jsd.loss.read(), wantJsd.loss, TOL.divergence(V), 'jsDivergence loss, float16 teacher'));
  r.add(allclose(await jsd.grad!.read(), wantJsd.grad!, TOL.jsdGrad(1 / rows / 2, 16 / 2), 'jsDivergence grad, float16 teacher'));
  jsd.dispose();
  const result = { ok: r.ok, messages: r.messages, sameBuffer: wrapped.buffer === buffer, dtype: wrapped.dtype };
  out.loss.destroy();
  out.grad?.destroy();
  wrapped.destroy();
  t.dispose();
  buffer.destroy();
  return result;
}

export async function start(): Promise<Area> {
  // The Vite dev server serves ORT's wasm from node_modules; threads need cross-origin isolation,
  // which the test server does not set up.
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = 1;
  const envBefore = typeof (await ort.env.webgpu.device);
  const beforeSession = await caught('OrtLoss.create before any session', () => OrtLoss.create(ort));
  weights = mlpWeights(2026, DIMS.inFeatures, DIMS.hidden, DIMS.classes);
  model = mlpModel(weights);
  session = await ort.InferenceSession.create(model, { executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
  ol = await OrtLoss.create(ort);
  return {
    wl: ol.wl,
    handlers: { evaluate, jsdTeacher, repeated, lifetime, errorCases, appDevice, battery, float16Input, ...readme() },
    facts: {
      ortVersion: ort.env.versions.web, envBefore, beforeSession,
      sameDevice: ol.device === (await ort.env.webgpu.device),
      modelBytes: model.length,
    },
  };
}
