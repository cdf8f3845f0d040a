// linearCrossEntropy's gradient filter (gradFilter) on the GPU against the float64 oracle that
// models it (the same 32×32 tiles, the same rule in float64): the GPU's tile mask must equal the
// oracle's and the gradients must match the filtered oracle at TOL.linearGrad; the filtered
// oracle must stay within the documented bound of the exact one. Peaked rows (a trained model's
// softmax) make tiles that are skipped; flat rows make none, and then the bits equal an
// unfiltered run's. Both launch shapes, both tile kernels, with the options in combination.
import { describe, it, expect } from 'vitest';
import { useGpuPage } from './harness';
import type { LinearReport, LinearSpec } from './page/linear';

const gpu = useGpuPage();
const expectOk = (spec: LinearSpec) => gpu.expectOk<LinearReport>('linearCheck', spec);
const SHAPES = [
  { name: 'CPU-adapter launch (direct tiles)', context: undefined, tiles: undefined },
  { name: 'CPU-adapter launch, staged tiles', context: undefined, tiles: 'staged' },
  { name: 'GPU-shaped launch', context: { gpuShaped: true }, tiles: undefined },
] as const;
// 70 rows (3 row blocks, the last partial), 700 classes (22 class blocks over 2 chunks); rows 0-63
// peaked: the label's logit ~25, the others ~N(0, 4²).
const PEAKED = { n: 70, d: 40, v: 700, peak: 25, peakRows: 64 };

/** Some tiles skipped, the same ones as the oracle's, within the bound. */
function expectFiltered(r: LinearReport): void {
  const f = r.filter!;
  expect(f, 'filter report').toBeDefined();
  expect(f.mismatched).toBe(0);
  expect(f.skipped).toBeGreaterThan(0);
  expect(f.skipped).toBeLessThan(f.tiles);
  expect(f.boundH).toBeLessThanOrEqual(1);
  expect(f.boundW).toBeLessThanOrEqual(1);
}

describe('linearCrossEntropy gradFilter: peaked rows skip tiles, as the oracle', () => {
  for (const { name, context, tiles } of SHAPES) {
    it(`${name}: ε = 2^-12, bias, ignored rows; the skipped tiles move the gradients off the exact oracle's`, async () => {
      const r = await expectOk({ ...PEAKED, seed: 5, bias: true, ignoreFrac: 0.1, context,
        options: { grad: true, gradFilter: 2 ** -12, filterMask: true, ...(tiles ? { tiles } : {}) } });
      expectFiltered(r);
      // MODES 2 and 3 did skip: the dropped mass is beyond TOL.linearGrad of the exact gradients
      // (hence gradFilter is off by default).
      expect(r.filter!.exactH).toBe(false);
      expect(r.filter!.exactW).toBe(false);
    });
  }
  const cases: [string, Record<string, unknown>][] = [
    ['smoothing, z-loss, softcap', { labelSmoothing: 0.1, zLoss: 1e-4, softcap: 50 }],
    ["frozenHead, class weights, 'sum', base 2", { frozenHead: true, weight: 'random', reduction: 'sum', base: 2 }],
  ];
  for (const { name, context } of [SHAPES[0], SHAPES[2]]) {
    for (const [what, options] of cases) {
      it(`${name}: ${what}`, async () => {
        const r = await expectOk({ ...PEAKED, seed: 9, bias: true, ignoreRows: [3, 40, 69], context,
          options: { grad: true, gradFilter: 2 ** -12, filterMask: true, ...options } });
        expectFiltered(r);
      });
    }
  }
  it('memoryBudget: chunks of 32 classes, the tile mask within the budget', async () => {
    // 70 rows: a 32-class chunk is 8,960 bytes, the mask 264; the forward takes what is left.
    const r = await expectOk({ ...PEAKED, seed: 5, options: { grad: true, gradFilter: 2 ** -12, filterMask: true, memoryBudget: 12000 } });
    expectFiltered(r);
    expect(r.scratchBytes).toBeLessThanOrEqual(12000);
  });
  it('a NaN row keeps its tiles live (NaN gradients, as the oracle)', async () => {
    const r = await expectOk({ ...PEAKED, seed: 3, nanRow: 5, options: { grad: true, gradFilter: 2 ** -12, filterMask: true } });
    expectFiltered(r);
  });
});

describe('linearCrossEntropy gradFilter: flat softmaxes skip nothing', () => {
  for (const { name, context } of [SHAPES[0], SHAPES[2]]) {
    it(`${name}: 'auto' keeps every tile and gives an unfiltered run's bits`, async () => {
      const r = await expectOk({ n: 45, d: 37, v: 531, seed: 17, hScale: 2, bias: true, ignoreFrac: 0.15, context,
        options: { grad: true, gradFilter: 'auto', filterMask: true, labelSmoothing: 0.1 }, again: { gradFilter: false } });
      expect(r.filter!.skipped).toBe(0);
      expect(r.filter!.mismatched).toBe(0);
      expect(r.sameBits).toEqual(expect.arrayContaining(['loss', 'gradHidden', 'gradWeight', 'gradBias']));
    });
  }
});

describe('linearCrossEntropy gradFilter: warmup', () => {
  it('compiles what a filtered call uses (its own pipelines, none after)', async () => {
    const r = await gpu.call<{ warmed: number; afterCall: number }>('linearWarmup', { gradFilter: 'auto' });
    expect(r.warmed).toBeGreaterThan(0);
    expect(r.afterCall).toBe(r.warmed);
  });
});
