// Host side of demo/mlp.wgsl: a 2 → H → H → K classifier trained full-batch on the GPU. The
// forward pass, backward pass and SGD are the demo's own kernels; the loss and d loss / d logits
// come from webgpu-loss's fused crossEntropy, reading the logits buffer in place (wl.wrap) and
// writing the gradient into our buffer (gradOut). Nothing is read back inside a step: the host
// reads once per displayed frame (loss of every step of the frame, accuracy, decision regions).
import type { WebGPULoss, GpuTensor } from '../src/index';
import { mulberry32, normal } from '../src/reference/random';
import type { Dataset } from './data';
import code from './mlp.wgsl?raw';

export type Activation = 'tanh' | 'relu';

export interface MlpSpec {
  hidden: number;
  classes: number;
  activation: Activation;
  lr: number;
  momentum: number;
  seed: number;
}

/** What one frame's readback brings. */
export interface FrameResult {
  /** Mean cross-entropy (nats) of each step run this frame, in order. */
  losses: Float32Array;
  /**
   * Training accuracy from the library's extras: of the frame's last step (its forward pass), or
   * of the current model when the frame runs no step.
   */
  accuracy: number;
  /** [grid², classes] softmax probabilities over the plot (row 0 = top-left). */
  gridProbs: Float32Array;
  /** Wall time of the frame's steps, until the GPU finished them (ms). */
  stepsMs: number;
  /** Wall time of the grid evaluation and the readback (ms). */
  readbackMs: number;
}

const ACT = { none: 0, tanh: 1, relu: 2 } as const;
const SLOT = 256; // uniform slot per dispatch (the largest minUniformBufferOffsetAlignment)
const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
/** Grid of the decision-region plot: GRID × GRID points over [-1.1, 1.1]². */
export const GRID = 72;
export const EXTENT = 1.1;
/** Most steps one frame may run (the loss of each goes to the loss-history buffer). */
export const MAX_STEPS_PER_FRAME = 512;

interface LayerDims {
  nIn: number;
  nOut: number;
  in4: number;
  out4: number;
  /** Offsets in vec4s. */
  wOff: number;
  bOff: number;
  act: number;
}

type Entry = 'forward' | 'backward_input' | 'backward_params' | 'sgd';
/** A pipeline: an entry point, for a hidden layer or (`.logits`, SCALAR_OUT) the logits layer. */
type Kernel = Entry | `${Exclude<Entry, 'sgd'>}.logits`;
const KERNELS: Kernel[] = ['forward', 'backward_input', 'backward_params', 'sgd', 'forward.logits', 'backward_input.logits', 'backward_params.logits'];
const pipelineCache = new WeakMap<GPUDevice, Promise<Record<Kernel, GPUComputePipeline>>>();

/** Compiles (once per device) every kernel of mlp.wgsl. */
function pipelines(device: GPUDevice): Promise<Record<Kernel, GPUComputePipeline>> {
  let p = pipelineCache.get(device);
  if (!p) {
    const module = device.createShaderModule({ label: 'demo:mlp', code });
    const make = (k: Kernel) => {
      const [entryPoint, logits] = k.split('.');
      return device.createComputePipelineAsync({
        label: `demo:mlp:${k}`, layout: 'auto', compute: { module, entryPoint, constants: { SCALAR_OUT: logits ? 1 : 0 } },
      });
    };
    p = Promise.all(KERNELS.map(make)).then((list) => Object.fromEntries(KERNELS.map((k, i) => [k, list[i]])) as Record<Kernel, GPUComputePipeline>);
    pipelineCache.set(device, p);
  }
  return p;
}

/** He (ReLU) or Xavier (tanh) normal initialisation, seeded; biases and padding 0. Wᵀ layout. */
function initParams(layers: LayerDims[], floats: number, spec: MlpSpec): Float32Array {
  const rng = mulberry32(spec.seed);
  const p = new Float32Array(floats);
  for (const l of layers) {
    const std = spec.activation === 'relu' && l.act !== ACT.none ? Math.sqrt(2 / l.nIn) : Math.sqrt(1 / l.nIn);
    for (let i = 0; i < l.nIn; i++) {
      for (let j = 0; j < l.nOut; j++) p[4 * (l.wOff + i * l.out4) + j] = std * normal(rng);
    }
  }
  return p;
}

const ceil4 = (n: number) => Math.ceil(n / 4);

export class Mlp {
  readonly rows: number;
  readonly classes: number;
  steps = 0;
  private readonly device: GPUDevice;
  private readonly buffers: GPUBuffer[] = [];
  private readonly uniforms: GPUBuffer;
  private readonly layers: LayerDims[];
  /** Parameter vec4s (padding included). */
  private readonly paramCount4: number;
  private readonly logits: GpuTensor;
  private readonly labels: GpuTensor;
  private readonly dlogits: GpuTensor;
  private readonly lossHistory: GPUBuffer;
  private readonly staging: GPUBuffer;
  private readonly gridLogits: GPUBuffer;
  private readonly bufs: Record<'params' | 'grads' | 'velocity' | 'x' | 'h1' | 'h2' | 'logits' | 'dlogits' | 'd1' | 'd2' | 'gx' | 'gh1' | 'gh2', GPUBuffer>;
  private trainPasses: (enc: GPUCommandEncoder) => void = () => {};
  private backwardPasses: (enc: GPUCommandEncoder) => void = () => {};
  private gridPasses: (enc: GPUCommandEncoder) => void = () => {};
  private readonly spec: MlpSpec;
  private destroyed = false;

  private constructor(private readonly wl: WebGPULoss, readonly data: Dataset, spec: MlpSpec) {
    this.spec = { ...spec };
    this.device = wl.device;
    const { hidden: H, classes: K } = spec;
    if (H % 4 !== 0) throw new Error(`hidden width ${H} must be a multiple of 4`);
    this.rows = data.rows;
    this.classes = K;
    const dims: [number, number, number][] = [[2, H, ACT[spec.activation]], [H, H, ACT[spec.activation]], [H, K, ACT.none]];
    let off = 0;
    this.layers = dims.map(([nIn, nOut, act]) => {
      const in4 = ceil4(nIn);
      const out4 = ceil4(nOut);
      const l = { nIn, nOut, in4, out4, act, wOff: off, bOff: off + 4 * in4 * out4 };
      off = l.bOff + out4;
      return l;
    });
    this.paramCount4 = off;
    const N = this.rows;
    const G2 = GRID * GRID;
    const buf = (label: string, floats: number, usage = S) => {
      const b = this.device.createBuffer({ label: `demo:${label}`, size: Math.max(16, Math.ceil(floats / 4) * 16), usage });
      this.buffers.push(b);
      return b;
    };
    const write = (b: GPUBuffer, a: Float32Array | Int32Array) => this.device.queue.writeBuffer(b, 0, a.buffer, a.byteOffset, a.byteLength);
    const params = buf('params', 4 * off);
    write(params, initParams(this.layers, 4 * off, spec));
    const grads = buf('grads', 4 * off);
    const velocity = buf('velocity', 4 * off);
    // Inputs padded from 2 to 4 columns.
    const x = buf('x', N * 4);
    const xp = new Float32Array(N * 4);
    for (let n = 0; n < N; n++) xp.set(data.x.subarray(2 * n, 2 * n + 2), 4 * n);
    write(x, xp);
    const h1 = buf('h1', N * H);
    const h2 = buf('h2', N * H);
    const logits = buf('logits', N * K);
    const dlogits = buf('dlogits', N * K);
    const d2 = buf('d2', N * H);
    const d1 = buf('d1', N * H);
    const labels = buf('labels', N);
    write(labels, data.y);
    this.lossHistory = buf('lossHistory', MAX_STEPS_PER_FRAME);

    // The plot grid, row 0 at the top: (x, y) at cell centres over [-EXTENT, EXTENT]².
    const gx = buf('gridX', G2 * 4);
    const grid = new Float32Array(G2 * 4);
    for (let r = 0; r < GRID; r++) {
      for (let c = 0; c < GRID; c++) {
        grid[4 * (r * GRID + c)] = -EXTENT + (2 * EXTENT * (c + 0.5)) / GRID;
        grid[4 * (r * GRID + c) + 1] = EXTENT - (2 * EXTENT * (r + 0.5)) / GRID;
      }
    }
    write(gx, grid);
    const gh1 = buf('gridH1', G2 * H);
    const gh2 = buf('gridH2', G2 * H);
    this.gridLogits = buf('gridLogits', G2 * K);
    this.staging = buf('staging', MAX_STEPS_PER_FRAME + N + G2 * K, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);

    // The library reads our logits and labels where they are and writes d loss / d logits to ours.
    this.logits = wl.wrap(logits, [N, K]);
    this.labels = wl.wrap(labels, [N], 'int32');
    this.dlogits = wl.wrap(dlogits, [N, K]);

    this.uniforms = buf('uniforms', (SLOT / 4) * 7, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.bufs = { params, grads, velocity, x, h1, h2, logits, dlogits, d1, d2, gx, gh1, gh2 };
  }

  static async create(wl: WebGPULoss, data: Dataset, spec: MlpSpec): Promise<Mlp> {
    const m = new Mlp(wl, data, spec);
    await m.build();
    return m;
  }

  /** Sets the learning rate (takes effect from the next step; ordered on the queue). */
  setLearningRate(lr: number): void {
    this.spec.lr = lr;
    this.writeUniforms();
  }

  /** One uniform block per (layer, batch): 0-2 training layers, 3-5 grid layers, 6 sgd. */
  private writeUniforms(): void {
    const N = this.rows;
    const G2 = GRID * GRID;
    const [l1, l2, l3] = this.layers;
    const slots: { rows: number; l: LayerDims; actIn: number }[] = [
      { rows: N, l: l1, actIn: ACT.none }, { rows: N, l: l2, actIn: l1.act }, { rows: N, l: l3, actIn: l2.act },
      { rows: G2, l: l1, actIn: ACT.none }, { rows: G2, l: l2, actIn: l1.act }, { rows: G2, l: l3, actIn: l2.act },
      { rows: 0, l: l1, actIn: ACT.none },
    ];
    const bytes = new ArrayBuffer(SLOT * slots.length);
    slots.forEach(({ rows, l, actIn }, i) => {
      const u = new Uint32Array(bytes, i * SLOT, 12);
      const f = new Float32Array(bytes, i * SLOT, 12);
      u.set([rows, l.nOut, l.in4, l.out4, l.act, actIn, l.wOff, l.bOff, 0, this.paramCount4]);
      f[10] = this.spec.lr;
      f[11] = this.spec.momentum;
    });
    this.device.queue.writeBuffer(this.uniforms, 0, bytes);
  }

  /** Compiles the pipelines and records every bind group once; steps only encode passes. */
  private async build(): Promise<void> {
    const pl = await pipelines(this.device);
    this.writeUniforms();
    const b = this.bufs;
    const dev = this.device;
    // A CPU adapter runs a few fat workgroups best; a GPU wants many.
    const cap = this.wl.adapter.isFallback ? 16 : 4096;
    const groups = (total: number) => Math.max(1, Math.min(Math.ceil(total / 64), cap));
    // Each entry point binds every role it names; roles a dispatch does not use get a placeholder
    // (one per binding, so no two writable bindings alias).
    const unused = new Map<number, GPUBuffer>();
    const dummy = (k: number) => {
      let d = unused.get(k);
      if (!d) {
        d = dev.createBuffer({ label: `demo:unused${k}`, size: 16, usage: GPUBufferUsage.STORAGE });
        this.buffers.push(d);
        unused.set(k, d);
      }
      return d;
    };
    // The storage bindings each entry point names in mlp.wgsl (both sides of SCALAR_OUT: the
    // 'auto' layout is taken before the override removes a branch).
    const roles = { forward: [1, 2, 3, 8], backward_input: [1, 2, 4, 5, 9], backward_params: [2, 4, 6, 9], sgd: [1, 6, 7] };
    const ROLES = (k: Kernel) => roles[k.split('.')[0] as Entry];
    const bind = (k: Kernel, slot: number, entries: Record<number, GPUBuffer>) => ({
      kernel: k,
      group: dev.createBindGroup({
        label: `demo:${k}:${slot}`,
        layout: pl[k].getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms, offset: slot * SLOT, size: 48 } },
          ...ROLES(k).map((r) => ({ binding: r, resource: { buffer: entries[r] ?? dummy(r) } })),
        ],
      }),
    });
    const pass = (enc: GPUCommandEncoder, b: { kernel: Kernel; group: GPUBindGroup }, wg: number) => {
      const c = enc.beginComputePass({ label: b.group.label });
      c.setPipeline(pl[b.kernel]);
      c.setBindGroup(0, b.group);
      c.dispatchWorkgroups(wg);
      c.end();
    };
    const [l1, l2, l3] = this.layers;
    const N = this.rows;
    const G2 = GRID * GRID;
    // Forward (training points and the plot grid): x → h1 → h2 → logits.
    const fw = [bind('forward', 0, { 1: b.params, 2: b.x, 3: b.h1 }), bind('forward', 1, { 1: b.params, 2: b.h1, 3: b.h2 }),
      bind('forward.logits', 2, { 1: b.params, 2: b.h2, 8: b.logits })];
    const gfw = [bind('forward', 3, { 1: b.params, 2: b.gx, 3: b.gh1 }), bind('forward', 4, { 1: b.params, 2: b.gh1, 3: b.gh2 }),
      bind('forward.logits', 5, { 1: b.params, 2: b.gh2, 8: this.gridLogits })];
    // Backward: layer 3 from d logits (the library's gradient), then layers 2 and 1.
    const bp3 = bind('backward_params.logits', 2, { 2: b.h2, 9: b.dlogits, 6: b.grads });
    const bi3 = bind('backward_input.logits', 2, { 1: b.params, 2: b.h2, 9: b.dlogits, 5: b.d2 });
    const bp2 = bind('backward_params', 1, { 2: b.h1, 4: b.d2, 6: b.grads });
    const bi2 = bind('backward_input', 1, { 1: b.params, 2: b.h1, 4: b.d2, 5: b.d1 });
    const bp1 = bind('backward_params', 0, { 2: b.x, 4: b.d1, 6: b.grads });
    const sgd = bind('sgd', 6, { 1: b.params, 6: b.grads, 7: b.velocity });
    const fwd = (enc: GPUCommandEncoder, bgs: typeof fw, rows: number) =>
      this.layers.forEach((l, i) => pass(enc, bgs[i], groups(rows * l.out4)));
    const params = (l: LayerDims) => groups(l.in4 * l.out4 + l.out4);

    this.trainPasses = (enc) => fwd(enc, fw, N);
    this.backwardPasses = (enc) => {
      pass(enc, bp3, params(l3));
      pass(enc, bi3, groups(N * l3.in4));
      pass(enc, bp2, params(l2));
      pass(enc, bi2, groups(N * l2.in4));
      pass(enc, bp1, params(l1));
      pass(enc, sgd, groups(this.paramCount4));
    };
    this.gridPasses = (enc) => fwd(enc, gfw, G2);
  }

  /**
   * Runs `n` training steps and one readback. Per step: our forward (1 submit), the library's
   * fused cross-entropy with its gradient into our d logits buffer (1 submit), our backward + SGD
   * and a 4-byte copy of the step's loss into the history buffer (1 submit). No CPU round trip.
   */
  async frame(n: number, onError: (e: unknown) => void): Promise<FrameResult> {
    if (this.destroyed) throw new Error('model was reset');
    n = Math.max(0, Math.min(MAX_STEPS_PER_FRAME, Math.floor(n)));
    const dev = this.device;
    const N = this.rows;
    const K = this.classes;
    const t0 = performance.now();
    let correct: GpuTensor | undefined;
    for (let s = 0; s < n; s++) {
      let enc = dev.createCommandEncoder({ label: 'demo:forward' });
      this.trainPasses(enc);
      dev.queue.submit([enc.finish()]);
      const last = s === n - 1;
      const out = await this.wl.crossEntropy(this.logits, this.labels, { gradOut: this.dlogits, extras: last });
      out.loss.ready.catch(onError);
      enc = dev.createCommandEncoder({ label: 'demo:backward' });
      enc.copyBufferToBuffer(out.loss.buffer, out.loss.offset, this.lossHistory, s * 4, 4);
      this.backwardPasses(enc);
      dev.queue.submit([enc.finish()]);
      // Freed once the queued work that uses them has run (WebGPU defers the destroy).
      out.loss.destroy();
      out.invalidLabels?.destroy();
      if (last) {
        correct = out.correct;
        for (const t of [out.lse, out.argmax, out.labelLogProb, out.entropy]) t?.destroy();
      }
      this.steps++;
    }
    if (n === 0) {
      // No step: still measure the current model's accuracy (forward + the library's extras).
      const enc = dev.createCommandEncoder({ label: 'demo:forward' });
      this.trainPasses(enc);
      dev.queue.submit([enc.finish()]);
      const out = await this.wl.crossEntropy(this.logits, this.labels, { extras: true });
      out.loss.ready.catch(onError);
      correct = out.correct;
      for (const t of [out.loss, out.invalidLabels, out.lse, out.argmax, out.labelLogProb, out.entropy]) t?.destroy();
    }
    await dev.queue.onSubmittedWorkDone();
    const t1 = performance.now();

    // The frame's one readback: step losses, per-row hits, decision-region probabilities.
    let enc = dev.createCommandEncoder({ label: 'demo:grid' });
    this.gridPasses(enc);
    dev.queue.submit([enc.finish()]);
    const probs = await this.wl.softmax(this.wl.wrap(this.gridLogits, [GRID * GRID, K]));
    probs.ready.catch(onError);
    enc = dev.createCommandEncoder({ label: 'demo:readback' });
    const G2K = GRID * GRID * K;
    if (n > 0) enc.copyBufferToBuffer(this.lossHistory, 0, this.staging, 0, n * 4);
    if (correct) enc.copyBufferToBuffer(correct.buffer, correct.offset, this.staging, MAX_STEPS_PER_FRAME * 4, N * 4);
    enc.copyBufferToBuffer(probs.buffer, probs.offset, this.staging, (MAX_STEPS_PER_FRAME + N) * 4, G2K * 4);
    dev.queue.submit([enc.finish()]);
    probs.destroy();
    correct?.destroy();
    await this.staging.mapAsync(GPUMapMode.READ);
    const all = this.staging.getMappedRange();
    const losses = new Float32Array(all, 0, n).slice();
    const hits = new Int32Array(all, MAX_STEPS_PER_FRAME * 4, N);
    let acc = 0;
    for (let i = 0; i < N; i++) acc += hits[i];
    const gridProbs = new Float32Array(all, (MAX_STEPS_PER_FRAME + N) * 4, G2K).slice();
    this.staging.unmap();
    return { losses, accuracy: correct ? acc / N : NaN, gridProbs, stepsMs: t1 - t0, readbackMs: performance.now() - t1 };
  }

  destroy(): void {
    this.destroyed = true;
    for (const b of this.buffers) b.destroy();
  }
}
