// The GPU test page: makes inputs from a seed, runs an operation on the GPU and in the float64
// oracle on the same float32 values, and compares every output with the one comparison helper.
import { WebGPULoss, GpuTensor } from '../../src/index';
import * as ref from '../../src/reference/index';
import { mulberry32, randomLabels, randomLogits, randomProbs, randomUniform } from '../../src/reference/random';
import { allclose } from '../util/allclose';
import type { AdapterReport, CheckReport, CheckSpec, DataSpec, Num } from './page-types';

const errors: string[] = [];
let ctx: WebGPULoss;

function num(v: Num): number {
  return typeof v === 'number' ? v : Number(v);
}

function make(spec: DataSpec, rows: number, cols: number, rng: () => number, ignoreIndex: number): { data: Float32Array | Int32Array; shape: number[] } {
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
      const shape = spec.shape ?? [rows, cols];
      const vals = (spec.data ?? []).map(num);
      const isInt = shape.length === 1;
      return { data: isInt ? Int32Array.from(vals) : Float32Array.from(vals), shape };
    }
  }
}

function resolveOptions(opts: Record<string, unknown> | undefined, cols: number, rng: () => number): Record<string, unknown> {
  const o: Record<string, unknown> = { ...(opts ?? {}) };
  for (const k of ['weight', 'posWeight']) {
    if (o[k] === 'random') o[k] = Array.from(randomUniform(rng, cols, 0.5, 2));
  }
  return o;
}

type GpuOut = GpuTensor | Record<string, GpuTensor | undefined>;
type RefOut = Float64Array | Record<string, ArrayLike<number> | number[] | undefined>;

async function readAll(out: GpuOut): Promise<Record<string, ArrayLike<number>>> {
  const res: Record<string, ArrayLike<number>> = {};
  if (out instanceof GpuTensor) {
    res.out = await out.read();
    out.destroy();
    return res;
  }
  for (const [k, v] of Object.entries(out)) {
    if (v instanceof GpuTensor) {
      if (k === 'loss') res.shape = [...v.shape];
      res[k] = await v.read();
      v.destroy();
    }
  }
  return res;
}

function refAll(out: RefOut): Record<string, ArrayLike<number>> {
  if (out instanceof Float64Array) return { out };
  const res: Record<string, ArrayLike<number>> = {};
  for (const [k, v] of Object.entries(out)) if (v && typeof v === 'object' && 'length' in v) res[k] = v as ArrayLike<number>;
  return res;
}

const gpuOps = () => ctx as unknown as Record<string, (...a: unknown[]) => Promise<GpuOut>>;
const refOps = ref as unknown as Record<string, (...a: unknown[]) => RefOut>;

async function check(spec: CheckSpec): Promise<CheckReport> {
  const rng = mulberry32(spec.seed ?? 1);
  const ignoreIndex = (spec.options?.ignoreIndex as number | undefined) ?? -100;
  const input = make(spec.input, spec.rows, spec.cols, rng, ignoreIndex);
  const target = spec.target ? make(spec.target, spec.rows, spec.cols, rng, ignoreIndex) : undefined;
  const options = resolveOptions(spec.options, spec.cols, rng);
  const args: unknown[] = target ? [input, target, options] : [input, options];
  const messages: string[] = [];
  let ok = true;
  ctx.device.pushErrorScope('validation');
  const gpu = await readAll(await gpuOps()[spec.op](...args));
  const scopeErr = await ctx.device.popErrorScope();
  if (scopeErr) {
    ok = false;
    messages.push(`WebGPU validation error: ${scopeErr.message}`);
  }
  const want = refAll(refOps[spec.op](...args));
  for (const [name, expected] of Object.entries(want)) {
    const actual = gpu[name];
    if (!actual) {
      ok = false;
      messages.push(`${name}: the oracle gives it, the GPU result lacks it`);
      continue;
    }
    if (name === 'shape') {
      const same = actual.length === expected.length && Array.from(actual).every((d, i) => d === expected[i]);
      messages.push(`loss shape: [${Array.from(actual).join(', ')}]${same ? '' : ` but the oracle gives [${Array.from(expected).join(', ')}]`}`);
      if (!same) ok = false;
      continue;
    }
    const tol = name === 'grad' ? spec.gradTol ?? spec.tol : name === 'argmax' || name === 'correct' ? { rtol: 0, atol: 0 } : spec.tol;
    const r = allclose(actual, expected, tol, name);
    messages.push(r.message);
    if (!r.ok) ok = false;
  }
  for (const name of Object.keys(gpu)) if (!(name in want) && name !== 'invalidLabels') messages.push(`${name}: GPU only (not compared)`);
  if (spec.determinism) {
    const again = await readAll(await gpuOps()[spec.op](...args));
    for (const [name, a] of Object.entries(gpu)) {
      const b = again[name];
      const same = a.length === b.length && new Uint32Array(new Float32Array(a).buffer).every((x, i) => x === new Uint32Array(new Float32Array(b).buffer)[i]);
      if (!same) {
        ok = false;
        messages.push(`${name}: a second run gave different bits`);
      }
    }
  }
  return { ok, messages };
}

/** Runs a GPU operation that must throw; returns the error's class, code and message. */
async function expectError(op: string, args: unknown[]): Promise<{ name: string; code?: string; argument?: string; message: string } | null> {
  try {
    const out = await gpuOps()[op](...args);
    await readAll(out);
    return null;
  } catch (e) {
    const err = e as Error & { code?: string; argument?: string };
    return { name: err.name, code: err.code, argument: err.argument, message: err.message };
  }
}

/** The smallest end-to-end proof: softmax of one row on the GPU next to the oracle. */
async function smoke(): Promise<{ gpu: number[]; oracle: number[]; adapter: string }> {
  const x = { data: new Float32Array([1, 2, 3, 4]), shape: [1, 4] };
  const p = await ctx.softmax(x);
  const gpu = Array.from(await p.read());
  p.destroy();
  return { gpu, oracle: Array.from(ref.softmax(x)), adapter: `${ctx.adapter.vendor} ${ctx.adapter.architecture}` };
}

declare global {
  interface Window {
    __ready: Promise<AdapterReport>;
    __h: Record<string, unknown>;
  }
}

window.__h = {
  takeErrors: () => errors.splice(0),
  check,
  expectError,
  smoke,
  stats: () => ctx.stats(),
};

window.__ready = (async (): Promise<AdapterReport> => {
  try {
    ctx = await WebGPULoss.create();
    ctx.device.addEventListener('uncapturederror', (e) => errors.push((e as GPUUncapturedErrorEvent).error.message));
    const a = ctx.adapter;
    return {
      ok: true, vendor: a.vendor, architecture: a.architecture, description: a.description, isFallback: a.isFallback,
      subgroups: a.subgroups, timestampQuery: a.timestampQuery,
      maxStorageBufferBindingSize: ctx.limits.maxStorageBufferBindingSize, maxBufferSize: ctx.limits.maxBufferSize,
    };
  } catch (e) {
    return { ok: false, error: String(e) };
  }
})();
