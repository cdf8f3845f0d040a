// linearCrossEntropy's fine-tuning options on the GPU against the float64 oracle: a frozen head
// (no gradWeight / gradBias made), per-row extras from the fused pass, the causal shift read in
// place, and the memory budget; each on both launch shapes (the CPU adapter's and, through
// gpuShaped, a GPU's), with ignored rows, smoothing, softcap and z-loss in combination.
import { describe, it, expect } from 'vitest';
import { useGpuPage } from './harness';
import type { ErrorInfo } from '../util/errors';
import type { LinearReport, LinearSpec } from './page/linear';

const gpu = useGpuPage();
const expectOk = (spec: LinearSpec) => gpu.expectOk<LinearReport>('linearCheck', spec);
const SHAPES = [
  { name: 'CPU-adapter launch', context: undefined },
  { name: 'GPU-shaped launch', context: { gpuShaped: true } },
] as const;
const MIXED = { labelSmoothing: 0.1, softcap: 6, zLoss: 1e-3 };

describe('linearCrossEntropy: frozenHead', () => {
  for (const { name, context } of SHAPES) {
    it(`${name}: loss and gradHidden as the oracle's; no gradWeight / gradBias buffer is made`, async () => {
      const r = await expectOk({ n: 45, d: 37, v: 1100, seed: 31, bias: true, ignoreFrac: 0.2, context, options: { grad: true, frozenHead: true, ...MIXED } });
      expect(r.outputs).toContain('gradHidden');
      expect(r.outputs).not.toContain('gradWeight');
      expect(r.outputs).not.toContain('gradBias');
      expect(r.created.filter((l) => /gradWeight|gradBias/.test(l))).toEqual([]);
    });
  }
});

describe('linearCrossEntropy: extras', () => {
  const cases: [string, Partial<LinearSpec>][] = [
    ["odd shape, 'none', base 2, softcap, smoothing, z-loss", { n: 37, d: 19, v: 531, options: { reduction: 'none', base: 2, ...MIXED } }],
    ['V > 1024 (several splits), with gradients and a frozen head', { n: 33, d: 17, v: 2049, options: { grad: true, frozenHead: true, labelSmoothing: 0.1 } }],
    ['a long row: V = 3000, one row', { n: 1, d: 9, v: 3000, options: { grad: true } }],
  ];
  for (const { name, context } of SHAPES) {
    for (const [what, spec] of cases) {
      it(`${name}: ${what}`, async () => {
        await expectOk({ seed: 41, bias: true, ignoreFrac: 0.2, context, ...spec, options: { extras: true, ...spec.options } } as LinearSpec);
      });
    }
  }
  it('a NaN row: NaN lse, entropy and labelLogProb, its first class as argmax; an ignored NaN row too', async () => {
    await expectOk({ n: 6, d: 5, v: 40, seed: 12, bias: true, nanRow: 2, options: { extras: true, grad: true, reduction: 'none' } });
    await expectOk({ n: 6, d: 5, v: 40, seed: 12, bias: true, nanRow: 2, ignoreRows: [2], options: { extras: true, grad: true } });
  });
  it('every row ignored: labelLogProb and correct 0, lse / entropy / argmax of the logits', async () => {
    await expectOk({ n: 9, d: 5, v: 40, seed: 4, bias: true, ignoreFrac: 1, options: { extras: true, grad: true, allIgnored: 'zero' } });
  });
  it('labels on the GPU out of range: labelLogProb NaN and correct 0 on their rows, lse / entropy / argmax of the logits', async () => {
    const r = await gpu.call<Record<string, number[]>>('linearGpuLabelsExtras');
    expect(r.invalidLabels).toEqual([2]);
    expect(r.labelLogProb[0]).toBeCloseTo(-r.loss[0], 5);
    expect(r.labelLogProb[1]).toBeNaN();
    expect(r.labelLogProb[2]).toBeNaN();
    expect(r.labelLogProb[3]).toBe(0); // ignored
    expect(r.correct.slice(1)).toEqual([0, 0, 0]);
    for (const name of ['lse', 'entropy']) for (const x of r[name]) expect(Number.isFinite(x), name).toBe(true);
    // Hidden rows (2r/8, (2r+1)/8), all ≥ 0, against classes (1, 2/3), (1/3, 0), (−1/3, −2/3): class 0 is every row's maximum.
    expect(r.argmax).toEqual([0, 0, 0, 0]);
    expect(r.correct[0]).toBe(1);
  });
  it('huge logits (one row ~±1000): finite lse and entropy, as the oracle', async () => {
    await expectOk({ n: 6, d: 5, v: 40, seed: 13, bias: true, bigRow: 1, options: { extras: true, grad: true, reduction: 'none' } });
  });
});

describe('linearCrossEntropy: causal shift', () => {
  for (const { name, context } of SHAPES) {
    it(`${name}: 4 sequences of 9, ignored rows, smoothing, softcap, z-loss, gradients`, async () => {
      await expectOk({ n: 36, d: 19, v: 531, seed: 51, bias: true, ignoreFrac: 0.1, context, options: { shift: 1, sequenceLength: 9, grad: true, ...MIXED } });
    });
    it(`${name}: with extras, a frozen head and 'sum'`, async () => {
      await expectOk({ n: 30, d: 11, v: 600, seed: 52, context, options: { shift: 1, sequenceLength: 5, grad: true, frozenHead: true, extras: true, reduction: 'sum' } });
    });
  }
  it('a batch as in training: 2 sequences of 128 tokens, V = 4096: extras, frozen head, smoothing, z-loss, a memory budget', async () => {
    const r = await expectOk({ n: 256, d: 16, v: 4096, seed: 55, bias: true, ignoreFrac: 0.05,
      options: { shift: 1, sequenceLength: 128, grad: true, frozenHead: true, extras: true, labelSmoothing: 0.1, zLoss: 1e-4, memoryBudget: 512 * 1024 } });
    expect(r.scratchBytes).toBeLessThanOrEqual(512 * 1024);
    expect(r.largestBuffer).toBeLessThan(r.logitsBytes / 10);
  });
  it('labels on the GPU are read in place; one sequence (no sequenceLength)', async () => {
    await expectOk({ n: 21, d: 8, v: 100, seed: 53, bias: true, gpuInputs: true, options: { shift: 1, grad: true, extras: true } });
  });
  it('sequences of one row: every row ignored (mean NaN, gradients 0)', async () => {
    await expectOk({ n: 5, d: 4, v: 30, seed: 54, options: { shift: 1, sequenceLength: 1, grad: true } });
  });
});

describe('linearCrossEntropy: memoryBudget', () => {
  for (const { name, context } of SHAPES) {
    it(`${name}: a small and a large budget give the oracle's values and each other's, scratchBytes within the budget`, async () => {
      const [n, v] = [50, 1500];
      const small = 16 * 1024;
      const large = 8 * 1024 * 1024;
      const r = await expectOk({ n, d: 16, v, seed: 61, bias: true, ignoreFrac: 0.1, context,
        options: { grad: true, labelSmoothing: 0.1, memoryBudget: small }, again: { memoryBudget: large } });
      expect(r.scratchBytes).toBeLessThanOrEqual(small);
      expect(r.againScratchBytes).toBeLessThanOrEqual(large);
      // The large budget takes the whole vocabulary in one chunk: more scratch, fewer passes.
      expect(r.againScratchBytes).toBeGreaterThan(n * v * 4);
    });
  }
  it('with extras and a frozen head, the budget holds', async () => {
    const r = await expectOk({ n: 40, d: 16, v: 700, seed: 62, options: { grad: true, frozenHead: true, extras: true, memoryBudget: 12000 } });
    expect(r.scratchBytes).toBeLessThanOrEqual(12000);
  });
});

describe('linearCrossEntropy: warmup', () => {
  it('compiles what a call with a frozen head, extras and the shift uses (no dW / db pipelines)', async () => {
    const full = await gpu.call<{ warmed: number; afterCall: number }>('linearWarmup', { extras: true, shift: 1 });
    const r = await gpu.call<{ warmed: number; afterCall: number }>('linearWarmup', { frozenHead: true, extras: true, shift: 1 });
    expect(r.afterCall).toBe(r.warmed);
    expect(full.afterCall).toBe(full.warmed);
    // The frozen head skips two entry points: the dW tiles and dbias.
    expect(r.warmed).toBe(full.warmed - 2);
  });
});

describe('linearCrossEntropy: bad fine-tuning options give typed errors naming the option', () => {
  const cases: [string, string, string][] = [
    ['budgetTooSmall', 'OptionError', 'options.memoryBudget'],
    ['budgetNotInteger', 'OptionError', 'options.memoryBudget'],
    ['shiftTwo', 'OptionError', 'options.shift'],
    ['sequenceNotDividing', 'OptionError', 'options.sequenceLength'],
    ['sequenceWithoutShift', 'OptionError', 'options.sequenceLength'],
    ['frozenNotBoolean', 'OptionError', 'options.frozenHead'],
    ['extrasNotBoolean', 'OptionError', 'options.extras'],
  ];
  for (const [kind, name, argument] of cases) {
    it(kind, async () => {
      const e = await gpu.call<ErrorInfo | null>('linearBadInput', kind);
      expect(e, 'no error thrown').not.toBeNull();
      expect(e!.name, e!.message).toBe(name);
      expect(e!.argument, e!.message).toBe(argument);
      expect(e!.message).not.toMatch(/leaked/);
    });
  }
});
