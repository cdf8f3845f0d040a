// crossEntropy's evaluation extras (labelLogProb, entropy, topKHit) and the streaming evaluator on
// the GPU against the float64 oracle: a random grid and an edge battery, each on the adapter's own
// launch shapes and on GPU-shaped ones (a workgroup per row, split rows).
import { describe, it } from 'vitest';
import { useGpuPage } from './harness';
import type { ContextSpec } from '../util/spec';
import { TOL } from '../util/tolerances';

const gpu = useGpuPage();
const expectOk = gpu.check;
const LOSS = TOL.loss;
const NI = -Infinity;
const LAUNCHES: [string, ContextSpec | undefined][] = [['adapter launch', undefined], ['GPU-shaped', { gpuShaped: true }]];

describe('crossEntropy extras: entropy, ln p of the label, top-k hits (random grid)', () => {
  // Odd sizes, classes past 1024 and one long row (blockwise sums; split on GPU-shaped launches).
  const GRID: [number, number, number, Record<string, unknown>][] = [
    [1, 3, 2, {}],
    [7, 65, 5, { softcap: 5 }],
    [33, 1031, 10, { base: 2, labelSmoothing: 0.1 }],
    [2, 50257, 100, {}],
  ];
  for (const [name, context] of LAUNCHES) {
    for (const [rows, cols, topK, extra] of GRID) {
      it(`[${rows}, ${cols}] top-${topK} ${JSON.stringify(extra)}, ${name}`, () =>
        expectOk({
          op: 'crossEntropy', rows, cols, seed: rows * 31 + cols, context, determinism: true,
          input: { kind: 'logits', scale: 3 }, target: { kind: 'labels', ignoreFrac: 0.2 },
          options: { extras: true, topK, reduction: 'none', grad: true, ...extra }, tol: LOSS, gradTol: TOL.grad(),
        }));
    }
    it(`dense targets get the entropy, ${name}`, () =>
      expectOk({
        op: 'crossEntropy', rows: 9, cols: 300, seed: 4, context,
        input: { kind: 'logits' }, target: { kind: 'probs' }, options: { extras: true, reduction: 'none' }, tol: LOSS,
      }));
  }
});

describe('crossEntropy extras: edge battery', () => {
  const edge = (name: string, rows: number, cols: number, x: number[], y: number[], options: Record<string, unknown> = {}) => {
    for (const [launch, context] of LAUNCHES) {
      it(`${name}, ${launch}`, () =>
        expectOk({
          op: 'crossEntropy', rows, cols, context,
          input: { kind: 'data', data: x }, target: { kind: 'data', data: y, shape: [rows] },
          options: { extras: true, topK: 2, reduction: 'none', ...options }, tol: LOSS,
        }));
    }
  };
  edge('ties at the k-th count as hits', 3, 5, [1, 3, 3, 3, 0, 1, 3, 3, 2, 0, 5, 5, 5, 5, 5], [3, 3, 4]);
  edge('NaN ranks above every number', 3, 4, [NaN, 1, 2, 0, NaN, NaN, 2, 0, 1, NaN, 3, 2], [2, 0, 1]);
  edge('+Infinity and -Infinity in the ranking', 3, 4, [Infinity, 1, 2, 0, NI, 1, 2, 0, NI, NI, NI, NI], [2, 0, 1]);
  edge('a masked label: ln p = -Infinity', 2, 3, [1, NI, 2, 0, 1, 2], [1, 2]);
  edge('an all-masked row: entropy NaN, ln p -Infinity', 2, 3, [NI, NI, NI, 1, 2, 3], [0, 2]);
  edge('huge logits', 2, 3, [1e30, -1e30, 0, 3e38, 3e38, -3e38], [1, 0]);
  edge('a certain row has entropy 0', 2, 3, [100, -100, -100, 0, 0, 0], [0, 2]);
  edge('ignored rows: ln p 0, no hit', 3, 3, [NaN, 1, 0, 1, 2, 3, 3, 2, 1], [-100, -100, 0]);
  edge('k > classes: every kept row hits', 2, 3, [1, 2, 3, 3, 2, 1], [0, 2], { topK: 7 });
  edge('k = 1 with a tie at the top', 2, 3, [2, 2, 1, 0, 1, 1], [1, 2], { topK: 1 });
  edge('soft-capped logits', 2, 4, [100, 99, -50, 3, 1, 2, 3, 4], [1, 3], { softcap: 2 });
  edge('entropy in bits', 2, 4, [0, 0, 0, 0, 1, 2, 3, 4], [1, 3], { base: 2 });
});
