// The browser suite's oracle comparison (test/util/check.ts), run in Node on Dawn's binding
// (webgpu-loss/node, SwiftShader's Vulkan driver here): every operation over a grid of shapes,
// part of the edge battery, row chunking, the workgroup-tree reductions, determinism.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { dawnLoss } from './dawn';
import type { WebGPULoss } from '../../src/index';
import { check, contextsFor } from '../util/check';
import { TOL } from '../util/tolerances';
import type { CheckSpec, OpName } from '../util/spec';

let wl: WebGPULoss;
const contextFor = contextsFor(() => wl);

beforeAll(async () => {
  wl = await dawnLoss();
}, 60_000);
afterAll(() => wl?.dispose());

async function expectOk(spec: CheckSpec): Promise<void> {
  const r = await check(spec, contextFor);
  expect(r.ok, r.messages.join('\n')).toBe(true);
}

// Per-row values ('none' keeps them free of the mean's scale); BCE here has 0/1 targets.
const lossTol = (op: OpName, cols: number) =>
  op === 'entropy' || op === 'klDivergence' ? TOL.divergence(cols) : op === 'binaryCrossEntropy' ? TOL.bce : TOL.loss;
const gradTol = (op: OpName) => (op === 'binaryCrossEntropy' ? TOL.bceGrad(false) : TOL.grad());

// The browser suite runs the full shape grid on the same kernels; here Dawn's Node binding gets a
// thread per row, a workgroup per row of odd length, and a long row split across workgroups.
const SHAPES: [number, number][] = [[3, 7], [7, 257], [2, 32000]];
const OPS: [string, Omit<CheckSpec, 'rows' | 'cols' | 'tol'>][] = [
  ['softmax', { op: 'softmax', input: { kind: 'logits' }, options: { temperature: 2 } }],
  ['logSoftmax', { op: 'logSoftmax', input: { kind: 'logits' } }],
  ['sparse CE, smoothing, weights, ignore', { op: 'crossEntropy', input: { kind: 'logits' }, target: { kind: 'labels', ignoreFrac: 0.2 }, options: { grad: true, extras: true, labelSmoothing: 0.1, weight: 'random', reduction: 'none' } }],
  ['sparse CE, z-loss and soft-cap', { op: 'crossEntropy', input: { kind: 'logits' }, target: { kind: 'labels' }, options: { grad: true, zLoss: 1e-3, softcap: 5, reduction: 'none' } }],
  ['dense CE', { op: 'crossEntropy', input: { kind: 'logits' }, target: { kind: 'probs' }, options: { grad: true, reduction: 'none' } }],
  ['CE from probabilities', { op: 'crossEntropy', input: { kind: 'probs' }, target: { kind: 'labels' }, options: { grad: true, from: 'probs', reduction: 'none' } }],
  ['BCE from logits', { op: 'binaryCrossEntropy', input: { kind: 'logits' }, target: { kind: 'binary' }, options: { grad: true, posWeight: 2, reduction: 'none' } }],
  ['entropy in bits', { op: 'entropy', input: { kind: 'probs' }, options: { grad: true, base: 2, reduction: 'none' } }],
  ['entropy from logits', { op: 'entropy', input: { kind: 'logits' }, options: { grad: true, from: 'logits', reduction: 'none' } }],
  ['KL from logits', { op: 'klDivergence', input: { kind: 'logits' }, target: { kind: 'probs' }, options: { grad: true, reduction: 'none' } }],
];

// Cold pipeline compiles on a CPU Vulkan take seconds each.
describe('Node (Dawn): every operation against the oracle', { timeout: 120_000 }, () => {
  for (const [name, spec] of OPS) {
    for (const [rows, cols] of SHAPES) {
      it(`${name} [${rows}, ${cols}]`, () => expectOk({ ...spec, rows, cols, seed: rows * 7 + cols, tol: lossTol(spec.op, cols), gradTol: gradTol(spec.op) }));
    }
  }
});

describe('Node (Dawn): edges, chunks, reductions', { timeout: 120_000 }, () => {
  const edge = (name: string, rows: number, cols: number, x: number[], y: number[], options: Record<string, unknown> = {}) =>
    it(name, () => expectOk({
      op: 'crossEntropy', rows, cols, input: { kind: 'data', data: x }, target: { kind: 'data', data: y, shape: [rows] },
      options: { grad: true, reduction: 'none', ...options }, tol: TOL.loss, gradTol: TOL.grad(),
    }));
  edge('a masked target class gives +Infinity', 1, 4, [1, -Infinity, 2, 0.5], [1]);
  edge('NaN in a row gives NaN for that row only', 2, 3, [1, NaN, 2, 1, 2, 3], [0, 1]);
  edge('huge logits stay finite', 2, 3, [1e30, -1e30, 0, 3e38, 3e38, -3e38], [1, 0]);
  edge('all rows ignored, mean, NaN', 3, 2, [1, 2, 3, 4, 5, 6], [-100, -100, -100], { reduction: 'mean' });
  edge('kept rows of weight 0: mean is 0/0', 2, 3, [1, 2, 3, 3, 2, 1], [0, 0], { weight: [0, 1, 1], reduction: 'mean' });
  it('rows chunked through an 8 KiB binding (the extras, 5 words a row, are bound whole)', () => expectOk({
    op: 'crossEntropy', rows: 300, cols: 101, seed: 3, context: { maxBindingBytes: 8192 }, input: { kind: 'logits' }, target: { kind: 'labels', ignoreFrac: 0.1 },
    options: { grad: true, extras: true, labelSmoothing: 0.1 }, tol: TOL.loss, gradTol: TOL.grad(),
  }));
  it('workgroup-tree reductions (subgroups off), long rows', () => expectOk({
    op: 'crossEntropy', rows: 4, cols: 50257, seed: 4, context: { subgroups: false }, input: { kind: 'logits' }, target: { kind: 'labels' },
    options: { grad: true, reduction: 'sum' }, tol: TOL.loss, gradTol: TOL.grad(),
  }));
  it('focalLoss, labels and dense, a long row', async () => {
    for (const target of [{ kind: 'labels', ignoreFrac: 0.2 }, { kind: 'probs' }] as const) {
      await expectOk({
        op: 'focalLoss', rows: 3, cols: 20000, seed: 6, input: { kind: 'logits' }, target,
        options: { grad: true, gamma: 2, alpha: 'random', reduction: 'none' }, tol: TOL.focalRow, gradTol: TOL.focalGrad(2),
      });
    }
  });
  it('binaryFocalLoss, soft targets', () => expectOk({
    op: 'binaryFocalLoss', rows: 64, cols: 65, seed: 7, input: { kind: 'logits' }, target: { kind: 'uniform' },
    options: { grad: true, reduction: 'none', gamma: 0.5 }, tol: TOL.focal, gradTol: TOL.focalGrad(0.5),
  }));
  it('the same bits on two runs', () => expectOk({
    op: 'crossEntropy', rows: 333, cols: 1000, seed: 5, input: { kind: 'logits' }, target: { kind: 'labels' },
    options: { grad: true, reduction: 'mean' }, tol: TOL.loss, gradTol: TOL.grad(), determinism: true,
  }));
});
