// The streaming evaluator in the page: batches through wl.evaluator() next to the oracle's
// evaluator and crossEntropy over the concatenated batch; readbacks and tensors counted.
import type { EvaluationResult, WebGPULoss } from '../../../src/index';
import * as ref from '../../../src/reference/index';
import { decodeHalf, mulberry32, randomLabels, randomLogits } from '../../../src/reference/index';
import { toHalfBits } from '../../util/half';
import type { ContextSpec } from '../../util/spec';
import { contextFor } from './context';

export interface EvalRunSpec {
  seed: number;
  /** Rows of each batch. */
  rows: number[];
  cols: number;
  topK: number;
  ignoreFrac?: number;
  ignoreIndex?: number;
  context?: ContextSpec;
  /** Batches handed over as GpuTensors (labels on the GPU too). */
  gpuInputs?: boolean;
  /** Explicit batches instead of random ones. */
  data?: { x: number[]; y: number[] }[];
  /** The logits as 16-bit floats (the values rounded to nearest even), for both sides. */
  dtype?: 'float16' | 'bfloat16';
}

interface Batch {
  x: { data: Float32Array | Uint16Array; shape: number[]; dtype?: 'float16' | 'bfloat16' };
  y: { data: Int32Array; shape: number[] };
}

function batchesOf(s: EvalRunSpec): Batch[] {
  const rng = mulberry32(s.seed);
  const ignoreIndex = s.ignoreIndex ?? -100;
  return s.rows.map((rows, i) => {
    const x = s.data ? Float32Array.from(s.data[i].x) : randomLogits(rng, rows, s.cols, 3);
    const y = s.data ? Int32Array.from(s.data[i].y) : randomLabels(rng, rows, s.cols, { ignoreFraction: s.ignoreFrac ?? 0, ignoreIndex });
    const xs = s.dtype ? { data: toHalfBits(x, s.dtype), shape: [rows, s.cols], dtype: s.dtype } : { data: x, shape: [rows, s.cols] };
    return { x: xs, y: { data: y, shape: [rows] } };
  });
}

/** GPUBuffer.mapAsync calls made while `f` runs (readbacks). */
async function countMaps<T>(f: () => Promise<T>): Promise<{ value: T; maps: number }> {
  const proto = GPUBuffer.prototype;
  const orig = proto.mapAsync;
  let maps = 0;
  proto.mapAsync = function (this: GPUBuffer, ...a: Parameters<GPUBuffer['mapAsync']>) {
    maps++;
    return orig.apply(this, a);
  };
  try {
    return { value: await f(), maps };
  } finally {
    proto.mapAsync = orig;
  }
}

async function runGpu(wl: WebGPULoss, s: EvalRunSpec, batches: Batch[]) {
  const ev = wl.evaluator({ topK: s.topK, ignoreIndex: s.ignoreIndex });
  const { value: addMaps } = await countMaps(async () => {
    let maps = 0;
    for (const b of batches) {
      if (s.gpuInputs) {
        const x = wl.tensor(b.x.data, b.x.shape, b.x.dtype ?? 'float32');
        const y = wl.tensor(b.y.data, b.y.shape);
        maps += (await countMaps(() => ev.add(x, y))).maps;
        x.destroy();
        y.destroy();
      } else {
        maps += (await countMaps(() => ev.add(b.x, b.y))).maps;
      }
    }
    return maps;
  });
  const held = wl.stats().tensors;
  const { value, maps } = await countMaps(() => ev.read());
  return { ev, result: value, readMaps: maps, addMaps, held };
}

/** The evaluator over the batches, twice, and the oracle's figures. */
async function evaluatorRun(s: EvalRunSpec) {
  const wl = await contextFor(s.context);
  const batches = batchesOf(s);
  const before = wl.stats().tensors;
  const first = await runGpu(wl, s, batches);
  first.ev.dispose();
  const afterDispose = wl.stats().tensors;
  const second = await runGpu(wl, s, batches);
  // reset(): the sums start over; the last batch alone.
  await second.ev.reset();
  const last = batches[batches.length - 1];
  await second.ev.add(last.x, last.y);
  const afterReset = await second.ev.read();
  second.ev[Symbol.dispose]();
  let disposedError = '';
  await second.ev.read().catch((e: Error) => { disposedError = `${e.name}: ${e.message}`; });

  const oracle = ref.evaluator({ topK: s.topK, ignoreIndex: s.ignoreIndex });
  for (const b of batches) oracle.add(b.x, b.y);
  const oracleLast = ref.evaluator({ topK: s.topK, ignoreIndex: s.ignoreIndex });
  oracleLast.add(last.x, last.y);
  // crossEntropy's mean over the concatenated batches: the nll without the evaluator's code.
  const rows = s.rows.reduce((a, b) => a + b, 0);
  const cat = { data: new Float32Array(rows * s.cols), shape: [rows, s.cols] };
  const catY = { data: new Int32Array(rows), shape: [rows] };
  let r0 = 0;
  for (const b of batches) {
    cat.data.set(b.x.dtype ? decodeHalf(b.x.data, b.x.dtype) : b.x.data, r0 * s.cols);
    catY.data.set(b.y.data, r0);
    r0 += b.y.data.length;
  }
  const concatNll = ref.crossEntropy(cat, catY, { ignoreIndex: s.ignoreIndex, allIgnored: 'nan' }).loss[0];
  return {
    gpu: first.result, again: second.result, oracle: oracle.read(), concatNll,
    afterReset, oracleLast: oracleLast.read(),
    readMaps: first.readMaps, addMaps: first.addMaps,
    tensors: { before, held: first.held, afterDispose, afterAll: wl.stats().tensors },
    disposedError,
  };
}

/**
 * Accumulation drift over many batches: the evaluator's Σ −ln p_y (nll · tokens) against the
 * float64 sum of the very per-row float32 values crossEntropy's extras give for the same batches,
 * and what a float32 running sum of them would give.
 */
async function evaluatorDrift(seed: number, batches: number, rows: number, cols: number) {
  const wl = await contextFor(undefined);
  const rng = mulberry32(seed);
  const ev = wl.evaluator({ topK: 1 });
  const oracle = ref.evaluator({ topK: 1 });
  let exact = 0;
  let naive = 0;
  for (let i = 0; i < batches; i++) {
    const x = { data: randomLogits(rng, rows, cols, 3), shape: [rows, cols] };
    const y = { data: randomLabels(rng, rows, cols), shape: [rows] };
    await ev.add(x, y);
    oracle.add(x, y);
    const out = await wl.crossEntropy(x, y, { extras: true, reduction: 'none' });
    for (const v of await out.labelLogProb!.read()) {
      exact -= v;
      naive = Math.fround(naive - v);
    }
    out.dispose();
  }
  const r: EvaluationResult = await ev.read();
  ev.dispose();
  const sum = r.nll * r.tokens;
  return { tokens: r.tokens, twoFloatRel: Math.abs(sum - exact) / exact, naiveRel: Math.abs(naive - exact) / exact, gpu: r, oracle: oracle.read() };
}

/** Labels on the GPU out of range: left out of the sums, and read() throws naming `labels`. */
async function evaluatorGpuLabels() {
  const wl = await contextFor(undefined);
  const ev = wl.evaluator();
  const x = wl.tensor(new Float32Array([1, 2, 3, 3, 2, 1, 0, 0, 0]), [3, 3]);
  const y = wl.tensor(new Int32Array([0, 7, -100]), [3]);
  await ev.add(x, y);
  let thrown = '';
  await ev.read().catch((e: Error & { argument?: string }) => { thrown = `${e.name} ${e.argument}: ${e.message}`; });
  // Reset clears the count: a valid batch reads again.
  await ev.reset();
  const ok = wl.tensor(new Int32Array([0, 1, -100]), [3]);
  await ev.add(x, ok);
  const r = await ev.read();
  for (const t of [x, y, ok]) t.destroy();
  ev.dispose();
  return { thrown, tokens: r.tokens, accuracy: r.accuracy };
}

export const handlers = { evaluatorRun, evaluatorDrift, evaluatorGpuLabels };
