// focalLoss and binaryFocalLoss on the GPU against the float64 oracle: a random grid over shapes
// (odd sizes, classes > 1024, one ~50k-class row) and options, both launch shapes (the adapter's
// own and GPU-shaped: a workgroup per row), an edge battery of explicit values, γ = 0 against
// crossEntropy, labels on the GPU, and the validation errors.
// Tolerances: TOL.focal, TOL.focalRow and TOL.focalGrad (test/util/tolerances.ts).
import { it, expect, describe } from 'vitest';
import { useGpuPage } from './harness';
import { binaryFocalLoss, focalLoss } from '../../src/reference/index';
import { allclose } from '../util/allclose';
import { errorOf, type ErrorInfo } from '../util/errors';
import type { ContextSpec, DataSpec } from '../util/spec';
import { meanScale, TOL } from '../util/tolerances';

const gpu = useGpuPage();
const SHAPES: (ContextSpec | undefined)[] = [undefined, { gpuShaped: true }];
const shapeName = (c: ContextSpec | undefined) => (c ? 'gpu-shaped' : 'own shape');

describe('focalLoss random grid', () => {
  // [rows, cols]: odd sizes, a thread per row (few classes), classes > 1024, one long row.
  const GRID: [number, number][] = [[1, 1], [3, 7], [13, 33], [64, 10], [5, 1031], [9, 2053], [1, 50257]];
  const GAMMAS = [0, 0.5, 2, 5];
  const ALPHAS = [undefined, 0.5, 'random'] as const;
  const REDUCTIONS = ['none', 'sum', 'mean'] as const;
  GRID.forEach(([rows, cols], s) => {
    for (const sparse of [true, false]) {
      const k = 2 * s + (sparse ? 0 : 1);
      const options: Record<string, unknown> = { gamma: GAMMAS[k % 4], reduction: REDUCTIONS[k % 3], grad: true };
      if (ALPHAS[(k + 1) % 3] !== undefined) options.alpha = ALPHAS[(k + 1) % 3];
      if (k % 5 === 3) options.base = 2;
      const target: DataSpec = sparse ? { kind: 'labels', ignoreFrac: rows > 2 ? 0.2 : 0 } : { kind: 'probs' };
      const context = SHAPES[s % 2];
      // The long row runs in both shapes; the rest alternate.
      for (const ctx of cols > 10000 ? SHAPES : [context]) {
        it(`${rows}x${cols} ${sparse ? 'labels' : 'dense'} ${JSON.stringify(options)} ${shapeName(ctx)}`, () => gpu.check({
          op: 'focalLoss', rows, cols, seed: 200 + k, input: { kind: 'logits', scale: 3 }, target, options, context: ctx,
          tol: TOL.focalRow, gradTol: TOL.focalGrad(options.gamma as number, meanScale(rows, options) / (options.base === 2 ? Math.LN2 : 1)),
        }));
      }
    }
  });
  it('labels on the GPU, a workgroup per row', () => gpu.check({
    op: 'focalLoss', rows: 6, cols: 300, seed: 7, input: { kind: 'logits', scale: 3 }, target: { kind: 'labels', ignoreFrac: 0.3 },
    options: { gamma: 2, alpha: 'random', grad: true }, gpuInputs: true, context: { gpuShaped: true },
    tol: TOL.focalRow, gradTol: TOL.focalGrad(2, 1 / 6),
  }));
});

describe('binaryFocalLoss random grid', () => {
  const GRID: [number, number][] = [[1, 1], [3, 7], [64, 65], [257, 33]];
  const GAMMAS = [0, 0.5, 2, 5];
  const ALPHAS = [undefined, -1, 0.75];
  const REDUCTIONS = ['none', 'sum', 'mean'] as const;
  GRID.forEach(([rows, cols], s) => {
    REDUCTIONS.forEach((reduction, r) => {
      const k = 3 * s + r;
      const soft = k % 2 === 0;
      const options: Record<string, unknown> = { gamma: GAMMAS[k % 4], reduction, grad: true };
      if (ALPHAS[k % 3] !== undefined) options.alpha = ALPHAS[k % 3];
      if (k % 4 === 1) options.base = 2;
      const scale = k % 5 === 4 ? 20 : 3;
      it(`${rows}x${cols} ${soft ? 'soft' : '0/1'} logits scale ${scale} ${JSON.stringify(options)}`, () => gpu.check({
        op: 'binaryFocalLoss', rows, cols, seed: 300 + k, input: { kind: 'logits', scale }, target: soft ? { kind: 'uniform' } : { kind: 'binary' },
        options, tol: reduction === 'none' ? TOL.focal : TOL.focalRow, gradTol: TOL.focalGrad(options.gamma as number, meanScale(rows * cols, options) / (options.base === 2 ? Math.LN2 : 1), soft),
      }));
    });
  });
});

// ---- edge battery ----------------------------------------------------------------------------

const I = Infinity;
// Rows of four logits and a label each: plain, NaN and +Infinity rows, masked classes (the label's
// and another), every class masked, huge logits (p = 1 exactly and p = 0 exactly), ties, an
// ignored NaN row, a near-certain row (q ≈ 1e-9).
const EDGE_ROWS: [number[], number][] = [
  [[0, 1, 2, 3], 3], [[NaN, 1, 2, 3], 0], [[I, 1, 2, 3], 1], [[-I, 1, 2, 3], 0], [[-I, 1, 2, 3], 2],
  [[-I, -I, -I, -I], 2], [[1e30, -1e30, 0, 5], 0], [[1e30, -1e30, 0, 5], 1], [[88, -88, 0, 20], 3],
  [[NaN, 0, 0, 0], -100], [[5, 5, 5, 5], 1], [[20, 0, 0, 0], 0], [[20, 0, 0, 0], 1], [[-20, 0, 0, 0], 0],
];

// Each row padded with masked classes to W columns, so that a GPU-shaped launch takes a workgroup
// per row (above 32 classes) while the adapter's own keeps a thread per row.
const W = 37;
const pad = (row: number[], v: number) => [...row, ...Array<number>(W - row.length).fill(v)];
const ALPHA = pad([1, 0, 2, 0.5], 1);

describe('focalLoss edge battery', () => {
  const input = EDGE_ROWS.flatMap(([x]) => pad(x, -I));
  const labels = EDGE_ROWS.map(([, y]) => y);
  for (const gamma of [0, 0.5, 2, 5]) {
    for (const alpha of [undefined, ALPHA]) {
      for (const reduction of ['none', 'sum'] as const) {
        const options = { gamma, alpha, reduction, grad: true, base: gamma === 0.5 ? 2 : undefined };
        for (const context of SHAPES) {
          it(`labels ${JSON.stringify(options)} ${shapeName(context)}`, () => gpu.check({
            op: 'focalLoss', rows: EDGE_ROWS.length, cols: W, input: { kind: 'data', data: input }, target: { kind: 'data', data: labels, shape: [EDGE_ROWS.length] },
            options, context, tol: TOL.focalRow, gradTol: TOL.focalGrad(gamma, 1 / Math.LN2),
          }));
        }
      }
    }
  }
  // Dense targets: one-hot on each row's label (none on the ignored row), then soft and
  // non-finite targets.
  const dense = EDGE_ROWS.flatMap(([, y]) => pad([0, 1, 2, 3].map((c) => (c === y ? 1 : 0)), 0));
  const extra: [number[], number[]][] = [
    [[0, 1, 2, 3], [0.1, 0.2, 0.3, 0.4]], [[-I, 1, 2, 3], [0.5, 0.5, 0, 0]], [[-I, 1, 2, 3], [0, 0.5, 0.5, 0]],
    [[0, 1, 2, 3], [NaN, 0, 1, 0]], [[0, 1, 2, 3], [I, 0, 1, 0]], [[-I, -I, 2, 3], [1, -1, 0, 0]],
  ];
  const dInput = [...input, ...extra.flatMap(([x]) => pad(x, -I))];
  const dTarget = [...dense, ...extra.flatMap(([, t]) => pad(t, 0))];
  const dRows = EDGE_ROWS.length + extra.length;
  for (const gamma of [0, 2, 0.5]) {
    for (const reduction of ['none', 'mean'] as const) {
      const options = { gamma, alpha: gamma === 2 ? ALPHA : undefined, reduction, grad: true };
      for (const context of SHAPES) {
        it(`dense ${JSON.stringify(options)} ${shapeName(context)}`, () => gpu.check({
          op: 'focalLoss', rows: dRows, cols: W, input: { kind: 'data', data: dInput }, target: { kind: 'data', data: dTarget, shape: [dRows, W] },
          options, context, tol: TOL.focalRow, gradTol: TOL.focalGrad(gamma, meanScale(dRows, options)),
        }));
      }
    }
  }
  it('every row ignored: mean NaN, gradient 0', () => gpu.check({
    op: 'focalLoss', rows: 3, cols: 5, seed: 3, input: { kind: 'logits' }, target: { kind: 'data', data: [-1, -1, -1], shape: [3] },
    options: { ignoreIndex: -1, grad: true }, tol: TOL.focalRow, gradTol: TOL.focalGrad(2),
  }));
  it('huge logits (scale 1e4), 0.5 and 5', async () => {
    for (const gamma of [0.5, 5]) {
      await gpu.check({
        op: 'focalLoss', rows: 40, cols: 37, seed: 4, input: { kind: 'logits', scale: 1e4 }, target: { kind: 'labels' },
        options: { gamma, reduction: 'none', grad: true }, tol: TOL.focalRow, gradTol: TOL.focalGrad(gamma),
      });
    }
  });
});

describe('binaryFocalLoss edge battery', () => {
  const XS = [0, 1e-30, -1e-30, 3, -3, 20, -20, 88, -88, 1e30, -1e30, 3e38, -3e38, I, -I, NaN];
  const TS = [0, 1, 0.5, 0.25, 0.9, 1e-6, -0, 2, -1, NaN, I, -I];
  // In bits a loss of 3e38 nats is past float32's range: those logits stay in nats.
  const xsOf = (base?: number) => (base === 2 ? XS.filter((v) => !(Math.abs(v) > 1e38 && Number.isFinite(v))) : XS);
  for (const gamma of [0, 0.5, 2, 5]) {
    for (const alpha of [undefined, -1, 0, 1]) {
      const options = { gamma, alpha, reduction: 'none', grad: true, base: alpha === 0 ? 2 : undefined };
      const xs = xsOf(options.base);
      const x = xs.flatMap((v) => TS.map(() => v));
      const t = xs.flatMap(() => TS);
      it(`special values ${JSON.stringify(options)}`, () => gpu.check({
        op: 'binaryFocalLoss', rows: xs.length, cols: TS.length, input: { kind: 'data', data: x }, target: { kind: 'data', data: t },
        options, tol: TOL.focal, gradTol: TOL.focalGrad(gamma, 1, false),
      }));
    }
  }
  for (const reduction of ['sum', 'mean']) {
    const cases: [string, number[], number[]][] = [
      ['finite, extreme logits', [1e30, -1e30, 88, -88, 0, 30], [0, 1, 1, 0, 0.5, 0.3]],
      ['+Infinity loss', [I, 1, 2, 3], [0, 0, 1, 0.5]],
      ['a NaN target', [0, 1, 2, 3], [NaN, 0, 1, 0.5]],
    ];
    for (const [name, xs, ts] of cases) {
      it(`${reduction}: ${name}`, () => gpu.check({
        op: 'binaryFocalLoss', rows: 1, cols: xs.length, input: { kind: 'data', data: xs }, target: { kind: 'data', data: ts },
        options: { reduction, grad: true }, tol: TOL.focalRow, gradTol: TOL.focalGrad(2, 1, true),
      }));
    }
  }
  it('row chunks in small bindings', () => gpu.check({
    op: 'binaryFocalLoss', rows: 300, cols: 101, seed: 17, context: { maxBindingBytes: 4096 },
    input: { kind: 'logits', scale: 3 }, target: { kind: 'uniform' }, options: { reduction: 'mean', grad: true, gamma: 1.5 },
    tol: TOL.focalRow, gradTol: TOL.focalGrad(1.5, 1 / (300 * 101)),
  }));
});

describe('focalLoss row chunks, row reductions, determinism', () => {
  const base = { op: 'focalLoss', input: { kind: 'logits', scale: 3 }, tol: TOL.focalRow } as const;
  it('rows chunked through a 4 KiB binding, labels', () => gpu.check({
    ...base, rows: 300, cols: 101, seed: 11, context: { maxBindingBytes: 4096 }, target: { kind: 'labels', ignoreFrac: 0.1 },
    options: { grad: true, alpha: 'random' }, gradTol: TOL.focalGrad(2, 1 / 300),
  }));
  it('rows chunked through a 4 KiB binding, dense, a workgroup per row', () => gpu.check({
    ...base, rows: 40, cols: 300, seed: 12, context: { maxBindingBytes: 4096, gpuShaped: true }, target: { kind: 'probs' },
    options: { grad: true, gamma: 0.5, reduction: 'sum' }, gradTol: TOL.focalGrad(0.5),
  }));
  it('workgroup-tree reductions (subgroups off), long rows', () => gpu.check({
    ...base, rows: 2, cols: 50257, seed: 13, context: { subgroups: false, gpuShaped: true }, target: { kind: 'labels' },
    options: { grad: true, reduction: 'sum', gamma: 3 }, gradTol: TOL.focalGrad(3),
  }));
  it('the same bits on two runs', () => gpu.check({
    ...base, rows: 64, cols: 1000, seed: 14, target: { kind: 'probs' }, context: { gpuShaped: true },
    options: { grad: true }, gradTol: TOL.focalGrad(2, 1 / 64), determinism: true,
  }));
});

describe('focalLoss with gamma 0 is crossEntropy', () => {
  for (const [sparse, context] of [[true, undefined], [false, { gpuShaped: true }]] as const) {
    it(`${sparse ? 'labels' : 'dense'} ${shapeName(context)}`, async () => {
      const rows = 24;
      const cols = 1100;
      const logits = Array.from({ length: rows * cols }, (_, i) => 4 * Math.sin(i * 0.37) + Math.cos(i * 1.3));
      const input = { data: logits, shape: [rows, cols] };
      const target = sparse
        ? { data: Array.from({ length: rows }, (_, r) => (r % 5 === 4 ? -100 : (r * 37) % cols)), shape: [rows] }
        : { data: Array.from({ length: rows * cols }, (_, i) => (i % cols === (i * 7) % 13 ? 1 : 0)), shape: [rows, cols] };
      const alpha = Array.from({ length: cols }, (_, c) => 0.5 + (c % 3));
      for (const reduction of ['none', 'mean'] as const) {
        const focal = await gpu.call<number[]>('loss', 'focalLoss', input, target, { gamma: 0, alpha, reduction });
        const ce = await gpu.call<number[]>('loss', 'crossEntropy', input, target, { weight: alpha, reduction });
        const r = allclose(focal, ce, TOL.focalRow, `${reduction}: focalLoss γ = 0 against crossEntropy`);
        expect(r.ok, r.message).toBe(true);
      }
    });
  }
});

describe('focalLoss labels on the GPU', () => {
  it('out-of-range labels are counted, their rows NaN, and checkLabels throws', async () => {
    const r = await gpu.call<{ invalid: number; loss: number[]; thrown: string | undefined }>('focalGpuLabels');
    expect(r.invalid).toBe(2);
    expect(r.loss.map((v) => Number.isNaN(v))).toEqual([false, true, true, false]);
    expect(r.loss[3]).toBe(0);
    expect(r.thrown).toMatch(/^LabelRangeError: target: 2 label\(s\)/);
  });
});

describe('focal validation', () => {
  const x = { data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], shape: [2, 3] };
  const t = { data: [0, 1, 0, 1, 0, 1], shape: [2, 3] };
  const y = { data: new Int32Array([0, 2]), shape: [2] };
  const option = (argument: string) => ({ name: 'OptionError', code: 'INVALID_OPTION', argument });
  const cases: { name: string; op: 'focalLoss' | 'binaryFocalLoss'; args: [unknown, unknown, unknown]; want: { name: string; code: string; argument: string } }[] = [
    { name: 'negative gamma', op: 'focalLoss', args: [x, y, { gamma: -1 }], want: option('options.gamma') },
    { name: 'infinite gamma', op: 'binaryFocalLoss', args: [x, t, { gamma: Infinity }], want: option('options.gamma') },
    { name: 'alpha above 1', op: 'binaryFocalLoss', args: [x, t, { alpha: 1.5 }], want: option('options.alpha') },
    { name: 'alpha of the wrong length', op: 'focalLoss', args: [x, y, { alpha: [1, 2] }], want: option('options.alpha') },
    { name: 'negative class alpha', op: 'focalLoss', args: [x, y, { alpha: -0.5 }], want: option('options.alpha') },
    { name: 'crossEntropy option', op: 'focalLoss', args: [x, y, { labelSmoothing: 0.1 }], want: option('options.labelSmoothing') },
    { name: 'label out of range', op: 'focalLoss', args: [x, { data: new Int32Array([0, 3]), shape: [2] }, {}], want: { name: 'LabelRangeError', code: 'LABEL_OUT_OF_RANGE', argument: 'target' } },
    { name: 'target of another shape', op: 'binaryFocalLoss', args: [x, { data: [0, 1, 0, 1, 0, 1], shape: [3, 2] }, {}], want: { name: 'ShapeError', code: 'SHAPE_MISMATCH', argument: 'target' } },
  ];
  const oracles = { focalLoss, binaryFocalLoss };
  for (const c of cases) {
    it(`${c.op}: ${c.name}`, async () => {
      const err = await gpu.call<ErrorInfo | null>('expectError', c.op, c.args);
      expect(err, 'the GPU call did not throw').not.toBeNull();
      expect({ name: err!.name, code: err!.code, argument: err!.argument }).toEqual(c.want);
      const oracle = await errorOf(() => (oracles[c.op] as (...a: unknown[]) => unknown)(...c.args));
      expect({ name: oracle?.name, code: oracle?.code, argument: oracle?.argument, message: oracle?.message }).toEqual({ ...c.want, message: err!.message });
    });
  }
});
