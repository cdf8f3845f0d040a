// linearJsDivergence on the GPU against the float64 oracle (a float64 matmul, then jsDivergence's
// oracle and the chained gradients): odd shapes, V > 1024, β ∈ {0, 0.5, 1}, T ∈ {1, 2}, the
// reductions, ignored rows, frozenHead, row chunks under a small memoryBudget, inputs on the GPU,
// float16 / bfloat16 hidden, weight and teacher, an edge battery, each on the adapter's launch
// shape and GPU-shaped (a workgroup per row; the head's products in staged tiles).
import { describe, it, expect } from 'vitest';
import { useGpuPage } from './harness';
import type { LinearJsdReport, LinearJsdSpec } from './page/linear-jsd';

const gpu = useGpuPage();
const expectOk = (spec: LinearJsdSpec) => gpu.expectOk<LinearJsdReport>('linearJsdCheck', spec);
const SHAPES = [{}, { context: { gpuShaped: true } }] as const;
const shapeName = (s: object) => ('context' in s ? ', GPU-shaped' : '');

describe('linearJsDivergence: N=7 D=5 V=33, β and T, the reductions', () => {
  const sets: Record<string, unknown>[] = [
    { beta: 0.5, temperature: 1, reduction: 'mean' },
    { beta: 0, temperature: 2, reduction: 'sum' },
    { beta: 1, temperature: 2, reduction: 'none' },
    { beta: 0.5, temperature: 2, reduction: 'mean' },
  ];
  for (const s of SHAPES) {
    sets.forEach((o, i) => {
      it(`${JSON.stringify(o)}${shapeName(s)}`, async () => {
        const rep = await expectOk({ n: 7, d: 5, v: 33, seed: 11 + i, bias: i % 2 === 0, options: { ...o, grad: true }, ...s });
        expect(rep.outputs.sort()).toEqual(i % 2 === 0 ? ['gradBias', 'gradHidden', 'gradWeight', 'loss'] : ['gradHidden', 'gradWeight', 'loss']);
      });
    });
  }
});

describe('linearJsDivergence: V > 1024 in row chunks, ignored rows', () => {
  for (const s of SHAPES) {
    it(`N=9 D=8 V=1031, β 0.5 T 2, rows 1 and 4 ignored, 2-row chunks${shapeName(s)}`, async () => {
      const budget = 2 * 8 * 1031;
      const rep = await expectOk({ n: 9, d: 8, v: 1031, seed: 5, bias: true, ignoreRows: [1, 4], gpuInputs: true,
        options: { beta: 0.5, temperature: 2, grad: true, memoryBudget: budget }, ...s });
      expect(rep.chunkRows).toBe(2);
      // The student's logits are never whole: the call makes no buffer of [N, V] floats (the
      // largest is gradWeight, [V, D]).
      expect(rep.largestBuffer).toBeLessThan(rep.logitsBytes);
      expect(rep.largestBuffer).toBeLessThanOrEqual(Math.ceil((1031 * 8 * 4) / 256) * 256);
    });
  }
  it('N=6 D=4 V=1100, β 0 T 1, sum, one chunk per row, inputs on the GPU', () =>
    expectOk({ n: 6, d: 4, v: 1100, seed: 6, bias: true, ignoreRows: [2], gpuInputs: true,
      options: { beta: 0, reduction: 'sum', grad: true, memoryBudget: 8 * 1100 } }));
  it('N=5 D=3 V=1030, β 1 T 2, no gradient', async () => {
    const rep = await expectOk({ n: 5, d: 3, v: 1030, seed: 7, options: { beta: 1, temperature: 2, memoryBudget: 4 * 1030 * 3 } });
    expect(rep.chunkRows).toBe(3);
    expect(rep.outputs).toEqual(['loss']);
  });
});

describe('linearJsDivergence: several 32×32 tiles along every axis', () => {
  for (const s of SHAPES) {
    it(`N=40 D=37 V=70, β 0.5 T 1, a bias, 34-row chunks${shapeName(s)}`, async () => {
      const rep = await expectOk({ n: 40, d: 37, v: 70, seed: 8, bias: true, ignoreRows: [33],
        options: { beta: 0.5, grad: true, memoryBudget: 34 * 8 * 70 }, ...s });
      expect(rep.chunkRows).toBe(34);
    });
  }
});

describe('linearJsDivergence: frozenHead', () => {
  for (const s of SHAPES) {
    it(`gradHidden only, with a bias${shapeName(s)}`, async () => {
      const rep = await expectOk({ n: 7, d: 5, v: 33, seed: 3, bias: true, ignoreRows: [0],
        options: { beta: 0.5, temperature: 2, grad: true, frozenHead: true }, ...s });
      expect(rep.outputs.sort()).toEqual(['gradHidden', 'loss']);
    });
  }
});

describe("linearJsDivergence: a teacher given as its hidden states and head", () => {
  for (const s of SHAPES) {
    it(`N=7 D=5 V=33, teacher Dt=6 with a bias, β 0.5 T 2${shapeName(s)}`, () =>
      expectOk({ n: 7, d: 5, v: 33, seed: 21, bias: true, teacherHead: { dt: 6, bias: true }, options: { beta: 0.5, temperature: 2, grad: true }, ...s }));
  }
  it('float16 student and teacher head, Dt=6, 3-row chunks, GPU-shaped (staged tiles)', async () => {
    const rep = await expectOk({ n: 7, d: 5, v: 33, seed: 23, bias: true, teacherHead: { dt: 6, bias: true }, dtype: 'float16',
      options: { beta: 0.5, temperature: 2, grad: true, memoryBudget: 3 * 12 * 33 }, context: { gpuShaped: true } });
    expect(rep.chunkRows).toBe(3);
  });
  it('N=9 D=8 V=1031, teacher Dt=12, 2-row chunks, ignored rows, frozen head, inputs on the GPU: neither model\'s [N, V] logits are made', async () => {
    const budget = 2 * 12 * 1031;
    const rep = await expectOk({ n: 9, d: 8, v: 1031, seed: 22, teacherHead: { dt: 12 }, ignoreRows: [3], gpuInputs: true,
      options: { beta: 0, temperature: 2, grad: true, frozenHead: true, memoryBudget: budget } });
    expect(rep.chunkRows).toBe(2);
    expect(rep.outputs.sort()).toEqual(['gradHidden', 'loss']);
    expect(rep.largestBuffer).toBeLessThan(rep.logitsBytes);
    // The budget bounds the three chunks (student logits, their gradient, teacher logits); the
    // per-row losses (4·N, in a 256-byte-rounded buffer) and the call's metadata come on top.
    expect(rep.scratchBytes).toBeGreaterThanOrEqual(budget);
    expect(rep.scratchBytes).toBeLessThanOrEqual(budget + 512);
  });
});

describe('linearJsDivergence: edges', () => {
  for (const s of SHAPES) {
    it(`NaN in a hidden row, +Inf and −Inf teacher logits, huge hidden, an ignored row${shapeName(s)}`, () =>
      expectOk({ n: 7, d: 5, v: 33, seed: 9, bias: true, ignoreRows: [6],
        // row 1: NaN hidden; row 2: a +Inf teacher logit (NaN row); row 3: a masked teacher class;
        // row 4: hidden ×1e4 (logits ~1e4, far past exp's range); row 6: ignored with a NaN teacher.
        hiddenEdits: [[5, NaN], [20, 3e4], [21, -2e4], [22, 1e4]],
        teacherEdits: [[2 * 33 + 4, Infinity], [3 * 33 + 7, -Infinity], [6 * 33, NaN]],
        options: { beta: 0.5, temperature: 2, reduction: 'none', grad: true }, ...s }));
  }
  it('β 0 with a class the teacher masks, β 1 with every teacher class masked in a row', async () => {
    const allMasked = Array.from({ length: 33 }, (_, c) => [2 * 33 + c, -Infinity] as [number, number]);
    await expectOk({ n: 4, d: 5, v: 33, seed: 2, teacherEdits: [[5, -Infinity]], options: { beta: 0, reduction: 'none', grad: true } });
    await expectOk({ n: 4, d: 5, v: 33, seed: 2, teacherEdits: allMasked, options: { beta: 1, reduction: 'none', grad: true } });
  });
  it("every row ignored: 'mean' is NaN (allIgnored 'nan') or 0 ('zero'), gradients 0", async () => {
    const ignoreRows = [0, 1, 2];
    await expectOk({ n: 3, d: 5, v: 33, seed: 4, bias: true, ignoreRows, options: { grad: true } });
    await expectOk({ n: 3, d: 5, v: 33, seed: 4, bias: true, ignoreRows, options: { grad: true, allIgnored: 'zero' }, gpuInputs: true });
  });
});

describe('linearJsDivergence: 16-bit hidden, weight and teacher', () => {
  // The launch shape does not depend on the dtype: float16 runs both, bfloat16 the adapter's.
  for (const dtype of ['float16', 'bfloat16'] as const) {
    for (const s of dtype === 'float16' ? SHAPES : SHAPES.slice(0, 1)) {
      it(`${dtype}, N=7 D=5 V=37, a bias, row 3 ignored, 3-row chunks${shapeName(s)}`, async () => {
        const rep = await expectOk({ n: 7, d: 5, v: 37, seed: 13, bias: true, ignoreRows: [3], dtype, gpuInputs: dtype === 'bfloat16',
          options: { beta: 0.5, temperature: 2, grad: true, memoryBudget: 3 * 8 * 37 }, ...s });
        expect(rep.chunkRows).toBe(3);
        expect(rep.outputs.sort()).toEqual(['gradBias', 'gradHidden', 'gradWeight', 'loss']);
      });
    }
  }
});
