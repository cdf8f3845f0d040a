// Benchmark page of the fused linear cross-entropy (loss + gradients w.r.t. hidden and weight,
// and with `fused-frozen` the frozen head's loss + gradient w.r.t. hidden only),
// beside the unfused path (a plain WGSL matmul writing the N×V logits, this library's
// crossEntropy with grad: true, then two plain matmuls for dH and dW; `unfused-frozen`: the dH
// matmul only) and TensorFlow.js on WebGPU (matMul then losses.softmaxCrossEntropy on a dense
// float32 one-hot made in the call, under valueAndGrads; `tfjs-webgpu-frozen`: valueAndGrad over
// the hidden states with W constant). Driven by scripts/bench-linear.mjs.
// `fused-filter`: the fused op with gradFilter (ε from the options, 2^-12 by default), best with
// `peak` (hidden rows peak·W[y]/|W[y]|² + noise: the label's logit ~peak above the rest, a trained
// model's softmax); its result records the skipped tiles and its distance from the exact fused op's.
// `jsd-fused`, `jsd-frozen`, `jsd-unfused`: the same for linearJsDivergence (jsdImpl below).
//
// Timing: wall time of one call awaited through the loss readback and onSubmittedWorkDone (so the
// gradients are finished too), median over warm calls; the first call (pipeline compilation) apart.
// Memory: the peak, for every path alike (bench/peak-memory.ts): the most bytes of GPU buffers the
// call made that were alive at once, its inputs (H, W, labels) not counted; gradients, loss,
// intermediates, uniforms and readback staging counted. Taken on each row's first call;
// TF.js's rows start from a fresh backend (a new device and an empty buffer pool) because its
// pool keeps released buffers, so later calls allocate nothing new and only the first shows the
// path's need. Its one-hot [N, V] is made inside the call and counts.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import { WebGPULoss, GpuTensor } from '../src/index';
import { mulberry32, normal, randomLabels } from '../src/reference/random';
import { peakDuring } from './peak-memory';
import { linearRatios, type LinearRatios } from './linear-ratios';
import matmulWgsl from './linear-matmul.wgsl?raw';

interface Shape { n: number; d: number; v: number }
interface ImplResult {
  impl: string;
  firstMs: number;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  iters: number;
  loss: number;
  /** Peak bytes of the buffers the first timed call made (bench/peak-memory.ts). */
  peakBytes: number;
  /** The same over the later calls: below peakBytes where a pool or cache kept buffers. */
  peakBytesWarm: number;
  /** Bytes the first call made and left alive (TF.js: what its pool kept). */
  liveBytesAfter: number;
  largestBuffer: number;
  /** The fused rows: the bytes of intermediates the library itself reports (out.scratchBytes). */
  scratchBytes?: number;
  /** TF.js rows, from its own accounting over the first call: growth of tf.memory().numBytesAllocatedInGPU, and the most bytes its buffer manager had in use (numBytesInGPU) above the start. */
  tfMemory?: { allocatedGrowth: number; inUsePeak: number };
  /** fused-filter: tiles of the logit gradient skipped, of all. */
  skippedTiles?: number;
  tiles?: number;
}
/** Options of a run beyond the shape: a peaked softmax and the filter's ε. */
export interface LinearBenchOptions { peak?: number; filterEps?: number }
export interface LinearBenchResult {
  shape: Shape;
  logitsBytes: number;
  /** Bytes of the gradients a call must return: dH + dW (trainable), dH (frozen). */
  gradientBytes: { trainable: number; frozen: number };
  results: ImplResult[];
  ratios: LinearRatios;
  /** Fused against unfused: largest |a − b| / max |b| of each gradient, and the losses' relative difference (fused-filter against fused: *Filtered). */
  agreement: Record<string, number>;
  options?: LinearBenchOptions;
}

let wl: WebGPULoss;

function randn(rng: () => number, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => normal(rng) * scale);
}

/** The baseline's matmul pipeline, made once. */
let mm: { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } | undefined;
function matmulPipeline(device: GPUDevice) {
  if (!mm) {
    const module = device.createShaderModule({ code: matmulWgsl, label: 'bench:matmul' });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: 'bench:matmul' });
    mm = { pipeline, layout: pipeline.getBindGroupLayout(0) };
  }
  return mm;
}

function matmul(enc: GPUCommandEncoder, device: GPUDevice, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer,
  dims: { m: number; n: number; k: number; ai: number; ak: number; bk: number; bj: number }, bias?: GPUBuffer): GPUBuffer[] {
  const { pipeline, layout } = matmulPipeline(device);
  const u = device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(u, 0, new Uint32Array([dims.m, dims.n, dims.k, bias ? 1 : 0, dims.ai, dims.ak, dims.bk, dims.bj]));
  const dummy = bias ?? device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
  const bg = device.createBindGroup({ layout, entries: [
    { binding: 0, resource: { buffer: u } }, { binding: 1, resource: { buffer: a } }, { binding: 2, resource: { buffer: b } },
    { binding: 3, resource: { buffer: dummy } }, { binding: 4, resource: { buffer: c } }] });
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bg);
  // A CPU adapter gets 16 workgroups (grid-stride), as the library's direct tiles.
  const groups = Math.ceil((Math.ceil(dims.m / 4) * Math.ceil(dims.n / 4)) / 64);
  pass.dispatchWorkgroups(wl.adapter.isFallback ? Math.min(16, groups) : Math.min(65535, groups));
  pass.end();
  return bias ? [u] : [u, dummy]; // the caller destroys these once the work is submitted
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

type Call = () => Promise<{ loss: number; scratchBytes?: number }>;

/** Times `once` (the first call apart, then warm calls up to maxIters or budgetMs) and takes each call's peak memory on `device`. */
async function timeIt(impl: string, device: GPUDevice, once: Call, maxIters: number, budgetMs: number): Promise<ImplResult> {
  let t = performance.now();
  const first = await peakDuring(device, once);
  const firstMs = performance.now() - t;
  const times: number[] = [];
  let peakBytesWarm = 0;
  let last = first.value;
  for (let i = 0; i < maxIters; i++) {
    t = performance.now();
    const m = await peakDuring(device, once);
    times.push(performance.now() - t);
    peakBytesWarm = Math.max(peakBytesWarm, m.peakBytes);
    last = m.value;
    if (times.reduce((a, b) => a + b, 0) > budgetMs) break;
  }
  return {
    impl, firstMs, medianMs: median(times), p10Ms: pct(times, 0.1), p90Ms: pct(times, 0.9), iters: times.length, ...last,
    peakBytes: first.peakBytes, peakBytesWarm, liveBytesAfter: first.liveBytesAfter, largestBuffer: first.largestBuffer,
  };
}

/** The parts of TF.js's WebGPU backend read here (not in its public types). */
interface TfWebGpuBackend {
  device: GPUDevice;
  uploadToGPU(dataId: object): void;
  bufferManager: { numBytesUsed: number; acquireBuffer: (...args: unknown[]) => GPUBuffer };
}

/** TF.js's WebGPU backend made anew (a new device, an empty buffer pool), so a first call's allocations are its path's own. */
async function freshTfBackend(): Promise<TfWebGpuBackend> {
  const factory = tf.findBackendFactory('webgpu');
  if (!factory) throw new Error('TF.js has no webgpu backend registered');
  const old = tf.findBackend('webgpu') as unknown as TfWebGpuBackend | null;
  tf.removeBackend('webgpu'); // frees its buffers, pooled ones too
  old?.device.destroy();
  tf.registerBackend('webgpu', factory, 3);
  if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not start its webgpu backend');
  await tf.ready();
  return tf.backend() as unknown as TfWebGpuBackend;
}

async function run(shape: Shape, impls: string[], maxIters: number, budgetMs: number, opts: LinearBenchOptions = {}): Promise<LinearBenchResult> {
  const { n: N, d: D, v: V } = shape;
  const rng = mulberry32(42);
  const H = randn(rng, N * D, 1);
  const W = randn(rng, V * D, 1 / Math.sqrt(D));
  const y = randomLabels(rng, N, V);
  if (opts.peak) {
    for (let r = 0; r < N; r++) {
      let sq = 0;
      for (let k = 0; k < D; k++) sq += W[y[r] * D + k] ** 2;
      for (let k = 0; k < D; k++) H[r * D + k] = 0.1 * H[r * D + k] + opts.peak * W[y[r] * D + k] / sq;
    }
  }
  const filterEps = opts.filterEps ?? 2 ** -12;
  const dev = wl.device;
  const Ht = wl.tensor(H, [N, D]);
  const Wt = wl.tensor(W, [V, D]);
  const yt = wl.tensor(y, [N]);
  const results: ImplResult[] = [];
  const agreement: Record<string, number> = {};
  const keep: Record<string, { loss: number; dH: Float32Array; dW: Float32Array }> = {};
  let skipped: { skippedTiles: number; tiles: number } | undefined;

  // frozenHead: the loss and dH only (a LoRA-style step with the classifier fixed). filter: gradFilter ε.
  const fused = async (keepGrads = false, frozenHead = false, filter = false) => {
    const o = filter ? { grad: true, gradFilter: filterEps, filterMask: keepGrads } : { grad: true, frozenHead };
    const out = await wl.linearCrossEntropy(Ht, Wt, yt, o);
    const [loss] = await out.loss.read();
    await dev.queue.onSubmittedWorkDone();
    if (keepGrads) keep[filter ? 'filtered' : 'fused'] = { loss, dH: (await out.gradHidden!.read()) as Float32Array, dW: (await out.gradWeight!.read()) as Float32Array };
    if (out.gradFilterLive) {
      const m = await out.gradFilterLive.read();
      skipped = { skippedTiles: m.filter((x) => x === 0).length, tiles: m.length };
    }
    for (const t of [out.loss, out.gradHidden, out.gradWeight, out.gradFilterLive]) t?.destroy();
    return { loss, scratchBytes: out.scratchBytes };
  };

  // frozen: the logits, crossEntropy's gradient and the dH matmul only.
  const unfused = async (keepGrads = false, frozen = false) => {
    const step = await unfusedStep(Ht, Wt, N, D, V, frozen, (logits) => wl.crossEntropy(logits, yt, { grad: true }));
    if (keepGrads) keep.unfused = { loss: step.loss, dH: (await step.dH.read()) as Float32Array, dW: (await step.dW!.read()) as Float32Array };
    step.free();
    return { loss: step.loss };
  };

  // One TF.js row on a fresh backend: H, W and the labels uploaded before the timed calls (inputs);
  // each call makes the one-hot, the loss and the gradients and frees them.
  const tfjsRow = async (impl: string, frozen: boolean): Promise<ImplResult> => {
    const backend = await freshTfBackend();
    const device = backend.device;
    const h = tf.tensor2d(H, [N, D]);
    const w = tf.tensor2d(W, [V, D]);
    const labels = tf.tensor1d(y, 'int32');
    for (const t of [h, w, labels]) backend.uploadToGPU(t.dataId);
    await device.queue.onSubmittedWorkDone();
    const lossOf = (onehot: tf.Tensor, hh: tf.Tensor, ww: tf.Tensor) => tf.losses.softmaxCrossEntropy(onehot, tf.matMul(hh, ww, false, true)) as tf.Scalar;
    let tfMemory: ImplResult['tfMemory'];
    const once = async () => {
      // The first call also reads TF.js's own accounting: its allocation growth and its in-use peak (sampled at each buffer it acquires).
      const bm = backend.bufferManager;
      const acquire = bm.acquireBuffer;
      const usedAtStart = bm.numBytesUsed;
      const allocatedAtStart = (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU ?? NaN;
      let inUsePeak = 0;
      if (!tfMemory) {
        bm.acquireBuffer = (...args: unknown[]) => {
          const b = acquire.apply(bm, args);
          inUsePeak = Math.max(inUsePeak, bm.numBytesUsed - usedAtStart);
          return b;
        };
      }
      try {
        const onehot = tf.oneHot(labels, V, 1, 0, 'float32');
        let value: tf.Scalar;
        let grads: tf.Tensor[];
        if (frozen) {
          const r = tf.valueAndGrad((hh: tf.Tensor) => lossOf(onehot, hh, w))(h);
          value = r.value as tf.Scalar;
          grads = [r.grad];
        } else {
          const r = tf.valueAndGrads((hh: tf.Tensor, ww: tf.Tensor) => lossOf(onehot, hh, ww))([h, w]);
          value = r.value as tf.Scalar;
          grads = r.grads;
        }
        const [loss] = await value.data(); // submits the gradients' work too
        await device.queue.onSubmittedWorkDone();
        for (const t of [onehot, value, ...grads]) t.dispose();
        return { loss };
      } finally {
        if (!tfMemory) {
          bm.acquireBuffer = acquire;
          const allocated = (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU ?? NaN;
          tfMemory = { allocatedGrowth: allocated - allocatedAtStart, inUsePeak };
        }
      }
    };
    try {
      const r = await timeIt(impl, device, once, Math.min(maxIters, 3), budgetMs);
      return { ...r, tfMemory };
    } finally {
      for (const t of [h, w, labels]) t.dispose();
    }
  };

  for (const impl of impls) {
    if (impl === 'fused') {
      results.push(await timeIt('fused', dev, () => fused(), maxIters, budgetMs));
      await fused(true);
    } else if (impl === 'fused-filter') {
      results.push(await timeIt('fused-filter', dev, () => fused(false, false, true), maxIters, budgetMs));
      await fused(true, false, true);
      results[results.length - 1] = { ...results[results.length - 1], ...skipped };
    } else if (impl === 'fused-frozen') {
      results.push(await timeIt('fused-frozen', dev, () => fused(false, true), maxIters, budgetMs));
    } else if (impl === 'unfused') {
      results.push(await timeIt('unfused', dev, () => unfused(), maxIters, budgetMs));
      await unfused(true);
    } else if (impl === 'unfused-frozen') {
      results.push(await timeIt('unfused-frozen', dev, () => unfused(false, true), maxIters, budgetMs));
    } else if (impl === 'fused-forward') {
      // Diagnostic: the loss alone (one logit pass), to split the fused time into forward and backward.
      const fwd = async () => {
        const out = await wl.linearCrossEntropy(Ht, Wt, yt, {});
        const [loss] = await out.loss.read();
        out.loss.destroy();
        return { loss, scratchBytes: out.scratchBytes };
      };
      results.push(await timeIt('fused-forward', dev, fwd, maxIters, budgetMs));
    } else if (impl === 'tfjs-webgpu' || impl === 'tfjs-webgpu-frozen') {
      results.push(await tfjsRow(impl, impl === 'tfjs-webgpu-frozen'));
    } else if (impl.startsWith('jsd-')) {
      results.push(await jsdImpl(impl, Ht, Wt, shape, maxIters, budgetMs));
    } else {
      throw new Error(`unknown impl ${impl}`);
    }
  }
  const rel = (a: Float32Array, b: Float32Array) => {
    let m = 0;
    let e = 0;
    for (let i = 0; i < b.length; i++) {
      m = Math.max(m, Math.abs(b[i]));
      e = Math.max(e, Math.abs(a[i] - b[i]));
    }
    return e / m;
  };
  if (keep.fused && keep.filtered) {
    agreement.gradHiddenFiltered = rel(keep.filtered.dH, keep.fused.dH);
    agreement.gradWeightFiltered = rel(keep.filtered.dW, keep.fused.dW);
  }
  if (keep.fused && keep.unfused) {
    agreement.loss = Math.abs(keep.fused.loss - keep.unfused.loss) / Math.abs(keep.unfused.loss);
    agreement.gradHidden = rel(keep.fused.dH, keep.unfused.dH);
    agreement.gradWeight = rel(keep.fused.dW, keep.unfused.dW);
  }
  for (const t of [Ht, Wt, yt]) t.destroy();
  void GpuTensor;
  const gradientBytes = { trainable: (N * D + V * D) * 4, frozen: N * D * 4 };
  return { shape, logitsBytes: N * V * 4, gradientBytes, results, ratios: linearRatios(results), agreement, options: opts };
}

/**
 * The unfused path of a loss over H·Wᵀ: a plain matmul writes the [N, V] logits, `loss` (the
 * library's row loss with grad) gives their gradient, then plain matmuls give dH (and dW unless
 * `frozen`). Awaited through the loss readback and onSubmittedWorkDone; `free()` frees it all.
 */
async function unfusedStep(Ht: GpuTensor, Wt: GpuTensor, N: number, D: number, V: number, frozen: boolean,
  loss: (logits: GpuTensor) => Promise<{ loss: GpuTensor; grad?: GpuTensor; dispose(): void }>) {
  const dev = wl.device;
  const logits = dev.createBuffer({ size: N * V * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const dH = wl.empty([N, D]);
  const dW = frozen ? undefined : wl.empty([V, D]);
  let enc = dev.createCommandEncoder();
  const made = matmul(enc, dev, Ht.buffer, Wt.buffer, logits, { m: N, n: V, k: D, ai: D, ak: 1, bk: 1, bj: D });
  dev.queue.submit([enc.finish()]);
  const out = await loss(wl.wrap(logits, [N, V]));
  enc = dev.createCommandEncoder();
  const g = out.grad!.buffer;
  made.push(...matmul(enc, dev, g, Wt.buffer, dH.buffer, { m: N, n: D, k: V, ai: V, ak: 1, bk: D, bj: 1 }));
  if (dW) made.push(...matmul(enc, dev, g, Ht.buffer, dW.buffer, { m: V, n: D, k: N, ai: 1, ak: V, bk: D, bj: 1 }));
  dev.queue.submit([enc.finish()]);
  const [value] = await out.loss.read();
  await dev.queue.onSubmittedWorkDone();
  const free = () => {
    out.dispose();
    for (const t of [dH, dW]) t?.destroy();
    for (const b of [logits, ...made]) b.destroy();
  };
  return { loss: value, dH, dW, free };
}

// linearJsDivergence rows: `jsd-fused` (grad), `jsd-frozen` (frozenHead: dH only) and
// `jsd-unfused` (the plain matmul writing the student's [N, V] logits, jsDivergence with grad,
// then the two plain matmuls for dH and dW). Teacher logits: a random [N, V] tensor (std 2).
async function jsdImpl(impl: string, Ht: GpuTensor, Wt: GpuTensor, shape: Shape, maxIters: number, budgetMs: number): Promise<ImplResult> {
  const { n: N, d: D, v: V } = shape;
  const dev = wl.device;
  const Tt = wl.tensor(randn(mulberry32(7), N * V, 2), [N, V]);
  const fused = (frozenHead: boolean) => async () => {
    const out = await wl.linearJsDivergence(Ht, Wt, Tt, { grad: true, frozenHead });
    const [loss] = await out.loss.read();
    await dev.queue.onSubmittedWorkDone();
    out.dispose();
    return { loss };
  };
  const unfused = async () => {
    const step = await unfusedStep(Ht, Wt, N, D, V, false, (logits) => wl.jsDivergence(logits, Tt, { grad: true }));
    step.free();
    return { loss: step.loss };
  };
  try {
    return await timeIt(impl, dev, impl === 'jsd-unfused' ? unfused : fused(impl === 'jsd-frozen'), maxIters, budgetMs);
  } finally {
    Tt.destroy();
  }
}

// Set on window for scripts/bench-linear.mjs (not declared globally: other pages declare their own).
const w = window as unknown as Record<string, unknown>;
w.__bench = run;
w.__ready = (async () => {
  try {
    wl = await WebGPULoss.create();
    const a = wl.adapter;
    return { ok: true, adapter: `${a.vendor} ${a.architecture} ${a.description}${a.isFallback ? ' (fallback)' : ''}` };
  } catch (e) {
    return { ok: false, error: String(e) };
  }
})();
