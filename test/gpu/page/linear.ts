// linearCrossEntropy in the page: seeded inputs, the GPU operation and the float64 oracle on the
// same float32 values, loss and gradients compared; bad input, labels on the GPU, warmup.
import { WebGPULoss, type GpuTensor } from '../../../src/index';
import * as ref from '../../../src/reference/index';
import { mulberry32, normal, randomLabels, randomUniform } from '../../../src/reference/index';
import { allclose } from '../../util/allclose';
import { readAll, sameBits } from '../../util/check';
import { errorInfo, errorOf, type ErrorInfo } from '../../util/errors';
import { Report, type CheckReport } from '../../util/report';
import type { RunSpec } from '../../util/spec';
import { TOL } from '../../util/tolerances';
import { ctx, contextFor } from './context';

/** A linearCrossEntropy case, judged at TOL.linearLoss and TOL.linearGrad. */
export interface LinearSpec extends Omit<RunSpec, 'tol' | 'gradTol'> {
  n: number;
  d: number;
  v: number;
  seed?: number;
  /** Standard deviations of hidden and weight entries (logits then have std ~ hScale·wScale·√D). */
  hScale?: number;
  wScale?: number;
  bias?: boolean;
  /** Fraction of rows given the ignore index (1: all). */
  ignoreFrac?: number;
  /** Put a NaN into this row of hidden. */
  nanRow?: number;
  /** Scale this row of hidden so that its logits overflow exp (~±1000). */
  bigRow?: number;
  /** Give these rows the ignore index. */
  ignoreRows?: number[];
  /** Rows [0, peakRows) get hidden = peak·W[y]/|W[y]|² + noise: a peaked softmax, as a trained model's (gradient filtering). */
  peak?: number;
  peakRows?: number;
  /** Passed to both sides; `weight: 'random'` makes seeded class weights. */
  options?: Record<string, unknown>;
  /** GPU-only options of a second GPU run (e.g. another memoryBudget); the report says which outputs kept their bits. */
  again?: Record<string, unknown>;
}

export interface LinearReport extends CheckReport {
  /** Largest buffer the call created, in bytes, and N·V·4. */
  largestBuffer: number;
  logitsBytes: number;
  scratchBytes: number;
  ms: number;
  /** Labels of the buffers the call created. */
  created: string[];
  /** Outputs the GPU returned. */
  outputs: string[];
  /** With `again` (its values are checked against the first run's): the outputs whose bits it kept, and its scratchBytes. */
  sameBits?: string[];
  againScratchBytes?: number;
  /**
   * With gradFilter and filterMask: tiles of G, those the GPU skipped, tiles where its mask and the
   * oracle's differ, and max|filtered − exact| of the oracle's gradHidden / gradWeight over the
   * documented bound (32·ε·k·max|W| or max|h| per skipped tile of the element's row / column block).
   */
  filter?: { tiles: number; skipped: number; mismatched: number; boundH: number; boundW: number; relH: number; relW: number;
    /** The GPU's gradHidden / gradWeight within TOL.linearGrad of the exact (unfiltered) oracle's. */
    exactH: boolean; exactW: boolean };
}

function randn(rng: () => number, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => normal(rng) * scale);
}

function inputs(spec: LinearSpec) {
  const rng = mulberry32(spec.seed ?? 1);
  const { n, d, v } = spec;
  const hidden = { data: randn(rng, n * d, spec.hScale ?? 1), shape: [n, d] };
  const weight = { data: randn(rng, v * d, spec.wScale ?? 1 / Math.sqrt(d)), shape: [v, d] };
  const labels = { data: randomLabels(rng, n, v), shape: [n] };
  const ignoreIndex = (spec.options?.ignoreIndex as number | undefined) ?? -100;
  if (spec.ignoreFrac) for (let i = 0; i < n; i++) if (spec.ignoreFrac >= 1 || rng() < spec.ignoreFrac) labels.data[i] = ignoreIndex;
  const bias = spec.bias ? { data: randn(rng, v, 0.5), shape: [v] } : undefined;
  for (const r of spec.ignoreRows ?? []) labels.data[r] = ignoreIndex;
  for (let r = 0; r < Math.min(spec.peakRows ?? 0, n); r++) {
    const y = labels.data[r] >= 0 && labels.data[r] < v ? labels.data[r] : r % v;
    // z_y ≈ peak; the other logits ~ N(0, (peak/√D)²).
    let sq = 0;
    for (let k = 0; k < d; k++) sq += weight.data[y * d + k] ** 2;
    for (let k = 0; k < d; k++) hidden.data[r * d + k] = Math.fround(0.1 * hidden.data[r * d + k] + spec.peak! * weight.data[y * d + k] / sq);
  }
  if (spec.nanRow !== undefined) hidden.data[spec.nanRow * d] = NaN;
  if (spec.bigRow !== undefined) for (let k = 0; k < d; k++) hidden.data[spec.bigRow * d + k] *= 1000;
  const options: Record<string, unknown> = { ...(spec.options ?? {}) };
  if (options.weight === 'random') options.weight = Array.from(randomUniform(rng, v, 0.5, 2));
  return { hidden, weight, labels, bias, options };
}

/** Runs one call while recording the size of every buffer the device creates. */
async function recorded<T>(c: WebGPULoss, f: () => Promise<T>): Promise<{ value: T; largest: number; created: string[] }> {
  const dev = c.device;
  const orig = dev.createBuffer.bind(dev);
  let largest = 0;
  const created: string[] = [];
  dev.createBuffer = (d: GPUBufferDescriptor) => {
    largest = Math.max(largest, d.size);
    created.push(d.label ?? '');
    return orig(d);
  };
  try {
    return { value: await f(), largest, created };
  } finally {
    dev.createBuffer = orig;
  }
}

async function linearCheck(spec: LinearSpec): Promise<LinearReport> {
  const c = await contextFor(spec.context);
  const { hidden, weight, labels, bias, options } = inputs(spec);
  const uploaded: GpuTensor[] = [];
  const up = <T extends { data: Float32Array | Int32Array; shape: number[] }>(t: T) => {
    if (!spec.gpuInputs) return t;
    const g = c.tensor(t.data, t.shape);
    uploaded.push(g);
    return g;
  };
  const gArgs = [up(hidden), up(weight), up(labels)] as const;
  const gOpts = { ...options, bias: bias ? up(bias) : undefined };
  const r = new Report();
  c.device.pushErrorScope('validation');
  const t0 = performance.now();
  const { value: out, largest, created } = await recorded(c, () => c.linearCrossEntropy(...gArgs, gOpts));
  const scratchBytes = out.scratchBytes;
  const gpu = await readAll(out as unknown as Record<string, unknown>);
  const ms = performance.now() - t0;
  const scopeErr = await c.device.popErrorScope();
  if (scopeErr) r.fail(`WebGPU validation error: ${scopeErr.message}`);
  // The oracle has one way to compute; the GPU's choice of tile kernel is not its option.
  const { tiles: _, filterMask: __, ...refOptions } = options as { tiles?: unknown; filterMask?: unknown };
  const want = ref.linearCrossEntropy(hidden, weight, labels, { ...refOptions, bias } as ref.RefLinearCrossEntropyOptions);
  const pairs: [string, ArrayLike<number> | undefined][] = [['loss', want.loss], ['gradHidden', want.gradHidden], ['gradWeight', want.gradWeight], ['gradBias', want.gradBias]];
  for (const [name, expected] of pairs) {
    if (!expected) continue;
    const actual = gpu[name];
    if (!actual) {
      r.fail(`${name}: missing from the GPU result`);
      continue;
    }
    r.add(allclose(actual, expected, name === 'loss' ? TOL.linearLoss : TOL.linearGrad(expected), name));
  }
  for (const name of ['gradWeight', 'gradBias']) if (gpu[name] && !(want as unknown as Record<string, unknown>)[name]) r.fail(`${name}: returned, the oracle has none`);
  if (want.lse) checkExtras(r, gpu, want, hidden, weight, bias);
  else for (const name of ['labelLogProb', 'lse', 'entropy', 'argmax', 'correct']) if (gpu[name]) r.fail(`${name}: returned without extras`);
  let filter: LinearReport['filter'];
  if (want.gradFilterLive) filter = filterReport(r, gpu, want, spec, hidden.data, weight.data, { ...refOptions, bias } as ref.RefLinearCrossEntropyOptions, labels);
  let sameBitsOf: string[] | undefined;
  let againScratchBytes: number | undefined;
  if (spec.again) {
    const second = await c.linearCrossEntropy(...gArgs, { ...gOpts, ...spec.again });
    againScratchBytes = second.scratchBytes;
    const b = await readAll(second as unknown as Record<string, unknown>);
    sameBitsOf = Object.keys(gpu).filter((name) => sameBits(gpu[name], b[name]));
    // The second run's values agree with the first's as both agree with the oracle.
    for (const name of ['loss', 'gradHidden', 'gradWeight', 'gradBias', 'labelLogProb', 'lse', 'entropy'].filter((k) => gpu[k])) {
      if (!b[name]) r.fail(`${name}: missing from the second run`);
      else r.add(allclose(b[name], gpu[name], name.startsWith('grad') ? TOL.linearGrad(gpu[name]) : TOL.linearLoss, `${name} (second run)`));
    }
  }
  if (spec.determinism) {
    const again = await readAll((await c.linearCrossEntropy(...gArgs, gOpts)) as unknown as Record<string, unknown>);
    for (const [name, a] of Object.entries(gpu)) {
      if (sameBits(a, again[name])) r.note(`${name}: same bits on a second run`);
      else r.fail(`${name}: a second run gave different bits`);
    }
  }
  for (const t of uploaded) t.destroy();
  return Object.assign(r, { largestBuffer: largest, logitsBytes: spec.n * spec.v * 4, scratchBytes, ms, created, outputs: Object.keys(gpu),
    sameBits: sameBitsOf, againScratchBytes, filter });
}

/**
 * The GPU's tile mask against the oracle's (the same float64 rule), and how far the oracle's
 * filtered gradients lie from its exact ones, over the documented per-tile bound.
 */
function filterReport(r: Report, gpu: Record<string, ArrayLike<number>>, want: ref.RefLinearResult, spec: LinearSpec, h: Float32Array, w: Float32Array,
  refOptions: ref.RefLinearCrossEntropyOptions, labels: { data: Int32Array; shape: number[] }): NonNullable<LinearReport['filter']> {
  const live = want.gradFilterLive!;
  const mask = gpu.gradFilterLive;
  let mismatched = 0;
  let skipped = 0;
  if (!mask || mask.length !== live.length) r.fail(`gradFilterLive: expected ${live.length} tiles, got ${mask?.length}`);
  else for (let i = 0; i < live.length; i++) {
    if (mask[i] === 0) skipped++;
    if ((mask[i] !== 0) !== (live[i] !== 0)) mismatched++;
  }
  if (mismatched) r.fail(`gradFilterLive: ${mismatched} of ${live.length} tiles differ from the oracle's`);
  const exact = ref.linearCrossEntropy({ data: h, shape: [spec.n, spec.d] }, { data: w, shape: [spec.v, spec.d] }, labels, { ...refOptions, gradFilter: false });
  // k: the rows' scale (1 / Σ w[y] for 'mean'); ε from the options.
  const o = refOptions as Record<string, unknown>;
  const eps = o.gradFilter === 'auto' ? 2 ** -28 : (o.gradFilter as number);
  let denom = 0;
  for (const y of labels.data) if (y !== ((o.ignoreIndex as number | undefined) ?? -100)) denom += Array.isArray(o.weight) ? (o.weight as number[])[y] : 1;
  const k = (o.reduction === 'sum' || o.reduction === 'none' ? 1 : 1 / denom) / (o.base === 2 ? Math.LN2 : 1);
  const T = 32;
  const rb = Math.ceil(spec.n / T);
  const cb = Math.ceil(spec.v / T);
  const maxAbs = (a: ArrayLike<number>) => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
    return m;
  };
  const dev = (a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined) => {
    let m = 0;
    // A NaN row is NaN in both (its tiles stay live): no difference.
    if (a && b) for (let i = 0; i < a.length; i++) if (!(Number.isNaN(a[i]) && Number.isNaN(b[i]))) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  };
  let deadPerRowBlock = 0;
  let deadPerClassBlock = 0;
  for (let i = 0; i < rb; i++) deadPerRowBlock = Math.max(deadPerRowBlock, Array.from({ length: cb }, (_, j) => live[i * cb + j]).filter((x) => !x).length);
  for (let j = 0; j < cb; j++) deadPerClassBlock = Math.max(deadPerClassBlock, Array.from({ length: rb }, (_, i) => live[i * cb + j]).filter((x) => !x).length);
  const bH = deadPerRowBlock * T * eps * k * maxAbs(w);
  const bW = deadPerClassBlock * T * eps * k * maxAbs(h);
  const dH = dev(want.gradHidden, exact.gradHidden);
  const dW = dev(want.gradWeight, exact.gradWeight);
  if (dH > bH) r.fail(`gradHidden: filtering moved it by ${dH}, over the bound ${bH}`);
  if (dW > bW) r.fail(`gradWeight: filtering moved it by ${dW}, over the bound ${bW}`);
  const near = (name: 'gradHidden' | 'gradWeight') => !exact[name] || (!!gpu[name] && allclose(gpu[name], exact[name]!, TOL.linearGrad(exact[name]!), name).ok);
  return { tiles: live.length, skipped, mismatched, boundH: bH > 0 ? dH / bH : 0, boundW: bW > 0 ? dW / bW : 0,
    relH: dH / (maxAbs(exact.gradHidden!) || 1), relW: exact.gradWeight ? dW / (maxAbs(exact.gradWeight) || 1) : 0,
    exactH: near('gradHidden'), exactW: near('gradWeight') };
}

type Host = { data: ArrayLike<number>; shape: number[] };

/**
 * The extras against the oracle's: labelLogProb, lse and entropy at TOL.linearLoss; argmax equal,
 * or (float32 dot products may order a near-tie differently) a class whose float64 logit is
 * within that tolerance of the maximum; correct as the GPU's own argmax gives it, where the oracle
 * said the row is scored.
 */
function checkExtras(r: Report, gpu: Record<string, ArrayLike<number>>, want: ref.RefLinearResult, hidden: Host, weight: Host, bias: Host | undefined): void {
  for (const name of ['labelLogProb', 'lse', 'entropy'] as const) {
    if (!gpu[name]) r.fail(`${name}: missing from the GPU result`);
    else r.add(allclose(gpu[name], want[name]!, TOL.linearLoss, name));
  }
  const [n, d] = hidden.shape;
  const logit = (row: number, c: number) => {
    let s = bias ? bias.data[c] : 0;
    for (let k = 0; k < d; k++) s += hidden.data[row * d + k] * weight.data[c * d + k];
    return s;
  };
  let ties = 0;
  for (let i = 0; i < n; i++) {
    const g = gpu.argmax[i];
    const e = want.argmax![i];
    let ok = g === e;
    if (!ok && !Number.isNaN(logit(i, e))) {
      const best = logit(i, e);
      ok = Math.abs(logit(i, g) - best) <= TOL.linearLoss.atol + TOL.linearLoss.rtol * Math.abs(best);
      if (ok) ties++;
    }
    if (!ok) {
      r.fail(`argmax[${i}]: ${g}, the oracle's ${e}`);
      break;
    }
    // The scored label hit: the oracle's correct says whether the row is scored and hit; with a tie, the GPU's own argmax decides.
    const hit = g === e ? want.correct![i] : gpu.correct[i];
    if (gpu.correct[i] !== hit) {
      r.fail(`correct[${i}]: ${gpu.correct[i]}, expected ${hit}`);
      break;
    }
  }
  r.note(`argmax: ${n - ties} rows equal, ${ties} near-ties`);
}

/** Bad inputs by name; each must throw a typed error before anything runs. */
async function linearBadInput(kind: string): Promise<ErrorInfo | null> {
  const h = { data: new Float32Array(6), shape: [2, 3] };
  const w = { data: new Float32Array(12), shape: [4, 3] };
  const y = { data: new Int32Array([0, 3]), shape: [2] };
  const wInt = ctx.tensor(new Int32Array(12), [4, 3]); // made before the count of live tensors
  const cases: Record<string, () => Promise<unknown>> = {
    dMismatch: () => ctx.linearCrossEntropy(h, { data: new Float32Array(8), shape: [4, 2] }, y),
    labelsLength: () => ctx.linearCrossEntropy(h, w, { data: new Int32Array([0]), shape: [1] }),
    biasLength: () => ctx.linearCrossEntropy(h, w, y, { bias: { data: new Float32Array(3), shape: [3] } }),
    labelsFloat: () => ctx.linearCrossEntropy(h, w, { data: new Float32Array([0, 1]), shape: [2] }),
    hiddenInt: () => ctx.linearCrossEntropy({ data: new Int32Array(6), shape: [2, 3] }, w, y),
    weightGpuInt: () => ctx.linearCrossEntropy(h, wInt, y),
    labelRange: () => ctx.linearCrossEntropy(h, w, { data: new Int32Array([0, 4]), shape: [2] }),
    fromProbs: () => ctx.linearCrossEntropy(h, w, y, { from: 'probs' } as never),
    budgetTooSmall: () => ctx.linearCrossEntropy(h, w, y, { grad: true, memoryBudget: 100 }),
    budgetNotInteger: () => ctx.linearCrossEntropy(h, w, y, { memoryBudget: 1e5 + 0.5 }),
    shiftTwo: () => ctx.linearCrossEntropy(h, w, y, { shift: 2 } as never),
    sequenceNotDividing: () => ctx.linearCrossEntropy(h, w, y, { shift: 1, sequenceLength: 3 }),
    sequenceWithoutShift: () => ctx.linearCrossEntropy(h, w, y, { sequenceLength: 2 }),
    frozenNotBoolean: () => ctx.linearCrossEntropy(h, w, y, { frozenHead: 'yes' } as never),
    extrasNotBoolean: () => ctx.linearCrossEntropy(h, w, y, { extras: 1 } as never),
    classWeightLength: () => ctx.linearCrossEntropy(h, w, y, { weight: [1, 2] }),
    tooLarge: async () => (await WebGPULoss.create({ device: ctx.device, maxBindingBytes: 1024 })).linearCrossEntropy(
      { data: new Float32Array(300 * 2), shape: [300, 2] }, { data: new Float32Array(8), shape: [4, 2] }, { data: new Int32Array(300), shape: [300] }),
    // hidden (1.2 KB) fits a 4 KiB binding, its row statistics (9.6 KB) do not.
    rowStatsTooLarge: async () => (await WebGPULoss.create({ device: ctx.device, maxBindingBytes: 4096 })).linearCrossEntropy(
      { data: new Float32Array(300), shape: [300, 1] }, { data: new Float32Array(4), shape: [4, 1] }, { data: new Int32Array(300), shape: [300] }),
  };
  const before = ctx.stats().tensors;
  try {
    await cases[kind]();
    return null;
  } catch (e) {
    const err = errorInfo(e);
    const leaked = ctx.stats().tensors - before;
    return leaked > 0 ? { ...err, message: `${err.message} (and ${leaked} tensors leaked)` } : err;
  } finally {
    wInt.destroy();
  }
}

/** GPU-resident labels out of range: NaN rows, counted in invalidLabels. */
async function linearGpuLabels(): Promise<{ invalid: number; loss: number[]; heldByCounter: number; thrown: string | undefined }> {
  const h = ctx.tensor(Float32Array.from({ length: 8 }, (_, i) => i / 8), [4, 2]);
  const w = ctx.tensor(Float32Array.from({ length: 6 }, (_, i) => 1 - i / 3), [3, 2]);
  const y = ctx.tensor(new Int32Array([0, 3, -1, -100]), [4]);
  const before = ctx.stats().bytes;
  const out = await ctx.linearCrossEntropy(h, w, y, { reduction: 'none' });
  const loss = Array.from(await out.loss.read());
  out.loss.destroy();
  // What the call still holds once its loss is freed: the counter only, not its scratch.
  const heldByCounter = ctx.stats().bytes - before;
  const [invalid] = await out.invalidLabels!.read();
  const thrown = (await errorOf(() => ctx.checkLabels(out, 3)))?.name;
  for (const t of [h, w, y, out.invalidLabels]) t?.destroy();
  return { invalid, loss, heldByCounter, thrown };
}

/** GPU-resident labels out of range, with extras: what their rows' per-row outputs hold. */
async function linearGpuLabelsExtras(): Promise<Record<string, number[]>> {
  const h = ctx.tensor(Float32Array.from({ length: 8 }, (_, i) => i / 8), [4, 2]);
  const w = ctx.tensor(Float32Array.from({ length: 6 }, (_, i) => 1 - i / 3), [3, 2]);
  const y = ctx.tensor(new Int32Array([0, 3, -1, -100]), [4]);
  const out = await ctx.linearCrossEntropy(h, w, y, { reduction: 'none', extras: true });
  const got: Record<string, number[]> = {};
  for (const name of ['loss', 'labelLogProb', 'lse', 'entropy', 'argmax', 'correct', 'invalidLabels'] as const) got[name] = Array.from(await out[name]!.read());
  out.dispose();
  for (const t of [h, w, y]) t.destroy();
  return got;
}

/** warmup() with linear options compiles every pipeline a call with those options then uses. */
async function linearWarmup(extra: Record<string, unknown> = {}): Promise<{ warmed: number; afterCall: number }> {
  const c = await WebGPULoss.create({ device: ctx.device });
  const opts = { grad: true, labelSmoothing: 0.1, weight: [1, 2, 1, 1], ...extra };
  await c.warmup({ crossEntropy: [], linearCrossEntropy: [{ ...opts, bias: true }] });
  const warmed = c.stats().pipelines;
  const rng = mulberry32(3);
  const out = await c.linearCrossEntropy({ data: randn(rng, 6, 1), shape: [2, 3] }, { data: randn(rng, 12, 1), shape: [4, 3] },
    { data: new Int32Array([0, 3]), shape: [2] }, { ...opts, bias: { data: randn(rng, 4, 1), shape: [4] } });
  await out.loss.read();
  const afterCall = c.stats().pipelines;
  c.dispose();
  return { warmed, afterCall };
}

export const handlers = { linearCheck, linearBadInput, linearGpuLabels, linearGpuLabelsExtras, linearWarmup };
