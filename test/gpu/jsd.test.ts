// jsDivergence on the GPU against the float64 oracle (src/reference/jsd.ts): a random grid over
// shapes (odd sizes, classes > 1024, one ~50k row), β and temperatures, both launch shapes (the
// adapter's own, and GPU-shaped: a workgroup per row), the portable row reduction, ignored rows
// with labels on the host and on the GPU, and an edge battery with explicit data.
import { describe, it, expect } from 'vitest';
import { useGpuPage } from './harness';
import type { CheckSpec, ContextSpec, DataSpec } from '../util/spec';
import { TOL, meanScale } from '../util/tolerances';

const gpu = useGpuPage();
const expectOk = gpu.check;

const GPU_SHAPED: ContextSpec = { gpuShaped: true };

type Opts = Record<string, unknown>;

// Gradients at TOL.jsdGrad: scaled by 1/T and the mean's 1/kept rows; logits of standard deviation
// 3 spread over about 8·3/T in log space.

/** Labels [rows] with every third row ignored (the first one kept), as data. */
function someIgnored(rows: number, ignoreIndex = -100): { data: number[]; shape: number[] } {
  return { data: Array.from({ length: rows }, (_, i) => (i % 3 === 2 ? ignoreIndex : i)), shape: [rows] };
}

function spec(rows: number, cols: number, seed: number, options: Opts, extra: Partial<CheckSpec> = {}): CheckSpec {
  const labels = options.labels as { data: number[] } | undefined;
  const T = (options.temperature as number | undefined) ?? 1;
  const kept = labels ? labels.data.filter((y) => y !== ((options.ignoreIndex as number | undefined) ?? -100)).length : rows;
  return {
    op: 'jsDivergence', rows, cols, seed,
    input: { kind: 'logits', scale: 3 }, target: { kind: 'logits', scale: 3 },
    options, tol: TOL.divergence(cols), gradTol: TOL.jsdGrad(meanScale(Math.max(kept, 1), options as never) / T, (8 * 3) / T),
    ...extra,
  };
}

const SHAPES: [number, number][] = [[3, 2], [5, 7], [64, 65], [3, 1031]];
const BETAS = [0.5, 0, 1, 0.1];
const TEMPS = [1, 0.5, 4];
const REDUCTIONS = ['mean', 'sum', 'none'] as const;

describe('random grid: β, temperature and reduction cycled, grad on, both launch shapes', () => {
  // Shape s gets two β values (every β across the shapes), each its temperature and reduction.
  SHAPES.forEach(([rows, cols], s) => {
    for (const bi of [s % 4, (s + 2) % 4]) {
      const beta = BETAS[bi];
      const temperature = TEMPS[(s + bi) % 3];
      const reduction = REDUCTIONS[(s + 2 * bi) % 3];
      const o = { beta, temperature, reduction, grad: true };
      it(`[${rows}, ${cols}] β ${beta} T ${temperature} ${reduction}`, () => expectOk(spec(rows, cols, rows * 7919 + cols + bi, o)));
      it(`[${rows}, ${cols}] β ${beta} T ${temperature} ${reduction}, GPU-shaped`, () =>
        expectOk(spec(rows, cols, rows * 7919 + cols + bi, o, { context: GPU_SHAPED })));
    }
  });
});

describe('long rows and the row reductions', () => {
  it('one 50257-class row (blockwise sums), GPU-shaped', () =>
    expectOk(spec(1, 50257, 5, { beta: 0.5, temperature: 2, grad: true }, { context: GPU_SHAPED })));
  it('two 50257-class rows, the adapter\'s shape, β = 0', () =>
    expectOk(spec(2, 50257, 6, { beta: 0, reduction: 'none', grad: true })));
  it('portable row reduction (subgroups off), workgroup per row, with determinism', () =>
    expectOk(spec(3, 1031, 7, { beta: 0.3, temperature: 0.5, grad: true }, { context: { subgroups: false, gpuShaped: true }, determinism: true })));
  it('rows chunked past a lowered binding size', () =>
    expectOk(spec(40, 257, 8, { beta: 0.7, grad: true, reduction: 'sum' }, { context: { maxBindingBytes: 4096 } })));
});

describe('ignored rows (labels)', () => {
  for (const [rows, cols] of [[9, 5], [12, 300]] as const) {
    for (const context of [undefined, GPU_SHAPED]) {
      const shaped = context ? ', GPU-shaped' : '';
      it(`[${rows}, ${cols}] 'mean' over kept rows${shaped}`, () =>
        expectOk(spec(rows, cols, 21, { labels: someIgnored(rows), grad: true, temperature: 2 }, { context })));
      it(`[${rows}, ${cols}] ignoreIndex -1, 'none', β = 1${shaped}`, () =>
        expectOk(spec(rows, cols, 22, { labels: someIgnored(rows, -1), ignoreIndex: -1, beta: 1, reduction: 'none', grad: true }, { context })));
    }
  }
  it('labels and logits already on the GPU', () =>
    expectOk(spec(9, 5, 23, { labels: someIgnored(9), grad: true }, { gpuInputs: true })));
  for (const allIgnored of ['nan', 'zero'] as const) {
    for (const reduction of ['mean', 'sum'] as const) {
      it(`every row ignored: ${reduction}, allIgnored '${allIgnored}'`, () =>
        expectOk(spec(4, 6, 24, { labels: { data: [-100, -100, -100, -100], shape: [4] }, allIgnored, reduction, grad: true })));
    }
  }
});

describe('edge battery', () => {
  const I = Infinity;
  const edge = (name: string, s: number[], t: number[], cols: number, options: Opts, context?: ContextSpec) => {
    const rows = s.length / cols;
    const d = (data: number[]): DataSpec => ({ kind: 'data', data });
    it(`${name}${context ? ', GPU-shaped' : ''}`, () =>
      expectOk({ op: 'jsDivergence', rows, cols, input: d(s), target: d(t), options: { reduction: 'none', grad: true, ...options }, tol: TOL.divergence(cols), gradTol: TOL.grad(), context }));
  };
  for (const context of [undefined, GPU_SHAPED]) {
    for (const beta of [0.5, 0, 1, 0.25]) {
      // Rows: masked classes on either side, NaN in the student, +Infinity in the teacher, the
      // student all masked, the teacher all masked, disjoint supports, ±3e38 (differences past
      // float32; the same support on both sides, since a KL over it has no float32 value).
      const s = [0, -I, 1, 2, /**/ NaN, 0, 0, 0, /**/ -I, -I, -I, -I, /**/ 0, 1, 2, 3, /**/ 0, -I, 0, -I, /**/ 3e38, -3e38, 0, 1, /**/ 1, 2, 3, 4];
      const t = [1, 0, -I, 2, /**/ 0, 0, 0, 0, /**/ 0, 0, 0, 0, /**/ -I, -I, -I, -I, /**/ -I, 0, -I, 0, /**/ 3e38, -3e38, 1, 0, /**/ 1, I, 3, 4];
      edge(`β ${beta}: masks, NaN, +Infinity, all-masked sides, disjoint supports, ±3e38`, s, t, 4, { beta }, context);
    }
    edge('identical rows give exactly 0 (and a zero gradient)', [1, 2, 3, -I, 0, 0.5, 7, -2], [1, 2, 3, -I, 0, 0.5, 7, -2], 4, { beta: 0.3, temperature: 0.5 }, context);
    edge('β = 0: the student masks a class whose teacher probability underflows in float64 (finite)', [0, -I, 0], [0, -2000, 0], 3, { beta: 0 }, context);
    edge('β = 1: the teacher masks a class whose student probability is ~e^-700 (infinite)', [0, -700, 0], [0, -I, 0], 3, { beta: 1 }, context);
    edge('temperatures 0.5 and 4 over wide logits', [-80, 0, 80, 40, 1, -1], [80, 0, -80, 1, 40, -1], 3, { beta: 0.5, temperature: 0.5 }, context);
  }
});

describe('the page reports what it should', () => {
  it('identical rows: exactly 0 on the GPU', async () => {
    const x = { data: [1, 2, 3, 0.5, -1, 2], shape: [2, 3] };
    const v = await gpu.call<number[]>('loss', 'jsDivergence', x, x, { reduction: 'none', beta: 0.4 });
    expect(v.map(Math.abs)).toEqual([0, 0]);
  });
});
