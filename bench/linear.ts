// Benchmark page of the fused linear cross-entropy (loss + gradients w.r.t. hidden and weight,
// and with `fused-frozen` the frozen head's loss + gradient w.r.t. hidden only),
// beside the unfused path (a plain WGSL matmul writing the N×V logits, this library's
// crossEntropy with grad: true, then two plain matmuls for dH and dW) and TensorFlow.js on WebGPU
// (matMul then losses.softmaxCrossEntropy under valueAndGrads). Driven by scripts/bench-linear.mjs.
// `fused-filter`: the fused op with gradFilter (ε from the options, 2^-12 by default), best with
// `peak` (hidden rows peak·W[y]/|W[y]|² + noise: the label's logit ~peak above the rest, a trained
// model's softmax); its result records the skipped tiles and its distance from the exact fused op's.
// `jsd-fused`, `jsd-frozen`, `jsd-unfused`: the same for linearJsDivergence (jsdImpl below).
//
// Timing: wall time of one call awaited through the loss readback and onSubmittedWorkDone (so the
// gradients are finished too), median over warm calls; the first call (pipeline compilation) apart.
// Memory: bytes of GPU buffers each path makes for the operation beyond its inputs (H, W, labels):
// the intermediates ("scratch") and the total with the gradient outputs.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import { WebGPULoss, GpuTensor } from '../src/index';
import { mulberry32, normal, randomLabels } from '../src/reference/random';
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
  scratchBytes?: number;
  totalBytes?: number;
  largestBuffer?: number;
  /** fused-filter: tiles of the logit gradient skipped, of all. */
  skippedTiles?: number;
  tiles?: number;
}
/** Options of a run beyond the shape: a peaked softmax and the filter's ε. */
export interface LinearBenchOptions { peak?: number; filterEps?: number }
export interface LinearBenchResult {
  shape: Shape;
  logitsBytes: number;
  results: ImplResult[];
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
  dims: { m: number; n: number; k: number; ai: number; ak: number; bk: number; bj: number }, bias?: GPUBuffer): GPUBuffer {
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
  return u;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

async function timeIt(impl: string, once: () => Promise<{ loss: number; scratchBytes?: number; totalBytes?: number; largestBuffer?: number }>, maxIters: number, budgetMs: number): Promise<ImplResult> {
  let t = performance.now();
  const first = await once();
  const firstMs = performance.now() - t;
  const times: number[] = [];
  let last = first;
  for (let i = 0; i < maxIters; i++) {
    t = performance.now();
    last = await once();
    times.push(performance.now() - t);
    if (times.reduce((a, b) => a + b, 0) > budgetMs) break;
  }
  return { impl, firstMs, medianMs: median(times), p10Ms: pct(times, 0.1), p90Ms: pct(times, 0.9), iters: times.length, ...last };
}

/** Records the largest buffer made while `f` runs on `device`. */
async function largestDuring<T>(device: GPUDevice, f: () => Promise<T>): Promise<{ value: T; largest: number }> {
  const orig = device.createBuffer.bind(device);
  let largest = 0;
  device.createBuffer = (d: GPUBufferDescriptor) => {
    largest = Math.max(largest, d.size);
    return orig(d);
  };
  try {
    return { value: await f(), largest };
  } finally {
    device.createBuffer = orig;
  }
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
    const { value: out, largest } = await largestDuring(dev, () => wl.linearCrossEntropy(Ht, Wt, yt, o));
    const [loss] = await out.loss.read();
    await dev.queue.onSubmittedWorkDone();
    if (keepGrads) keep[filter ? 'filtered' : 'fused'] = { loss, dH: (await out.gradHidden!.read()) as Float32Array, dW: (await out.gradWeight!.read()) as Float32Array };
    if (out.gradFilterLive) {
      const m = await out.gradFilterLive.read();
      skipped = { skippedTiles: m.filter((x) => x === 0).length, tiles: m.length };
    }
    const totalBytes = out.scratchBytes + out.gradHidden!.buffer.size + (out.gradWeight?.buffer.size ?? 0) + out.loss.buffer.size;
    for (const t of [out.loss, out.gradHidden, out.gradWeight, out.gradFilterLive]) t?.destroy();
    return { loss, scratchBytes: out.scratchBytes, totalBytes, largestBuffer: largest };
  };

  const unfused = async (keepGrads = false) => {
    const { value, largest } = await largestDuring(dev, async () => {
      const logits = dev.createBuffer({ size: N * V * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const dH = wl.empty([N, D]);
      const dW = wl.empty([V, D]);
      let enc = dev.createCommandEncoder();
      const u1 = matmul(enc, dev, Ht.buffer, Wt.buffer, logits, { m: N, n: V, k: D, ai: D, ak: 1, bk: 1, bj: D });
      dev.queue.submit([enc.finish()]);
      const ce = await wl.crossEntropy(wl.wrap(logits, [N, V]), yt, { grad: true });
      enc = dev.createCommandEncoder();
      const g = ce.grad!.buffer;
      const u2 = matmul(enc, dev, g, Wt.buffer, dH.buffer, { m: N, n: D, k: V, ai: V, ak: 1, bk: D, bj: 1 });
      const u3 = matmul(enc, dev, g, Ht.buffer, dW.buffer, { m: V, n: D, k: N, ai: 1, ak: V, bk: D, bj: 1 });
      dev.queue.submit([enc.finish()]);
      const [loss] = await ce.loss.read();
      await dev.queue.onSubmittedWorkDone();
      const scratchBytes = logits.size + ce.grad!.buffer.size + N * 4 + 16; // logits, dlogits, per-row losses, meta
      const totalBytes = scratchBytes + dH.buffer.size + dW.buffer.size + ce.loss.buffer.size;
      if (keepGrads) keep.unfused = { loss, dH: (await dH.read()) as Float32Array, dW: (await dW.read()) as Float32Array };
      for (const t of [ce.loss, ce.grad, ce.invalidLabels, dH, dW]) t?.destroy();
      for (const b of [logits, u1, u2, u3]) b.destroy();
      return { loss, scratchBytes, totalBytes };
    });
    return { ...value, largestBuffer: largest };
  };

  let tfState: { h: tf.Tensor2D; w: tf.Tensor2D; onehot: tf.Tensor2D; f: (x: tf.Tensor[]) => { value: tf.Scalar; grads: tf.Tensor[] } } | undefined;
  const tfjs = async () => {
    if (!tfState) {
      await tf.setBackend('webgpu');
      await tf.ready();
      const h = tf.tensor2d(H, [N, D]);
      const w = tf.tensor2d(W, [V, D]);
      const onehot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), V), 'float32')) as tf.Tensor2D;
      const f = tf.valueAndGrads((hh: tf.Tensor, ww: tf.Tensor) => tf.losses.softmaxCrossEntropy(onehot, tf.matMul(hh, ww, false, true)) as tf.Scalar) as unknown as (x: tf.Tensor[]) => { value: tf.Scalar; grads: tf.Tensor[] };
      tfState = { h, w, onehot, f };
    }
    const { value, grads } = tfState.f([tfState.h, tfState.w]);
    const [loss] = await value.data();
    await Promise.all(grads.map((g) => g.data())); // the gradients are part of the work (this also reads them back)
    value.dispose();
    for (const g of grads) g.dispose();
    return { loss };
  };

  for (const impl of impls) {
    if (impl === 'fused') {
      await fused(true);
      results.push(await timeIt('fused', () => fused(), maxIters, budgetMs));
    } else if (impl === 'fused-filter') {
      await fused(true, false, true);
      results.push({ ...(await timeIt('fused-filter', () => fused(false, false, true), maxIters, budgetMs)), ...skipped });
    } else if (impl === 'fused-frozen') {
      results.push(await timeIt('fused-frozen', () => fused(false, true), maxIters, budgetMs));
    } else if (impl === 'unfused') {
      await unfused(true);
      results.push(await timeIt('unfused', () => unfused(), maxIters, budgetMs));
    } else if (impl === 'fused-forward') {
      // Diagnostic: the loss alone (one logit pass), to split the fused time into forward and backward.
      const fwd = async () => {
        const out = await wl.linearCrossEntropy(Ht, Wt, yt, {});
        const [loss] = await out.loss.read();
        out.loss.destroy();
        return { loss, scratchBytes: out.scratchBytes };
      };
      results.push(await timeIt('fused-forward', fwd, maxIters, budgetMs));
    } else if (impl === 'tfjs-webgpu') {
      results.push(await timeIt('tfjs-webgpu', tfjs, Math.min(maxIters, 3), budgetMs));
    } else if (impl.startsWith('jsd-')) {
      results.push(await jsdImpl(impl, Ht, Wt, shape, maxIters, budgetMs));
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
  if (tfState) {
    for (const t of [tfState.h, tfState.w, tfState.onehot]) t.dispose();
    tfState = undefined;
  }
  for (const t of [Ht, Wt, yt]) t.destroy();
  void GpuTensor;
  return { shape, logitsBytes: N * V * 4, results, agreement, options: opts };
}

// linearJsDivergence rows: `jsd-fused` (grad), `jsd-frozen` (frozenHead: dH only) and
// `jsd-unfused` (the plain matmul writing the student's [N, V] logits, jsDivergence with grad,
// then the two plain matmuls for dH and dW). Teacher logits: a random [N, V] tensor (std 2).
async function jsdImpl(impl: string, Ht: GpuTensor, Wt: GpuTensor, shape: Shape, maxIters: number, budgetMs: number): Promise<ImplResult> {
  const { n: N, d: D, v: V } = shape;
  const dev = wl.device;
  const Tt = wl.tensor(randn(mulberry32(7), N * V, 2), [N, V]);
  const fused = (frozenHead: boolean) => async () => {
    const { value: out, largest } = await largestDuring(dev, () => wl.linearJsDivergence(Ht, Wt, Tt, { grad: true, frozenHead }));
    const [loss] = await out.loss.read();
    await dev.queue.onSubmittedWorkDone();
    const totalBytes = out.loss.buffer.size + out.gradHidden!.buffer.size + (out.gradWeight?.buffer.size ?? 0);
    out.dispose();
    return { loss, totalBytes, largestBuffer: largest };
  };
  const unfused = async () => {
    const { value, largest } = await largestDuring(dev, async () => {
      const logits = dev.createBuffer({ size: N * V * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const dH = wl.empty([N, D]);
      const dW = wl.empty([V, D]);
      let enc = dev.createCommandEncoder();
      const u1 = matmul(enc, dev, Ht.buffer, Wt.buffer, logits, { m: N, n: V, k: D, ai: D, ak: 1, bk: 1, bj: D });
      dev.queue.submit([enc.finish()]);
      const js = await wl.jsDivergence(wl.wrap(logits, [N, V]), Tt, { grad: true });
      enc = dev.createCommandEncoder();
      const g = js.grad!.buffer;
      const u2 = matmul(enc, dev, g, Wt.buffer, dH.buffer, { m: N, n: D, k: V, ai: V, ak: 1, bk: D, bj: 1 });
      const u3 = matmul(enc, dev, g, Ht.buffer, dW.buffer, { m: V, n: D, k: N, ai: 1, ak: V, bk: D, bj: 1 });
      dev.queue.submit([enc.finish()]);
      const [loss] = await js.loss.read();
      await dev.queue.onSubmittedWorkDone();
      const scratchBytes = logits.size + js.grad!.buffer.size;
      const totalBytes = scratchBytes + dH.buffer.size + dW.buffer.size + js.loss.buffer.size;
      js.dispose();
      for (const t of [dH, dW]) t.destroy();
      for (const b of [logits, u1, u2, u3]) b.destroy();
      return { loss, scratchBytes, totalBytes };
    });
    return { ...value, largestBuffer: largest };
  };
  try {
    return await timeIt(impl, impl === 'jsd-unfused' ? unfused : fused(impl === 'jsd-frozen'), maxIters, budgetMs);
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
