// linearCrossEntropy on the GPU against the float64 oracle (a float64 matmul, then the reference
// cross-entropy and its chained gradients): odd shapes, every option, ignored rows, determinism,
// a case whose logits would not fit one storage binding, and bad input.
// Loss and gradients are judged at TOL.linearLoss and TOL.linearGrad (test/util/tolerances.ts).
import { describe, it, expect } from 'vitest';
import { useGpuPage } from './harness';
import type { ErrorInfo } from '../util/errors';
import type { LinearReport, LinearSpec } from './page/linear';

const gpu = useGpuPage();
const expectOk = (spec: LinearSpec) => gpu.expectOk<LinearReport>('linearCheck', spec);

describe('linearCrossEntropy: shapes (odd D and V, tiny and medium)', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1], [1, 3, 2], [2, 5, 3], [3, 7, 1], [7, 33, 65], [33, 17, 257], [64, 64, 1000], [100, 129, 2049], [257, 40, 700],
  ];
  for (const [n, d, v] of shapes) {
    it(`N=${n} D=${d} V=${v}`, async () => {
      await expectOk({ n, d, v, seed: n * 31 + d * 7 + v, bias: true, ignoreFrac: 0.2, options: { grad: true } });
    });
  }
});

describe('linearCrossEntropy: the staged (workgroup-memory) tiles a GPU uses, run here too', () => {
  // A CPU adapter picks the barrier-free direct tiles; these run the staged ones on it.
  const shapes: [number, number, number][] = [[1, 3, 2], [7, 33, 65], [33, 17, 257], [100, 129, 2049], [257, 40, 700]];
  for (const [n, d, v] of shapes) {
    it(`N=${n} D=${d} V=${v}`, async () => {
      await expectOk({ n, d, v, seed: n + d + v, bias: true, ignoreFrac: 0.2, options: { grad: true, tiles: 'staged', labelSmoothing: 0.1, softcap: 4 },
        determinism: n === 100 });
    });
  }
});

describe('linearCrossEntropy: every option (with and without bias)', () => {
  const optionSets: Record<string, unknown>[] = [
    { reduction: 'sum' },
    { reduction: 'none' },
    { labelSmoothing: 0.1 },
    { zLoss: 1e-3 },
    { softcap: 3 },
    // logits of a few units over a cap of 0.02: |z| / c past where SwiftShader's tanh overflows
    { softcap: 0.02 },
    { base: 2 },
    { weight: 'random' },
    { weight: 'random', labelSmoothing: 0.2, reduction: 'sum' },
    { ignoreIndex: 1 },
    { labelSmoothing: 0.05, zLoss: 1e-4, softcap: 5, base: 2, weight: 'random', reduction: 'mean' },
  ];
  for (const options of optionSets) {
    for (const bias of [false, true]) {
      it(`${JSON.stringify(options)}${bias ? ' + bias' : ''}`, async () => {
        await expectOk({ n: 45, d: 37, v: 531, seed: 17, hScale: 2, bias, ignoreFrac: 0.15, options: { ...options, grad: true } });
      });
    }
  }
  it('forward only (no gradients)', async () => {
    await expectOk({ n: 50, d: 20, v: 300, seed: 2, bias: true, options: { labelSmoothing: 0.1 } });
  });
  it('GPU-resident inputs', async () => {
    await expectOk({ n: 40, d: 24, v: 100, seed: 3, bias: true, gpuInputs: true, options: { grad: true, zLoss: 1e-3 } });
  });
});

describe('linearCrossEntropy: ignored rows', () => {
  for (const allIgnored of ['nan', 'zero']) {
    it(`every row ignored, allIgnored: '${allIgnored}': mean ${allIgnored === 'nan' ? 'NaN' : '0'}, gradients 0`, async () => {
      await expectOk({ n: 9, d: 5, v: 40, seed: 4, bias: true, ignoreFrac: 1, options: { grad: true, allIgnored } });
    });
  }
  it("every row ignored, 'sum': 0", async () => {
    await expectOk({ n: 9, d: 5, v: 40, seed: 4, ignoreFrac: 1, options: { grad: true, reduction: 'sum' } });
  });
  it('NaN in a hidden row: that row\'s loss and dH row are NaN, and dW, db through it (as the oracle)', async () => {
    await expectOk({ n: 6, d: 5, v: 40, seed: 12, bias: true, nanRow: 2, options: { grad: true, reduction: 'none' } });
  });
  // An ignored row contributes exactly 0 to every gradient, whatever its hidden state holds.
  for (const tiles of ['direct', 'staged']) {
    it(`an ignored row holding NaN leaves dW, db and the other rows finite (${tiles} tiles)`, async () => {
      await expectOk({ n: 6, d: 5, v: 40, seed: 12, bias: true, nanRow: 2, ignoreRows: [2], options: { grad: true, tiles } });
    });
    it(`an ignored row whose logits overflow exp contributes 0 (${tiles} tiles)`, async () => {
      await expectOk({ n: 6, d: 5, v: 40, seed: 13, bias: true, bigRow: 1, ignoreRows: [1], options: { grad: true, labelSmoothing: 0.1, tiles } });
    });
  }
  it('kept rows whose class weights sum to 0: the mean is IEEE x/0, as crossEntropy', async () => {
    await expectOk({ n: 4, d: 3, v: 5, seed: 14, options: { grad: true, weight: [0, 0, 0, 0, 0] } });
  });
  it('labels on the GPU out of range: NaN rows, counted', async () => {
    const r = await gpu.call<{ invalid: number; loss: number[]; heldByCounter: number; thrown?: string }>('linearGpuLabels');
    expect(r.invalid).toBe(2);
    expect(r.thrown).toBe('LabelRangeError');
    expect(r.heldByCounter).toBeLessThanOrEqual(64); // the 16-byte counter (and placeholders), not the scratch
    expect(r.loss[1]).toBeNaN();
    expect(r.loss[2]).toBeNaN();
    expect(r.loss[3]).toBe(0);
    expect(Number.isFinite(r.loss[0])).toBe(true);
  });
});

describe('linearCrossEntropy: determinism and memory', () => {
  it('warmup() compiles what a call with the same options uses', async () => {
    const r = await gpu.call<{ warmed: number; afterCall: number }>('linearWarmup');
    expect(r.warmed).toBeGreaterThan(0);
    expect(r.afterCall).toBe(r.warmed);
  });
  it('vocabulary splits clamped so the row statistics fit a 4 KiB binding', async () => {
    const r = await expectOk({ n: 40, d: 2, v: 400, seed: 21, bias: true, context: { maxBindingBytes: 4096 }, options: { labelSmoothing: 0.1 } });
    // Unclamped, this adapter's grid would ask for 13 splits: 8,976 bytes of scratch.
    expect(r.largestBuffer).toBeLessThanOrEqual(4096);
  });
  it('two runs give the same bits (several splits and chunks)', async () => {
    const r = await expectOk({ n: 70, d: 48, v: 3000, seed: 8, bias: true, options: { grad: true, labelSmoothing: 0.1 }, determinism: true });
    // 3000 classes: 6 backward chunks of 512; no buffer of N×V elements was made.
    expect(r.largestBuffer).toBeLessThan(r.logitsBytes);
  });
  it('logits larger than one storage binding (lowered to 400 kB) run and match', async () => {
    // N×V×4 = 192 × 20000 × 4 = 15 MB, far past the binding: the same chunking as past the
    // spec-default 128 MiB at a fraction of the matmul work. The binding, not V/32, sizes the
    // gradient chunk here (512 classes fit in 400 kB, V/32 would be 640), and the weight (V×D×4 =
    // 320 kB) still fits one binding.
    const bind = 400_000;
    const r = await expectOk({ n: 192, d: 4, v: 20000, seed: 9, bias: true, ignoreFrac: 0.05, options: { grad: true, labelSmoothing: 0.1 },
      context: { maxBindingBytes: bind } });
    expect(r.logitsBytes).toBeGreaterThan(bind * 30);
    expect(r.largestBuffer).toBeLessThanOrEqual(bind);
  });
});

describe('linearCrossEntropy: bad input gives typed errors naming the argument', () => {
  const cases: [string, string, string][] = [
    ['dMismatch', 'ShapeError', 'weight'],
    ['labelsLength', 'ShapeError', 'labels'],
    ['biasLength', 'ShapeError', 'options.bias'],
    ['labelsFloat', 'DTypeError', 'labels'],
    ['hiddenInt', 'DTypeError', 'hidden'],
    ['weightGpuInt', 'DTypeError', 'weight'],
    ['labelRange', 'LabelRangeError', 'labels'],
    ['fromProbs', 'OptionError', 'options.from'],
    ['classWeightLength', 'OptionError', 'options.weight'],
    ['tooLarge', 'BufferError', 'hidden'],
    ['rowStatsTooLarge', 'BufferError', 'hidden'],
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
