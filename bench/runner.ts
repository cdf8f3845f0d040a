// The measurement: per shape, fresh inputs and oracle, a fresh library context (so its first call
// compiles), then each implementation: checked against the oracle, then timed.
import { WebGPULoss } from '../src/index';
import { engineOf } from '../src/loss';
import { checkResult, checkSum, makeInputs, type Inputs } from './data';
import { resolveImpls } from './impls/index';
import { tfjsVersion, tfjsWebgpuAdapter, wasmThreads } from './impls/tfjs';
import type { Env, ImplSpec, Instance } from './impls/types';
import { Skip } from './impls/types';
import type { AdapterSummary, BenchConfig, BenchResults, ImplResult, Progress, Shape, ShapeResult, Timing, Work } from './types';

export const METHOD = [
  'wall: one call awaited through one readback of its scalar result (mapAsync), performance.now() around it; inputs are already on the device/backend; median, p10 and p90 over the warm calls (n).',
  'first call: the first call on that shape, timed alone: pipeline compilation (a fresh library device per shape), TF.js shader compilation where its cache misses.',
  'steady: K calls queued back to back, one readback at the end, total / K; median of up to 3 repeats. GPU implementations whose call takes at most a quarter of the steady budget (the CPU peers are synchronous, so it means nothing for them).',
  'GB/s: the least bytes the work must move (forward: logits + labels read; fused: + gradient written) / wall median.',
  'of roof: the roof kernel\'s wall median / this wall median, against the read roof (forward) or the read+write roof (fused); roofs tuned per shape over a few grids (workgroup count × size). roof-exp is a diagnostic, not a roof: the read plus one exp per logit, the least arithmetic a softmax needs.',
  'vs TF.js WebGPU: the faster TF.js WebGPU formulation\'s wall median (forward, or valueAndGrad for fused) / this wall median.',
  'check: the mean loss against the float64 oracle (relative 1e-4) and, for fused, every gradient value (1e-4 relative + 1e-6/rows absolute), before any timing; a failed implementation is not timed.',
  'No GPU timestamps: wall times include submit and readback latency, which dominates the small shapes.',
];

const bytesFor = (work: Work, rows: number, V: number): number => {
  const x = rows * V * 4;
  switch (work) {
    case 'forward': return x + rows * 4;
    case 'fused': return 2 * x + rows * 4;
    case 'roof-read': case 'roof-exp': return x;
    case 'roof-rw': return 2 * x;
  }
};

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

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

async function measure(spec: ImplSpec, inst: Instance, inp: Inputs, cfg: BenchConfig, r: ImplResult, progress: Progress): Promise<void> {
  const t0 = performance.now();
  await inst.call();
  r.firstMs = performance.now() - t0;
  const res = await inst.result();
  const roof = spec.work.startsWith('roof');
  r.check = roof ? checkSum(inp, res.value, res.grad, spec.work === 'roof-exp') : checkResult(inp, res.value, res.grad);
  if (!r.check.ok) {
    progress(`    ${spec.id}: WRONG RESULT, not timed: ${r.check.message}`);
    return;
  }
  // Warm calls: the first one sets how many fit the budget.
  const times: number[] = [];
  const timed = async () => {
    const s = performance.now();
    await inst.call();
    times.push(performance.now() - s);
  };
  await timed();
  const est = times[0];
  const n = Math.max(cfg.minIters, Math.min(cfg.iters, Math.floor(cfg.budgetMs / Math.max(est, 1e-3))));
  while (times.length < n) await timed();
  r.wall = timing(times, n < cfg.iters);
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

function derive(shape: ShapeResult): void {
  const by = new Map(shape.impls.map((r) => [r.id, r]));
  const ok = (r: ImplResult | undefined) => (r && r.check?.ok && r.wall ? r : undefined);
  const roofOf = (w: Work) => ok(by.get(w === 'fused' || w === 'roof-rw' ? 'roof-rw' : 'roof-read'));
  const expRoof = ok(by.get('roof-exp'));
  const tfBest = (w: Work) => {
    const ids = w === 'forward' ? ['tfjs-webgpu', 'tfjs-webgpu-sce'] : w === 'fused' ? ['tfjs-webgpu-grad', 'tfjs-webgpu-sce-grad'] : [];
    const c = ids.map((id) => ok(by.get(id))).filter((r): r is ImplResult => Boolean(r));
    return c.length ? Math.min(...c.map((r) => r.wall!.median)) : undefined;
  };
  for (const r of shape.impls) {
    if (!ok(r)) continue;
    const med = r.wall!.median;
    r.gbps = r.bytes / (med * 1e6);
    const roof = roofOf(r.work);
    if (roof) {
      r.ofRoof = roof.wall!.median / med;
      if (roof.steady && r.steady) r.ofRoofSteady = roof.steady.perCall / r.steady.perCall;
    }
    if (r.work === 'forward' && expRoof) r.ofExpRoof = expRoof.wall!.median / med;
    const tf = tfBest(r.work);
    if (tf !== undefined) r.vsTfjsWebgpu = tf / med;
  }
}

export async function adapterSummary(wl: WebGPULoss): Promise<AdapterSummary> {
  const a = wl.adapter;
  return {
    vendor: a.vendor, architecture: a.architecture, description: a.description, isFallback: a.isFallback,
    features: [...wl.device.features].sort(),
    maxStorageBufferBindingSize: wl.device.limits.maxStorageBufferBindingSize, maxBufferSize: wl.device.limits.maxBufferSize,
    subgroupSize: engineOf(wl).subgroupSize,
  };
}

export async function runBench(cfg: BenchConfig, progress: Progress): Promise<BenchResults> {
  const start = performance.now();
  const { specs, unknown } = resolveImpls(cfg.impls);
  if (unknown.length) throw new Error(`unknown implementation(s): ${unknown.join(', ')}`);
  const probe = await WebGPULoss.create();
  const adapter = await adapterSummary(probe);
  probe.dispose();
  probe.device.destroy();
  progress(`adapter: ${adapter.vendor} / ${adapter.architecture} ${adapter.description} (fallback: ${adapter.isFallback})`);
  progress(`implementations: ${specs.map((s) => s.id).join(', ')}`);
  const shapes: ShapeResult[] = [];
  for (const [si, shape] of cfg.shapes.entries()) {
    const [rows, V] = shape as Shape;
    const mb = (rows * V * 4) / 1e6;
    progress(`[${si + 1}/${cfg.shapes.length}] ${rows}×${V} (${mb.toFixed(mb < 1 ? 2 : 1)} MB of logits)`);
    const t0 = performance.now();
    // The seed depends on the shape only, so a shape gets the same data in any --shapes list.
    const inp = makeInputs(shape, (cfg.seed * 1_000_003 + rows * 7919 + V) >>> 0);
    progress(`    inputs and oracle: ${ms(performance.now() - t0)} ms (oracle mean loss ${inp.expected.toPrecision(7)})`);
    const wl = await WebGPULoss.create();
    const env: Env = { wl, quick: cfg.quick, progress };
    const sr: ShapeResult = { rows, classes: V, logitsBytes: rows * V * 4, impls: [] };
    for (const spec of specs) {
      const r: ImplResult = { id: spec.id, label: spec.label, backend: spec.backend, work: spec.work, bytes: bytesFor(spec.work, rows, V) };
      sr.impls.push(r);
      const s0 = performance.now();
      let inst: Instance | undefined;
      try {
        inst = await spec.setup(env, inp);
        if (inst.note) r.grid = inst.note;
        await measure(spec, inst, inp, cfg, r, progress);
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
      const took = ((performance.now() - s0) / 1000).toFixed(1);
      if (r.skipped) progress(`    ${spec.id}: skipped (${r.skipped})`);
      else if (r.error) progress(`    ${spec.id}: ERROR ${r.error}`);
      else if (r.wall) {
        progress(`    ${spec.id}: first ${ms(r.firstMs!)} ms, wall ${ms(r.wall.median)} ms (p10 ${ms(r.wall.p10)}, p90 ${ms(r.wall.p90)}, n ${r.wall.n})`
          + `${r.steady ? `, steady ${ms(r.steady.perCall)} ms/call` : ''}  [${took} s]`);
      }
    }
    derive(sr);
    shapes.push(sr);
    wl.dispose();
    wl.device.destroy();
  }
  return {
    schema: 1, date: new Date().toISOString(), userAgent: navigator.userAgent, adapter, config: cfg,
    peers: { tfjs: tfjsVersion(), tfjsWebgpuAdapter: tfjsWebgpuAdapter() || undefined, tfjsWasmThreads: wasmThreads() },
    method: METHOD, shapes, totalSeconds: (performance.now() - start) / 1000,
  };
}
