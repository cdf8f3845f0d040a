// The measurement: per shape, fresh inputs and oracle, a fresh library context (so its first call
// compiles), then each implementation: checked against the oracle, then timed. The host (the
// page, or Node on Dawn) says which implementations exist and how to make a context.
import type { WebGPULoss } from '../src/index';
import { engineOf } from '../src/loss';
import { checkResult, checkSum, halfInputs, makeInputs, type Inputs } from './data';
import { bytesFor, derive } from './derive';
import { GpuTimer } from './gpu-timer';
import { resolveImpls } from './impls/resolve';
import type { Env, ImplSpec, Instance } from './impls/types';
import { Skip } from './impls/types';
import type { AdapterSummary, BenchConfig, BenchResults, ImplResult, Progress, Shape, ShapeResult, Timing } from './types';

export interface BenchHost {
  /** Every implementation this host can run; `--impls` picks among them. */
  impls: ImplSpec[];
  /** A fresh library context on a new device (one per shape). */
  createLoss(): Promise<WebGPULoss>;
  /** The browser's user agent, or the runtime and binding. */
  userAgent: string;
  /** Dawn's backend, where the host knows it. */
  backend?: string;
  /** Asked after the run (TF.js fills its facts in as its backends start). */
  peers(): BenchResults['peers'];
  /** Bracket warm calls with timestamp queries where the device has `timestamp-query`. */
  timestamps: boolean;
  /** The host's own lines for the method notes (its peers, its clocks). */
  method: string[];
}

const METHOD = [
  'wall: one call awaited through one readback of its scalar result (mapAsync), performance.now() around it; inputs are already on the device/backend; median, p10 and p90 over the warm calls (n).',
  'first call: the first call on that shape, timed alone: pipeline compilation (a fresh library device per shape), TF.js shader compilation where its cache misses.',
  'steady: K calls queued back to back, one readback at the end, total / K; median of up to 3 repeats. GPU implementations whose call takes at most a quarter of the steady budget (the CPU peers are synchronous, so it means nothing for them).',
  'GB/s: the least bytes the work must move (forward: logits + labels read; fused: + gradient written) / wall median.',
  'of roof: the roof kernel\'s wall median / this wall median, against the read roof (forward) or the read+write roof (fused), float16 rows against the float16 read roof (half the bytes); roofs tuned per shape over a few grids (workgroup count × size). roof-exp is a diagnostic, not a roof: the read plus one exp per logit, the least arithmetic a softmax needs.',
  'check: the mean loss against the float64 oracle (relative 1e-4) and, for fused, every gradient value (1e-4 relative + 1e-6/rows absolute), before any timing; a failed implementation is not timed.',
];
const NO_TIMESTAMPS = 'No GPU timestamps: wall times include submit and readback latency, which dominates the small shapes.';

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 1) return sorted[0];
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function timing(times: number[], reduced: boolean): Timing {
  const s = [...times].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p10: quantile(s, 0.1), p90: quantile(s, 0.9), min: s[0], n: s.length, reduced };
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));

async function measure(spec: ImplSpec, inst: Instance, inp: Inputs, cfg: BenchConfig, r: ImplResult, progress: Progress, timer?: GpuTimer): Promise<void> {
  const t0 = performance.now();
  await inst.call();
  r.firstMs = performance.now() - t0;
  const res = await inst.result();
  const roof = spec.work.startsWith('roof');
  // float16 rows are checked against the float16 values they read.
  const data = spec.work.endsWith('-f16') ? halfInputs(inp) : inp;
  r.check = roof ? checkSum(data, res.value, res.grad, spec.work === 'roof-exp') : checkResult(data, res.value, res.grad);
  if (!r.check.ok) {
    progress(`    ${spec.id}: WRONG RESULT, not timed: ${r.check.message}`);
    return;
  }
  // Warm calls: the first one sets how many fit the budget. With a timer every one is bracketed,
  // the roofs' too, so wall times compare like with like.
  const times: number[] = [];
  const gpu: number[] = [];
  const bracket = inst.bracketed ? timer : undefined;
  const timed = async () => {
    const s = performance.now();
    await inst.call(bracket);
    times.push(performance.now() - s);
    if (bracket) gpu.push(await bracket.read());
  };
  await timed();
  const est = times[0];
  const n = Math.max(cfg.minIters, Math.min(cfg.iters, Math.floor(cfg.budgetMs / Math.max(est, 1e-3))));
  while (times.length < n) await timed();
  r.wall = timing(times, n < cfg.iters);
  const spans = gpu.filter(Number.isFinite);
  if (spans.length) r.gpu = timing(spans, n < cfg.iters);
  if (inst.queue && est * 4 <= cfg.steadyBudgetMs) {
    const k = Math.max(2, Math.min(cfg.steadyCalls, Math.floor(cfg.steadyBudgetMs / Math.max(est, 1e-3))));
    const repeats = est * k * 3 <= cfg.steadyBudgetMs * 1.5 ? 3 : 1;
    const per: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const s = performance.now();
      await inst.queue(k);
      per.push((performance.now() - s) / k);
    }
    per.sort((a, b) => a - b);
    r.steady = { calls: k, perCall: quantile(per, 0.5), repeats };
  }
}

export function adapterSummary(wl: WebGPULoss, backend?: string): AdapterSummary {
  const a = wl.adapter;
  // GPUDevice.adapterInfo carries the device name where the implementation gives one.
  const info = (wl.device as GPUDevice & { adapterInfo?: { device?: string } }).adapterInfo;
  return {
    vendor: a.vendor, architecture: a.architecture, device: info?.device || undefined, description: a.description, backend,
    isFallback: a.isFallback,
    features: [...wl.device.features].sort(),
    maxStorageBufferBindingSize: wl.device.limits.maxStorageBufferBindingSize, maxBufferSize: wl.device.limits.maxBufferSize,
    subgroupSize: engineOf(wl).subgroupSize,
  };
}

async function runImpl(spec: ImplSpec, env: Env, inp: Inputs, cfg: BenchConfig, r: ImplResult, timer?: GpuTimer): Promise<void> {
  let inst: Instance | undefined;
  try {
    inst = await spec.setup(env, inp);
    if (inst.note) r.grid = inst.note;
    await measure(spec, inst, inp, cfg, r, env.progress, timer);
  } catch (e) {
    if (e instanceof Skip || /maxBufferSize|maxStorageBufferBindingSize|TOO_LARGE|out of memory|OutOfMemory|Array buffer allocation failed/i.test(String(e))) {
      r.skipped = e instanceof Error ? e.message : String(e);
    } else {
      r.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
  } finally {
    try {
      await inst?.dispose();
    } catch {
      // a failed implementation's cleanup must not stop the run
    }
  }
}

/** `step(done, total)`: after each shape × implementation, for a progress bar. */
export async function runBench(cfg: BenchConfig, host: BenchHost, progress: Progress, step?: (done: number, total: number) => void): Promise<BenchResults> {
  const start = performance.now();
  const { specs, unknown } = resolveImpls(host.impls, cfg.impls);
  if (unknown.length) throw new Error(`unknown implementation(s): ${unknown.join(', ')}`);
  const probe = await host.createLoss();
  const adapter = adapterSummary(probe, host.backend);
  probe.dispose();
  probe.device.destroy();
  const stamps = host.timestamps && adapter.features.includes('timestamp-query');
  progress(`adapter: ${adapter.vendor} / ${adapter.architecture} ${adapter.description} (fallback: ${adapter.isFallback})`);
  if (host.timestamps && !stamps) progress('GPU time: the adapter has no timestamp-query; wall time only');
  progress(`implementations: ${specs.map((s) => s.id).join(', ')}`);
  const shapes: ShapeResult[] = [];
  const total = cfg.shapes.length * specs.length;
  let done = 0;
  step?.(done, total);
  for (const [si, shape] of cfg.shapes.entries()) {
    const [rows, V] = shape as Shape;
    const mb = (rows * V * 4) / 1e6;
    progress(`[${si + 1}/${cfg.shapes.length}] ${rows}×${V} (${mb.toFixed(mb < 1 ? 2 : 1)} MB of logits)`);
    const t0 = performance.now();
    // The seed depends on the shape only, so a shape gets the same data in any --shapes list.
    const inp = makeInputs(shape, (cfg.seed * 1_000_003 + rows * 7919 + V) >>> 0);
    progress(`    inputs and oracle: ${ms(performance.now() - t0)} ms (oracle mean loss ${inp.expected.toPrecision(7)})`);
    const wl = await host.createLoss();
    const timer = stamps ? GpuTimer.create(wl.device) : undefined;
    const env: Env = { wl, quick: cfg.quick, progress };
    const sr: ShapeResult = { rows, classes: V, logitsBytes: rows * V * 4, impls: [] };
    if (timer) sr.gpuFloorMs = await timer.floor(cfg.quick ? 5 : 15);
    for (const spec of specs) {
      const r: ImplResult = { id: spec.id, label: spec.label, backend: spec.backend, work: spec.work, bytes: bytesFor(spec.work, rows, V) };
      sr.impls.push(r);
      const s0 = performance.now();
      await runImpl(spec, env, inp, cfg, r, timer);
      const took = ((performance.now() - s0) / 1000).toFixed(1);
      if (r.skipped) progress(`    ${spec.id}: skipped (${r.skipped})`);
      else if (r.error) progress(`    ${spec.id}: ERROR ${r.error}`);
      else if (r.wall) {
        progress(`    ${spec.id}: first ${ms(r.firstMs!)} ms, wall ${ms(r.wall.median)} ms (p10 ${ms(r.wall.p10)}, p90 ${ms(r.wall.p90)}, n ${r.wall.n})`
          + `${r.gpu ? `, GPU ${ms(r.gpu.median)} ms` : ''}${r.steady ? `, steady ${ms(r.steady.perCall)} ms/call` : ''}  [${took} s]`);
      }
      step?.(++done, total);
    }
    derive(sr);
    shapes.push(sr);
    timer?.destroy();
    wl.dispose();
    wl.device.destroy();
  }
  return {
    schema: 1, date: new Date().toISOString(), userAgent: host.userAgent, adapter, config: cfg,
    peers: host.peers(),
    gpuTime: host.timestamps ? { available: stamps, note: stamps ? 'timestamp-query brackets around each warm call' : 'the adapter has no timestamp-query: wall time only' } : undefined,
    method: [...METHOD, ...host.method, ...(stamps ? [] : [NO_TIMESTAMPS])],
    shapes, totalSeconds: (performance.now() - start) / 1000,
  };
}
