// linearJsDivergence in the page: seeded hidden, student head and teacher logits, the GPU
// operation and the float64 oracle on the same float32 values; loss and gradients compared, the
// outputs present as the options ask, and the buffers the call creates (the student's [N, V]
// logits never whole when the budget is smaller).
import type { GpuTensor, WebGPULoss } from '../../../src/index';
import * as ref from '../../../src/reference/index';
import { mulberry32, normal } from '../../../src/reference/index';
import { toHalfBits } from '../../../src/reference/half';
import { allclose } from '../../util/allclose';
import { readAll } from '../../util/check';
import { Report, type CheckReport } from '../../util/report';
import type { ContextSpec } from '../../util/spec';
import { TOL } from '../../util/tolerances';
import { contextFor } from './context';

export interface LinearJsdSpec {
  n: number;
  d: number;
  v: number;
  seed?: number;
  bias?: boolean;
  /** Rows given the ignore index (labels are passed when this is set). */
  ignoreRows?: number[];
  /** [flat index, value] edits of hidden / teacher after the seeded fill. */
  hiddenEdits?: [number, number][];
  teacherEdits?: [number, number][];
  /** Passed to both sides (beta, temperature, reduction, grad, frozenHead, memoryBudget...). */
  options?: Record<string, unknown>;
  /** The teacher as its hidden states [N, dt] and head [V, dt] (+ a bias) instead of logits (teacherEdits then unused). */
  teacherHead?: { dt: number; bias?: boolean };
  /** Hidden, weight, teacher, labels and bias as GpuTensors. */
  gpuInputs?: boolean;
  /** Hidden, weight and teacher as 16-bit patterns of this dtype (the seeded values rounded). */
  dtype?: 'float16' | 'bfloat16';
  context?: ContextSpec;
}

export interface LinearJsdReport extends CheckReport {
  chunkRows: number;
  scratchBytes: number;
  /** Largest buffer the call created (with gpuInputs: its own, uploads excluded), in bytes, and N·V·4. */
  largestBuffer: number;
  logitsBytes: number;
  outputs: string[];
}

function randn(rng: () => number, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => normal(rng) * scale);
}

/** The largest buffer the device creates during `f`. */
async function largestCreated<T>(c: WebGPULoss, f: () => Promise<T>): Promise<{ value: T; largest: number }> {
  const dev = c.device;
  const orig = dev.createBuffer.bind(dev);
  let largest = 0;
  dev.createBuffer = (desc: GPUBufferDescriptor) => {
    largest = Math.max(largest, desc.size);
    return orig(desc);
  };
  try {
    return { value: await f(), largest };
  } finally {
    dev.createBuffer = orig;
  }
}

async function linearJsdCheck(spec: LinearJsdSpec): Promise<LinearJsdReport> {
  const c = await contextFor(spec.context);
  const rng = mulberry32(spec.seed ?? 1);
  const { n, d, v } = spec;
  // Student logits of std ~2 (hidden 2, weight 1/√D), teacher logits of std 2.
  const hidden = { data: randn(rng, n * d, 2), shape: [n, d] };
  const weight = { data: randn(rng, v * d, 1 / Math.sqrt(d)), shape: [v, d] };
  const teacher = { data: randn(rng, n * v, 2), shape: [n, v] };
  const bias = spec.bias ? { data: randn(rng, v, 0.5), shape: [v] } : undefined;
  const tw = spec.teacherHead?.dt ?? 0;
  const head = spec.teacherHead && {
    hidden: { data: randn(rng, n * tw, 2), shape: [n, tw] },
    weight: { data: randn(rng, v * tw, 1 / Math.sqrt(tw)), shape: [v, tw] },
    bias: spec.teacherHead.bias ? { data: randn(rng, v, 0.5), shape: [v] } : undefined,
  };
  for (const [i, x] of spec.hiddenEdits ?? []) hidden.data[i] = x;
  for (const [i, x] of spec.teacherEdits ?? []) teacher.data[i] = x;
  const options = { ...(spec.options ?? {}) };
  const ignoreIndex = (options.ignoreIndex as number | undefined) ?? -100;
  const labels = spec.ignoreRows
    ? { data: Int32Array.from({ length: n }, (_, i) => (spec.ignoreRows!.includes(i) ? ignoreIndex : i % v)), shape: [n] }
    : undefined;

  const uploaded: GpuTensor[] = [];
  // 16-bit: both sides read the same patterns (the oracle decodes them exactly).
  const dt = spec.dtype;
  const half = (t: { data: Float32Array; shape: number[] }) => (dt ? { data: toHalfBits(t.data, dt), shape: t.shape, dtype: dt } : t);
  const up = <T extends { data: Float32Array | Int32Array | Uint16Array; shape: number[]; dtype?: 'float16' | 'bfloat16' }>(t: T | undefined) => {
    if (!t || !spec.gpuInputs) return t;
    const g = t.dtype ? c.tensor(t.data, t.shape, t.dtype) : c.tensor(t.data, t.shape);
    uploaded.push(g);
    return g;
  };
  const r = new Report();
  c.device.pushErrorScope('validation');
  // Uploads first: the buffers recorded are the call's own.
  const [h, w] = [half(hidden), half(weight)];
  const t = head ? { hidden: half(head.hidden), weight: half(head.weight), ...(head.bias ? { bias: head.bias } : {}) } : half(teacher);
  const gpuTeacher = 'hidden' in t ? { hidden: up(t.hidden)!, weight: up(t.weight)!, bias: up(t.bias) } : up(t)!;
  const args = [up(h)!, up(w)!, gpuTeacher] as const;
  const gOpts = { ...options, bias: up(bias), labels: up(labels) };
  const { value: out, largest } = await largestCreated(c, () => c.linearJsDivergence(...args, gOpts));
  const { chunkRows, scratchBytes } = out;
  const gpu = await readAll(out as unknown as Record<string, unknown>);
  const scopeErr = await c.device.popErrorScope();
  if (scopeErr) r.fail(`WebGPU validation error: ${scopeErr.message}`);
  for (const t of uploaded) t.destroy();

  const want = ref.linearJsDivergence(h, w, t, { ...options, bias, labels });
  const pairs: [string, ArrayLike<number> | undefined][] = [['loss', want.loss], ['gradHidden', want.gradHidden], ['gradWeight', want.gradWeight], ['gradBias', want.gradBias]];
  for (const [name, expected] of pairs) {
    const actual = gpu[name];
    if (!expected) {
      if (actual) r.fail(`${name}: returned, the oracle has none`);
      continue;
    }
    if (!actual) {
      r.fail(`${name}: missing from the GPU result`);
      continue;
    }
    r.add(allclose(actual, expected, name === 'loss' ? TOL.linearLoss : TOL.linearGrad(expected), name));
  }
  return Object.assign(r, { chunkRows, scratchBytes, largestBuffer: largest, logitsBytes: n * v * 4, outputs: Object.keys(gpu).filter((k) => k !== 'shape') });
}

export const handlers = { linearJsdCheck };
