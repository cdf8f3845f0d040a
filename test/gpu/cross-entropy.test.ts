// Cross-entropy and softmax on the GPU against the float64 oracle: a random grid over shapes and
// options, the edge battery of STYLE.md, chunking, many rows, determinism, buffers, errors.
import { describe, it, expect } from 'vitest';
import { useGpuPage } from './harness';
import type { CheckSpec } from '../util/spec';
import { assertClose } from '../util/allclose';
import { TOL } from '../util/tolerances';

const gpu = useGpuPage();
const expectOk = gpu.check;
// Loss, log-sum-exp and softmax at TOL.loss, gradients at TOL.grad (reasons there).
const LOSS = TOL.loss;
const GRAD = TOL.grad();

const ROWS = [1, 2, 3, 7, 64, 1000];
const CLASSES = [1, 2, 3, 4, 5, 7, 63, 64, 65, 255, 256, 257, 1000, 4097, 32000, 50257];
// Products above 8M elements are left out of the grid to keep `npm test` within its budget on a
// 2-core CPU adapter: [1000, 32000] and [1000, 50257]. The large shapes below stand in for them
// (V = 32000, 50257, 128256 with fewer rows; 70000 rows with 7 and 64 classes), and the
// 128 MiB-binding test runs [1040, 32768].
const MAX_ELEMS = 1 << 23;

describe('crossEntropy: shape grid (sparse labels, logits, grad + extras + smoothing + weights + ignore)', () => {
  for (const rows of ROWS) {
    for (const cols of CLASSES) {
      if (rows * cols > MAX_ELEMS) continue;
      it(`[${rows}, ${cols}]`, () =>
        expectOk({
          op: 'crossEntropy', rows, cols, seed: rows * 7919 + cols,
          input: { kind: 'logits', scale: 4 }, target: { kind: 'labels', ignoreFrac: 0.2 },
          options: { grad: true, extras: true, labelSmoothing: 0.1, weight: 'random', reduction: 'mean' },
          tol: LOSS, gradTol: GRAD,
        }));
    }
  }
  // A CPU adapter gives a thread per row from 8 rows: [4, 128256] and [6, 50257] keep a workgroup
  // per row there (split: [4, 128256]); a GPU gives every shape here but [70000, 7] a workgroup per
  // row, split for [4, 128256], [8, 128256] and [16, 50257].
  for (const [rows, cols] of [[4, 128256], [6, 50257], [8, 128256], [16, 50257], [40, 32000], [70000, 7], [70000, 64], [2048, 1000]]) {
    it(`large [${rows}, ${cols}]`, () =>
      expectOk({
        op: 'crossEntropy', rows, cols, seed: 5,
        input: { kind: 'logits', scale: 3 }, target: { kind: 'labels', ignoreFrac: 0.1 },
        options: { grad: true, extras: true, reduction: 'mean' }, tol: LOSS, gradTol: GRAD,
      }));
  }
});

describe('crossEntropy: portable row reduction (subgroups off) on the same grid points', () => {
  // Fewer than 8 rows: a workgroup per row (the tree) on a CPU adapter too; [64, 257], [1000, 64]
  // a thread per row there.
  for (const [rows, cols] of [[3, 65], [6, 257], [64, 257], [7, 4097], [2, 50257], [1000, 64]] as [number, number][]) {
    for (const options of [
      { grad: true, extras: true, labelSmoothing: 0.1, weight: 'random' },
      { grad: true, extras: true, from: 'probs', normalize: true },
    ]) {
      it(`[${rows}, ${cols}] ${options.from ?? 'logits'}`, () =>
        expectOk({
          op: 'crossEntropy', rows, cols, seed: rows + 3 * cols, context: { subgroups: false },
          input: { kind: options.from === 'probs' ? 'uniform' : 'logits' }, target: { kind: 'labels', ignoreFrac: 0.1 },
          options, tol: LOSS, gradTol: GRAD, determinism: true,
        }));
    }
  }
});

describe('crossEntropy: every option', () => {
  const shapes: [number, number][] = [[7, 5], [33, 257]];
  const cases: { name: string; input: CheckSpec['input']; target: CheckSpec['target']; options: Record<string, unknown> }[] = [];
  for (const reduction of ['none', 'sum', 'mean']) {
    for (const base of ['e', 2]) {
      cases.push({ name: `sparse logits ${reduction} base ${base}`, input: { kind: 'logits' }, target: { kind: 'labels' }, options: { reduction, base } });
    }
    cases.push({ name: `sparse weights+smoothing+ignore ${reduction}`, input: { kind: 'logits' }, target: { kind: 'labels', ignoreFrac: 0.3 }, options: { reduction, weight: 'random', labelSmoothing: 0.2 } });
    cases.push({ name: `sparse zLoss+softcap ${reduction}`, input: { kind: 'logits', scale: 10 }, target: { kind: 'labels' }, options: { reduction, zLoss: 1e-3, softcap: 5 } });
    cases.push({ name: `dense soft targets weights+smoothing ${reduction}`, input: { kind: 'logits' }, target: { kind: 'probs' }, options: { reduction, weight: 'random', labelSmoothing: 0.1 } });
    cases.push({ name: `dense one-hot zLoss ${reduction}`, input: { kind: 'logits' }, target: { kind: 'onehot' }, options: { reduction, zLoss: 1e-2, base: 2 } });
    cases.push({ name: `probs sparse ${reduction}`, input: { kind: 'probs' }, target: { kind: 'labels', ignoreFrac: 0.2 }, options: { reduction, labelSmoothing: 0.1, weight: 'random' } });
    cases.push({ name: `probs dense normalize ${reduction}`, input: { kind: 'uniform', lo: 0, hi: 1 }, target: { kind: 'probs' }, options: { reduction, normalize: true } });
    cases.push({ name: `probs sparse normalize eps ${reduction}`, input: { kind: 'uniform', lo: 0, hi: 1 }, target: { kind: 'labels' }, options: { reduction, normalize: true, epsilon: 1e-3 } });
  }
  for (const [rows, cols] of shapes) {
    for (const c of cases) {
      it(`${c.name} [${rows}, ${cols}]`, () =>
        expectOk({ op: 'crossEntropy', rows, cols, seed: rows + cols, input: c.input, target: c.target, options: { ...c.options, grad: true, extras: true }, tol: LOSS, gradTol: GRAD }));
    }
  }
});

describe('crossEntropy: numeric contract (edge battery)', () => {
  const NI = -Infinity;
  const edge = (name: string, rows: number, cols: number, x: number[], y: number[], options: Record<string, unknown> = {}) =>
    it(name, () =>
      expectOk({
        op: 'crossEntropy', rows, cols,
        input: { kind: 'data', data: x }, target: { kind: 'data', data: y, shape: [rows] },
        options: { grad: true, reduction: 'none', ...options }, tol: LOSS, gradTol: GRAD,
      }));
  edge('a masked non-target class costs nothing', 1, 4, [1, NI, 2, 0.5], [2]);
  edge('a masked target class gives +Infinity', 1, 4, [1, NI, 2, 0.5], [1]);
  edge('an all-masked row gives +Infinity and a zero gradient', 2, 3, [NI, NI, NI, 1, 2, 3], [0, 2]);
  edge('smoothing over a masked class gives +Infinity', 1, 3, [1, NI, 2], [0], { labelSmoothing: 0.1 });
  edge('NaN in a row gives NaN loss and gradient for that row only', 2, 3, [1, NaN, 2, 1, 2, 3], [0, 1]);
  edge('+Infinity in a row gives NaN for that row', 2, 3, [1, Infinity, 2, 1, 2, 3], [0, 1]);
  edge('huge logits stay finite', 2, 3, [1e30, -1e30, 0, 3e38, 3e38, -3e38], [1, 0]);
  edge('all-equal rows', 2, 5, [7, 7, 7, 7, 7, -3, -3, -3, -3, -3], [4, 0]);
  edge('an ignored row holding NaN is still ignored', 2, 2, [NaN, 1, 0, 1], [-100, 1]);
  edge('one class: loss 0', 3, 1, [5, -2, 0], [0, 0, 0]);
  for (const allIgnored of ['nan', 'zero']) {
    for (const reduction of ['mean', 'sum', 'none']) {
      edge(`all rows ignored, ${reduction}, allIgnored '${allIgnored}'`, 3, 2, [1, 2, 3, 4, 5, 6], [-100, -100, -100], { reduction, allIgnored });
    }
  }
  edge('a masked label of weight 0 costs nothing (no 0·Infinity)', 2, 3, [NI, 1, 2, 0, 1, 2], [0, 0], { weight: [0, 1, 1] });
  // Kept rows whose label weights sum to 0: IEEE x/0 for the mean, loss and gradient (PyTorch).
  edge('mean over kept rows of weight 0 is 0/0 = NaN', 2, 3, [1, 2, 3, 3, 2, 1], [0, 0], { weight: [0, 1, 1], reduction: 'mean' });
  edge('mean over kept rows of weight 0 with smoothing is +Infinity', 2, 3, [1, 2, 3, 3, 2, 1], [0, 0], { weight: [0, 1, 1], reduction: 'mean', labelSmoothing: 0.1 });
  edge('kept rows of weight 0 are not an empty batch (allIgnored zero)', 3, 3, [1, 2, 3, 3, 2, 1, 0, 0, 0], [0, -100, 0], { weight: [0, 1, 1], reduction: 'mean', allIgnored: 'zero', labelSmoothing: 0.1 });
  edge('custom ignoreIndex', 3, 3, [1, 2, 3, 1, 2, 3, 1, 2, 3], [2, 7, 0], { ignoreIndex: 7, reduction: 'mean' });
});

describe('crossEntropy: large inputs, chunks, determinism', () => {
  it('rows split into chunks of a lowered binding size (unaligned offsets)', () =>
    expectOk({
      // 8 KiB: the extras' five words per row bound whole, the input in chunks of 19 rows.
      op: 'crossEntropy', rows: 300, cols: 101, seed: 3, context: { maxBindingBytes: 8192 },
      input: { kind: 'logits' }, target: { kind: 'labels', ignoreFrac: 0.1 },
      options: { grad: true, extras: true, labelSmoothing: 0.1 }, tol: LOSS, gradTol: GRAD,
    }));
  it('dense targets and probabilities in chunks', () =>
    expectOk({
      op: 'crossEntropy', rows: 100, cols: 37, seed: 4, context: { maxBindingBytes: 2048 },
      input: { kind: 'probs' }, target: { kind: 'probs' }, options: { grad: true, from: 'probs', normalize: true }, tol: LOSS, gradTol: GRAD,
    }));
  it('an input larger than the default 128 MiB binding, on a device with default limits', () =>
    expectOk({
      op: 'crossEntropy', rows: 1040, cols: 32768, seed: 9, context: { defaultLimits: true },
      input: { kind: 'logits' }, target: { kind: 'labels' }, options: { reduction: 'sum' }, tol: LOSS,
    }));
  it('the same input gives the same bits twice', () =>
    expectOk({
      op: 'crossEntropy', rows: 513, cols: 1000, seed: 11, determinism: true,
      input: { kind: 'logits' }, target: { kind: 'labels' }, options: { grad: true, extras: true }, tol: LOSS, gradTol: GRAD,
    }));
});

describe('crossEntropy: few long rows split across workgroups', () => {
  for (const [rows, cols, from] of [[1, 4097, 'logits'], [2, 50257, 'logits'], [3, 20000, 'dense']] as [number, number, string][]) {
    it(`[${rows}, ${cols}] ${from} is split and matches the oracle`, async () => {
      expect(await gpu.call<number>('splitParts', rows, cols)).toBeGreaterThan(1);
      await expectOk({
        op: 'crossEntropy', rows, cols, seed: 17, determinism: true,
        input: { kind: 'logits', scale: 4 }, target: from === 'dense' ? { kind: 'probs' } : { kind: 'labels' },
        options: { grad: true, extras: true, labelSmoothing: 0.1, weight: 'random', zLoss: 1e-3, reduction: 'sum' }, tol: LOSS, gradTol: GRAD,
      });
    });
  }
});

describe('GPU tensors as inputs, and queued calls', () => {
  const cases: CheckSpec[] = [
    { op: 'crossEntropy', rows: 33, cols: 100, input: { kind: 'logits' }, target: { kind: 'labels', ignoreFrac: 0.2 }, options: { grad: true, extras: true }, tol: LOSS, gradTol: GRAD },
    { op: 'crossEntropy', rows: 9, cols: 20, input: { kind: 'logits' }, target: { kind: 'probs' }, options: { grad: true, weight: 'random' }, tol: LOSS, gradTol: GRAD },
    { op: 'softmax', rows: 5, cols: 300, input: { kind: 'logits' }, options: {}, tol: LOSS },
    { op: 'binaryCrossEntropy', rows: 6, cols: 50, input: { kind: 'logits' }, target: { kind: 'uniform' }, options: { grad: true, posWeight: 'random' }, tol: LOSS, gradTol: GRAD },
    { op: 'entropy', rows: 6, cols: 50, input: { kind: 'logits' }, options: { grad: true, from: 'logits' }, tol: LOSS, gradTol: GRAD },
    { op: 'klDivergence', rows: 6, cols: 50, input: { kind: 'logits' }, target: { kind: 'probs' }, options: { grad: true }, tol: LOSS, gradTol: GRAD },
  ];
  for (const c of cases) it(`${c.op} from GpuTensors`, () => expectOk({ ...c, gpuInputs: true, seed: 8 }));
  it('32 calls queued before any readback all match the oracle', async () => {
    const r = await gpu.call<{ bad: string[] }>('queued', 32);
    expect(r.bad).toEqual([]);
  });
});

describe('crossEntropy: buffers the caller owns', () => {
  // [37, 300]: a thread per row on a CPU adapter; [5, 300]: a workgroup per row everywhere, whose
  // threads must read the label's logit before any of them overwrites the row in place.
  for (const [rows, cols, seed] of [[37, 300, 21], [5, 300, 22]]) {
    it(`[${rows}, ${cols}] in-place gradient and gradOut match the oracle; labels untouched`, async () => {
      await gpu.expectOk('crossEntropyBuffers', rows, cols, seed);
    });
  }
  it('GPU-resident labels out of range: counted, NaN rows, checkLabels throws', async () => {
    const r = await gpu.call<{ invalid: number; loss: number[]; thrown?: string; labelsAfter: number[] }>('crossEntropyGpuLabels');
    expect(r.invalid).toBe(2);
    expect(r.loss[1]).toBeNaN();
    expect(r.loss[2]).toBeNaN();
    expect(r.loss[3]).toBe(0);
    assertClose([r.loss[0]], [2.40760596], TOL.quoted(5), 'loss of [1, 2, 3] against 0');
    expect(r.thrown).toMatch(/LabelRangeError: target: 2 label/);
    expect(r.labelsAfter).toEqual([0, 3, -1, -100]);
  });
});

describe('softmax and logSoftmax', () => {
  for (const op of ['softmax', 'logSoftmax'] as const) {
    for (const [rows, cols] of [[1, 1], [3, 7], [64, 33], [5, 4097], [2, 50257], [70000, 3]]) {
      for (const temperature of [1, 0.5, 3]) {
        it(`${op} [${rows}, ${cols}] T=${temperature}`, () =>
          expectOk({ op, rows, cols, seed: cols, input: { kind: 'logits', scale: 5 }, options: { temperature }, tol: LOSS }));
      }
    }
    it(`${op} [50, 300] with the portable row reduction`, () =>
      expectOk({ op, rows: 50, cols: 300, seed: 2, context: { subgroups: false }, input: { kind: 'logits', scale: 5 }, options: {}, tol: LOSS, determinism: true }));
    // (x - max) / T, never x / T: a tiny T gives one-hot rows (log: differences of ~1e31, and
    // -Infinity where even the float64 answer is beyond float32), a huge T a flat row.
    for (const temperature of [1e-30, 3e38]) {
      for (const gpuShaped of [false, true]) {
        it(`${op} T=${temperature}${gpuShaped ? ', GPU-shaped' : ''}`, () =>
          expectOk({
            op, rows: 9, cols: 1500, seed: 4, context: gpuShaped ? { gpuShaped } : undefined,
            input: { kind: 'logits', scale: temperature < 1 ? 5 : 1e10 }, options: { temperature }, tol: LOSS,
          }));
      }
    }
    it(`${op} T=1e-30 edge rows: overflowing differences, ties, masked`, () =>
      expectOk({
        op, rows: 3, cols: 3, input: { kind: 'data', data: [0, 1e10, -1e10, 3e38, -3e38, 3e38, -Infinity, 1, 1] },
        options: { temperature: 1e-30 }, tol: LOSS,
      }));
    it(`${op} edge rows: masked, all-masked, NaN, huge`, () =>
      expectOk({
        op, rows: 4, cols: 3, input: { kind: 'data', data: [1, -Infinity, 2, -Infinity, -Infinity, -Infinity, NaN, 1, 2, 1e30, 0, -1e30] },
        options: {}, tol: LOSS,
      }));
  }
});
