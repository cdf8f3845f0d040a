// One oracle comparison, the same in the browser test page and in Node (Dawn): make seeded inputs,
// run an operation on the GPU and in the float64 oracle on the same float32 values, and compare
// every output with the one comparison helper. The caller says which context runs a spec.
import { GpuTensor, WebGPULoss } from '../../src/index';
import * as ref from '../../src/reference/index';
import { mulberry32, randomLabels, randomLogits, randomProbs, randomUniform } from '../../src/reference/index';
import { allclose } from './allclose';
import { Report, type CheckReport } from './report';
import { TOL } from './tolerances';
import { gpuShaped } from './engine';
import type { CheckSpec, ContextSpec, DataSpec } from './spec';
import { toHalfBits } from './half';

export type ContextFor = (spec: ContextSpec | undefined) => Promise<WebGPULoss>;

/**
 * The shared context for specs without a ContextSpec; otherwise one made once per spec: on a new
 * device with the spec-default limits, or on the shared device with a lowered binding size or
 * without subgroups.
 */
export function contextsFor(shared: () => WebGPULoss, newDevice?: () => Promise<GPUDevice>): ContextFor {
  const made = new Map<string, Promise<WebGPULoss>>();
  return (spec) => {
    if (!spec) return Promise.resolve(shared());
    const key = JSON.stringify(spec);
    if (!made.has(key)) {
      made.set(key, (async () => {
        if (spec.defaultLimits && !newDevice) throw new Error('this runner makes no device with the default limits');
        const device = spec.defaultLimits ? await newDevice!() : shared().device;
        const wl = await WebGPULoss.create({ device, maxBindingBytes: spec.maxBindingBytes, subgroups: spec.subgroups });
        return spec.gpuShaped ? gpuShaped(wl) : wl;
      })());
    }
    return made.get(key)!;
  };
}

type Made = { data: Float32Array | Int32Array | Uint16Array; shape: number[]; dtype?: 'float16' | 'bfloat16' };

export function make(spec: DataSpec, rows: number, cols: number, rng: () => number, ignoreIndex: number, labels = false): Made {
  const m = makeValues(spec, rows, cols, rng, ignoreIndex, labels);
  if (!spec.dtype || labels) return m;
  const data = spec.kind === 'data' && spec.bits ? Uint16Array.from(spec.bits) : toHalfBits(m.data, spec.dtype);
  return { data, shape: m.shape, dtype: spec.dtype };
}

function makeValues(spec: DataSpec, rows: number, cols: number, rng: () => number, ignoreIndex: number, labels: boolean): { data: Float32Array | Int32Array; shape: number[] } {
  const n = rows * cols;
  switch (spec.kind) {
    case 'logits': return { data: randomLogits(rng, rows, cols, spec.scale ?? 3), shape: [rows, cols] };
    case 'probs': return { data: randomProbs(rng, rows, cols, spec.scale ?? 2), shape: [rows, cols] };
    case 'uniform': return { data: randomUniform(rng, n, spec.lo ?? 0, spec.hi ?? 1), shape: [rows, cols] };
    case 'binary': return { data: Float32Array.from(randomUniform(rng, n), (u) => (u < 0.5 ? 0 : 1)), shape: [rows, cols] };
    case 'labels': {
      const l = randomLabels(rng, rows, cols);
      if (spec.ignoreFrac) for (let i = 0; i < rows; i++) if (rng() < spec.ignoreFrac) l[i] = ignoreIndex;
      return { data: l, shape: [rows] };
    }
    case 'onehot': {
      const l = randomLabels(rng, rows, cols);
      const d = new Float32Array(n);
      for (let i = 0; i < rows; i++) d[i * cols + l[i]] = 1;
      return { data: d, shape: [rows, cols] };
    }
    case 'data': {
      const shape = spec.shape ?? (labels ? [rows] : [rows, cols]);
      const vals = spec.data ?? spec.bits ?? [];
      return { data: labels ? Int32Array.from(vals) : Float32Array.from(vals), shape };
    }
  }
}

function resolveOptions(opts: Record<string, unknown> | undefined, cols: number, rng: () => number): Record<string, unknown> {
  const o: Record<string, unknown> = { ...(opts ?? {}) };
  for (const k of ['weight', 'posWeight', 'alpha']) {
    if (o[k] === 'random') o[k] = Array.from(randomUniform(rng, cols, 0.5, 2));
  }
  return o;
}

export type GpuOut = GpuTensor | Record<string, unknown>;
type RefOut = Float64Array | Record<string, ArrayLike<number> | number[] | undefined>;

/** Every GPU tensor of an output read (`out` for a lone tensor; `shape`: the loss's) and destroyed. */
export async function readAll(out: GpuOut): Promise<Record<string, Float32Array | Int32Array | Uint16Array | number[]>> {
  const res: Record<string, Float32Array | Int32Array | Uint16Array | number[]> = {};
  const tensors = out instanceof GpuTensor ? { out } : out;
  for (const [k, v] of Object.entries(tensors)) {
    if (v instanceof GpuTensor) {
      if (k === 'loss') res.shape = [...v.shape];
      res[k] = await v.read();
      v.destroy();
    }
  }
  return res;
}

/** The same bits, as float32 (integers compare equal through their float32 values). */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number> | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  const bitsA = new Uint32Array(Float32Array.from(a).buffer);
  const bitsB = new Uint32Array(Float32Array.from(b).buffer);
  return bitsA.every((x, i) => x === bitsB[i]);
}

/** The oracle's values as a float32 result can hold them: beyond float32's range, ±Infinity. */
function inFloat32Range(e: ArrayLike<number>): ArrayLike<number> {
  return Array.from(e, (v) => (Math.abs(v) > F32_MAX ? Math.fround(v) : v));
}
const F32_MAX = 3.4028234663852886e38;

function refAll(out: RefOut): Record<string, ArrayLike<number>> {
  if (out instanceof Float64Array) return { out };
  const res: Record<string, ArrayLike<number>> = {};
  for (const [k, v] of Object.entries(out)) if (v && typeof v === 'object' && 'length' in v) res[k] = v as ArrayLike<number>;
  return res;
}

export const opsOf = (c: WebGPULoss) => c as unknown as Record<string, (...a: unknown[]) => Promise<GpuOut>>;
const refOps = ref as unknown as Record<string, (...a: unknown[]) => RefOut>;

/** Runs one spec on the context `contextFor` gives for it, and the oracle; compares every output. */
export async function check(spec: CheckSpec, contextFor: ContextFor): Promise<CheckReport> {
  const rng = mulberry32(spec.seed ?? 1);
  const ignoreIndex = (spec.options?.ignoreIndex as number | undefined) ?? -100;
  const input = make(spec.input, spec.rows, spec.cols, rng, ignoreIndex);
  // Explicit target data are int32 labels when they drop the class axis of a cross-entropy input.
  const inRank = spec.input.shape?.length ?? 2;
  const labels = (spec.op === 'crossEntropy' || spec.op === 'focalLoss') && spec.target !== undefined && (spec.target.shape?.length ?? inRank - 1) === inRank - 1;
  const target = spec.target ? make(spec.target, spec.rows, spec.cols, rng, ignoreIndex, labels) : undefined;
  const options = resolveOptions(spec.options, spec.cols, rng);
  const args: unknown[] = target ? [input, target, options] : [input, options];
  const r = new Report();
  const c = await contextFor(spec.context);
  const uploaded: GpuTensor[] = [];
  const gpuArgs = !spec.gpuInputs ? args : args.map((a, i) => {
    if (i === args.length - 1) return a; // options
    const h = a as Made;
    const t = c.tensor(h.data, h.shape, h.dtype);
    uploaded.push(t);
    return t;
  });
  c.device.pushErrorScope('validation');
  const gpu = await readAll(await opsOf(c)[spec.op](...gpuArgs));
  const scopeErr = await c.device.popErrorScope();
  if (scopeErr) r.fail(`WebGPU validation error: ${scopeErr.message}`);
  const want = refAll(refOps[spec.op](...args));
  for (const [name, expected] of Object.entries(want)) {
    const actual = gpu[name];
    if (!actual) {
      r.fail(`${name}: the oracle gives it, the GPU result lacks it`);
      continue;
    }
    if (name === 'shape') {
      const same = actual.length === expected.length && Array.from(actual).every((d, i) => d === expected[i]);
      r.add({ ok: same, message: `loss shape: [${Array.from(actual).join(', ')}]${same ? '' : ` but the oracle gives [${Array.from(expected).join(', ')}]`}` });
      continue;
    }
    const tol = name === 'grad' ? spec.gradTol ?? spec.tol : name === 'argmax' || name === 'correct' || name === 'topKHit' ? TOL.exact : spec.tol;
    r.add(allclose(actual, inFloat32Range(expected), tol, name));
  }
  for (const name of Object.keys(gpu)) if (!(name in want) && name !== 'invalidLabels') r.note(`${name}: GPU only (not compared)`);
  if (spec.determinism) {
    const again = await readAll(await opsOf(c)[spec.op](...gpuArgs));
    for (const [name, a] of Object.entries(gpu)) if (!sameBits(a, again[name])) r.fail(`${name}: a second run gave different bits`);
  }
  for (const t of uploaded) t.destroy();
  return r;
}
