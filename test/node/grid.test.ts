// The browser suite's oracle comparison (test/util/check.ts), run in Node on Dawn's binding
// (webgpu-loss/node, SwiftShader's Vulkan driver here): every operation over a grid of shapes,
// part of the edge battery, row chunking, the workgroup-tree reductions, determinism.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { dawnLoss } from './dawn';
import { WebGPULoss } from '../../src/index';
import { check } from '../util/check';
import type { CheckSpec, ContextSpec } from '../gpu/page-types';

let wl: WebGPULoss;
const contexts = new Map<string, Promise<WebGPULoss>>();
function contextFor(spec: ContextSpec | undefined): Promise<WebGPULoss> {
  if (!spec) return Promise.resolve(wl);
  const key = JSON.stringify(spec);
  if (!contexts.has(key)) contexts.set(key, WebGPULoss.create({ device: wl.device, maxBindingBytes: spec.maxBindingBytes, subgroups: spec.subgroups }));
  return contexts.get(key)!;
}

beforeAll(async () => {
  wl = await dawnLoss();
}, 60_000);
afterAll(() => wl?.dispose());

async function expectOk(spec: CheckSpec): Promise<void> {
  const r = await check(spec, contextFor);
  expect(r.ok, r.messages.join('\n')).toBe(true);
}

// The browser suite's tolerances, for the same reasons (f32 sums over a row; exp turning the
// log-sum-exp's absolute error into a relative one; see test/gpu/*.test.ts): per-row values
// 1e-5 relative, gradients 1e-4; 'none' keeps per-row values free of the mean's scale.
const LOSS = { rtol: 1e-5, atol: 2e-6 };
const GRAD = { rtol: 1e-4, atol: 1e-6 };
// BCE with 0/1 targets: one softplus per element, no cancellation; checked to the float32 floor.
const BCE = { rtol: 1e-5, atol: 1e-36 };

const SHAPES: [number, number][] = [[1, 1], [3, 7], [64, 100], [7, 257], [5, 4097], [2, 32000]];
const OPS: [string, Omit<CheckSpec, 'rows' | 'cols' | 'tol'> & { tol?: CheckSpec['tol'] }][] = [
  ['softmax', { op: 'softmax', input: { kind: 'logits' }, options: { temperature: 2 } }],
  ['logSoftmax', { op: 'logSoftmax', input: { kind: 'logits' } }],
  ['sparse CE, smoothing, weights, ignore', { op: 'crossEntropy', input: { kind: 'logits' }, target: { kind: 'labels', ignoreFrac: 0.2 }, options: { grad: true, extras: true, labelSmoothing: 0.1, weight: 'random', reduction: 'none' } }],
  ['sparse CE, z-loss and soft-cap', { op: 'crossEntropy', input: { kind: 'logits' }, target: { kind: 'labels' }, options: { grad: true, zLoss: 1e-3, softcap: 5, reduction: 'none' } }],
  ['dense CE', { op: 'crossEntropy', input: { kind: 'logits' }, target: { kind: 'probs' }, options: { grad: true, reduction: 'none' } }],
  ['CE from probabilities', { op: 'crossEntropy', input: { kind: 'probs' }, target: { kind: 'labels' }, options: { grad: true, from: 'probs', reduction: 'none' } }],
  ['BCE from logits', { op: 'binaryCrossEntropy', input: { kind: 'logits' }, target: { kind: 'binary' }, options: { grad: true, posWeight: 2, reduction: 'none' }, tol: BCE }],
  ['entropy in bits', { op: 'entropy', input: { kind: 'probs' }, options: { grad: true, base: 2, reduction: 'none' } }],
  ['entropy from logits', { op: 'entropy', input: { kind: 'logits' }, options: { grad: true, from: 'logits', reduction: 'none' } }],
  ['KL from logits', { op: 'klDivergence', input: { kind: 'logits' }, target: { kind: 'probs' }, options: { grad: true, reduction: 'none' } }],
];

// Cold pipeline compiles on a CPU Vulkan take seconds each.
describe('Node (Dawn): every operation against the oracle', { timeout: 120_000 }, () => {
  for (const [name, spec] of OPS) {
    for (const [rows, cols] of SHAPES) {
      it(`${name} [${rows}, ${cols}]`, () => expectOk({ tol: LOSS, gradTol: spec.tol ?? GRAD, ...spec, rows, cols, seed: rows * 7 + cols } as CheckSpec));
    }
  }
});

describe('Node (Dawn): edges, chunks, reductions', { timeout: 120_000 }, () => {
  const edge = (name: string, rows: number, cols: number, x: CheckSpec['input']['data'], y: number[], options: Record<string, unknown> = {}) =>
    it(name, () => expectOk({
      op: 'crossEntropy', rows, cols, input: { kind: 'data', data: x }, target: { kind: 'data', data: y, shape: [rows] },
      options: { grad: true, reduction: 'none', ...options }, tol: LOSS, gradTol: GRAD,
    }));
  edge('a masked target class gives +Infinity', 1, 4, [1, '-Infinity', 2, 0.5], [1]);
  edge('NaN in a row gives NaN for that row only', 2, 3, [1, 'NaN', 2, 1, 2, 3], [0, 1]);
  edge('huge logits stay finite', 2, 3, [1e30, -1e30, 0, 3e38, 3e38, -3e38], [1, 0]);
  edge('all rows ignored, mean, NaN', 3, 2, [1, 2, 3, 4, 5, 6], [-100, -100, -100], { reduction: 'mean' });
  edge('kept rows of weight 0: mean is 0/0', 2, 3, [1, 2, 3, 3, 2, 1], [0, 0], { weight: [0, 1, 1], reduction: 'mean' });
  it('rows chunked through a 4 KiB binding', () => expectOk({
    op: 'crossEntropy', rows: 300, cols: 101, seed: 3, context: { maxBindingBytes: 4096 }, input: { kind: 'logits' }, target: { kind: 'labels', ignoreFrac: 0.1 },
    options: { grad: true, extras: true, labelSmoothing: 0.1 }, tol: LOSS, gradTol: GRAD,
  }));
  it('workgroup-tree reductions (subgroups off), long rows', () => expectOk({
    op: 'crossEntropy', rows: 4, cols: 50257, seed: 4, context: { subgroups: false }, input: { kind: 'logits' }, target: { kind: 'labels' },
    options: { grad: true, reduction: 'sum' }, tol: LOSS, gradTol: GRAD,
  }));
  it('the same bits on two runs', () => expectOk({
    op: 'crossEntropy', rows: 333, cols: 1000, seed: 5, input: { kind: 'logits' }, target: { kind: 'labels' },
    options: { grad: true, reduction: 'mean' }, tol: LOSS, gradTol: GRAD, determinism: true,
  }));
});
