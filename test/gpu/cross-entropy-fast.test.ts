// The cross-entropy kernel's fast pass (calls without extras, smoothing or dense targets: only the
// online max and sum, branch-free, and a row redone by the careful pass when it holds a -Infinity
// mask, NaN, +Infinity or a logit of magnitude >= 2^64), against the float64 oracle. The main
// grid (cross-entropy.test.ts) asks for extras, which take the careful pass; here every kernel
// shape meets the fast one: a thread per row, a workgroup per row (strided on a GPU, contiguous
// slices on a CPU adapter), split rows, the subgroup and the tree reductions, and rows whose
// specials send them to the redo, beside clean rows in the same call.
import { describe, it } from 'vitest';
import { useGpuPage } from './harness';
import { mulberry32, randomLogits } from '../../src/reference/index';
import { TOL } from '../util/tolerances';

const expectOk = useGpuPage().check;
const LOSS = TOL.loss;
const GRAD = TOL.grad();

// [3, 257], [7, 4097]: a workgroup per row; [300, 1000], [300, 4097], [8, 128256]: a thread per
// row on a CPU adapter (>= 8 rows), a workgroup per row (split for [8, 128256]) on a GPU;
// [1, 50257], [4, 128256]: split rows; [5, 2], [70000, 7]: a thread per row everywhere (the tail
// loop alone, and full steps + tail).
const SHAPES: [number, number][] = [[5, 2], [3, 257], [7, 4097], [300, 1000], [300, 4097], [1, 50257], [4, 128256], [8, 128256], [70000, 7]];

describe('crossEntropy fast pass: clean rows', () => {
  for (const [rows, cols] of SHAPES) {
    it(`[${rows}, ${cols}] mean, grad`, () =>
      expectOk({
        op: 'crossEntropy', rows, cols, seed: rows * 31 + cols,
        input: { kind: 'logits', scale: 4 }, target: { kind: 'labels', ignoreFrac: 0.1 },
        options: { grad: true, reduction: 'mean' }, tol: LOSS, gradTol: GRAD,
      }));
  }
  it('[300, 1000] weights, z-loss, soft-cap, bits, sum', () =>
    expectOk({
      op: 'crossEntropy', rows: 300, cols: 1000, seed: 12,
      input: { kind: 'logits', scale: 20 }, target: { kind: 'labels', ignoreFrac: 0.2 },
      options: { grad: true, weight: 'random', zLoss: 1e-3, softcap: 15, base: 2, reduction: 'sum' }, tol: LOSS, gradTol: GRAD,
    }));
  // |z| / c up to 100: past where SwiftShader's tanh overflows to NaN (~89); the cap clamps it.
  for (const [rows, cols] of [[12, 300], [5, 300]] as [number, number][]) {
    for (const extras of [false, true]) {
      it(`[${rows}, ${cols}] soft-cap 30 on logits up to ±3000${extras ? ', extras (careful pass)' : ''}`, () =>
        expectOk({
          op: 'crossEntropy', rows, cols, seed: rows + cols,
          input: { kind: 'logits', scale: 3000 }, target: { kind: 'labels' },
          options: { grad: true, softcap: 30, extras, reduction: 'none' }, tol: LOSS, gradTol: GRAD,
        }));
    }
  }
  it('[7, 4097] with the workgroup-tree reduction', () =>
    expectOk({
      op: 'crossEntropy', rows: 7, cols: 4097, seed: 13, context: { subgroups: false },
      input: { kind: 'logits', scale: 3 }, target: { kind: 'labels' },
      options: { grad: true, reduction: 'none' }, tol: LOSS, gradTol: GRAD,
    }));
  it('[300, 1000] gives the same bits twice', () =>
    expectOk({
      op: 'crossEntropy', rows: 300, cols: 1000, seed: 14, determinism: true,
      input: { kind: 'logits', scale: 3 }, target: { kind: 'labels' },
      options: { grad: true }, tol: LOSS, gradTol: GRAD,
    }));
});

/**
 * Seeded logits [rows, cols] where row 0 has masked classes (not its label), row 1 a NaN, row 2
 * huge logits (±3e38, 1e30), row 3 a label on a masked class, row 4 is all masked, row 5 a
 * +Infinity; the other rows are clean. Labels avoid the masks except in row 3.
 */
function withSpecials(rows: number, cols: number, seed: number): { x: number[]; y: number[] } {
  const rng = mulberry32(seed);
  const v = Array.from(randomLogits(rng, rows, cols, 3));
  const y = Array.from({ length: rows }, () => Math.floor(rng() * cols));
  const at = (r: number, c: number, val: number) => { v[r * cols + (c % cols)] = val; };
  y[0] = 0;
  for (const c of [1, 2, Math.floor(cols / 2), cols - 1]) at(0, c, -Infinity);
  at(1, Math.floor(cols / 3), NaN);
  at(2, 1, 3e38);
  at(2, cols - 2, -3e38);
  at(2, Math.floor(cols / 2), 1e30);
  y[2] = Math.floor(cols / 2);
  at(3, y[3], -Infinity);
  if (rows > 4) for (let c = 0; c < cols; c++) at(4, c, -Infinity);
  if (rows > 5) at(5, cols - 1, Infinity);
  return { x: v, y };
}

describe('crossEntropy fast pass: rows with masks, NaN, infinities and huge logits', () => {
  for (const [rows, cols] of [[6, 257], [6, 4097], [300, 1000], [6, 50257], [256, 64], [6, 9]] as [number, number][]) {
    for (const reduction of ['none', 'mean'] as const) {
      it(`[${rows}, ${cols}] ${reduction}`, () => {
        const { x, y } = withSpecials(rows, cols, rows * 1009 + cols);
        return expectOk({
          op: 'crossEntropy', rows, cols,
          input: { kind: 'data', data: x }, target: { kind: 'data', data: y, shape: [rows] },
          options: { grad: true, reduction }, tol: LOSS, gradTol: GRAD,
        });
      });
    }
  }
});

/**
 * Rows 0-31 each hold one special value (NaN, +Infinity, a -Infinity mask on the label, 3e38) at
 * column 24 + (r >> 2) % 8: every position of the fast pass's eight-wide step, away from the tail.
 */
function specialEachPosition(rows: number, cols: number, seed: number): { x: number[]; y: number[] } {
  const rng = mulberry32(seed);
  const v = Array.from(randomLogits(rng, rows, cols, 3));
  const y = Array.from({ length: rows }, () => Math.floor(rng() * cols));
  for (let r = 0; r < Math.min(rows, 32); r++) {
    const c = 24 + ((r >> 2) % 8);
    const kind = r % 4;
    if (kind === 2) y[r] = c;
    v[r * cols + c] = [NaN, Infinity, -Infinity, 3e38][kind];
  }
  return { x: v, y };
}

describe('crossEntropy fast pass: a special value at each position of a step', () => {
  for (const [rows, cols] of [[256, 64], [32, 1000]] as [number, number][]) {
    for (const grad of [false, true]) {
      it(`[${rows}, ${cols}] ${grad ? 'grad' : 'forward'}`, () => {
        const { x, y } = specialEachPosition(rows, cols, rows * 13 + cols);
        return expectOk({
          op: 'crossEntropy', rows, cols,
          input: { kind: 'data', data: x }, target: { kind: 'data', data: y, shape: [rows] },
          options: { grad, reduction: 'none' }, tol: LOSS, gradTol: GRAD,
        });
      });
    }
  }
});

// Forward-only calls without smoothing run `prepare` (the mean's denominator Σ w[y] over kept
// rows, the kept-row count) inside the first row dispatch: the mean must still divide by it, with
// weights, ignored rows, row chunks (prepare in the first chunk only) and every row ignored.
describe('crossEntropy forward only (prepare folded into the row dispatch)', () => {
  for (const [rows, cols] of [[5, 2], [3, 257], [300, 1000], [70000, 7], [2, 50257]] as [number, number][]) {
    it(`[${rows}, ${cols}] mean with weights and ignored rows`, () =>
      expectOk({
        op: 'crossEntropy', rows, cols, seed: rows + 7 * cols,
        input: { kind: 'logits', scale: 3 }, target: { kind: 'labels', ignoreFrac: 0.3 },
        options: { weight: 'random', reduction: 'mean' }, tol: LOSS,
      }));
  }
  it('[300, 101] mean in row chunks of a lowered binding size', () =>
    expectOk({
      op: 'crossEntropy', rows: 300, cols: 101, seed: 15, context: { maxBindingBytes: 4096 },
      input: { kind: 'logits', scale: 3 }, target: { kind: 'labels', ignoreFrac: 0.3 },
      options: { weight: 'random', reduction: 'mean' }, tol: LOSS,
    }));
  for (const allIgnored of ['nan', 'zero'] as const) {
    it(`every row ignored, mean: allIgnored '${allIgnored}'`, () =>
      expectOk({
        op: 'crossEntropy', rows: 4, cols: 6, seed: 16,
        input: { kind: 'logits' }, target: { kind: 'data', data: [-100, -100, -100, -100], shape: [4] },
        options: { reduction: 'mean', allIgnored }, tol: LOSS,
      }));
  }
});
