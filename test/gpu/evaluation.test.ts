// crossEntropy's evaluation extras (labelLogProb, entropy, topKHit) and the streaming evaluator on
// the GPU against the float64 oracle: a random grid and an edge battery, each on the adapter's own
// launch shapes and on GPU-shaped ones (a workgroup per row, split rows).
import { describe, it, expect } from 'vitest';
import { useGpuPage } from './harness';
import type { ContextSpec } from '../util/spec';
import { TOL } from '../util/tolerances';
import { assertClose } from '../util/allclose';

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
  edge('-0 ties with +0', 2, 3, [0, -0, -1, -0, 0, -1], [1, 0], { topK: 1 });
  edge('soft-capped logits', 2, 4, [100, 99, -50, 3, 1, 2, 3, 4], [1, 3], { softcap: 2 });
  edge('entropy in bits', 2, 4, [0, 0, 0, 0, 1, 2, 3, 4], [1, 3], { base: 2 });
});

type Metrics = { tokens: number; nll: number; perplexity: number; bitsPerToken: number; accuracy: number; topKAccuracy: number; meanEntropy: number };
interface EvalRun {
  gpu: Metrics; again: Metrics; oracle: Metrics; concatNll: number; afterReset: Metrics; oracleLast: Metrics;
  readMaps: number; addMaps: number; tensors: { before: number; held: number; afterDispose: number; afterAll: number }; disposedError: string;
}
const FLOATS = ['nll', 'perplexity', 'bitsPerToken', 'meanEntropy'] as const;
const COUNTS = ['tokens', 'accuracy', 'topKAccuracy'] as const;

/** The GPU's metrics against the oracle's: the float ones at TOL.loss, tokens and hit rates exactly. */
function expectMetrics(gpu: Metrics, want: Metrics, what: string) {
  assertClose(FLOATS.map((k) => gpu[k]), FLOATS.map((k) => want[k]), LOSS, `${what}: ${FLOATS.join(', ')}`);
  assertClose(COUNTS.map((k) => gpu[k]), COUNTS.map((k) => want[k]), TOL.exact, `${what}: ${COUNTS.join(', ')}`);
}

describe('evaluator: batches on the GPU against the oracle', () => {
  const RUNS: [string, Record<string, unknown>][] = [
    ['odd batches, ignored rows', { seed: 1, rows: [1, 7, 33, 64], cols: 65, topK: 5, ignoreFrac: 0.2 }],
    ['classes > 1024, custom ignoreIndex', { seed: 2, rows: [5, 12], cols: 1031, topK: 10, ignoreFrac: 0.3, ignoreIndex: 3000 }],
    ['a long row', { seed: 3, rows: [2, 1], cols: 50257, topK: 100 }],
    ['GpuTensor batches', { seed: 4, rows: [9, 17], cols: 100, topK: 3, ignoreFrac: 0.1, gpuInputs: true }],
  ];
  for (const [launch, context] of LAUNCHES) {
    for (const [name, spec] of RUNS) {
      it(`${name}, ${launch}`, async () => {
        const r = await gpu.call<EvalRun>('evaluatorRun', { ...spec, context });
        expectMetrics(r.gpu, r.oracle, 'gpu vs oracle');
        assertClose([r.oracle.nll], [r.concatNll], TOL.fewTerms, "oracle's nll vs crossEntropy's mean over the concatenated batches");
        // The same batches give the same bits.
        expect(r.again).toStrictEqual(r.gpu);
        expectMetrics(r.afterReset, r.oracleLast, 'after reset(), the last batch alone');
        // No readback while adding; one per read().
        expect(r.addMaps).toBe(0);
        expect(r.readMaps).toBe(1);
        // It holds one tensor (its sums) until disposed; each batch's own are freed.
        expect(r.tensors.held).toBe(r.tensors.before + 1);
        expect(r.tensors.afterDispose).toBe(r.tensors.before);
        expect(r.tensors.afterAll).toBe(r.tensors.before);
        expect(r.disposedError).toMatch(/DISPOSED|disposed/);
      });
    }
  }
});

describe('evaluator: float16 and bfloat16 logits against the oracle on the same values', () => {
  for (const dtype of ['float16', 'bfloat16']) {
    const RUNS: [string, Record<string, unknown>][] = [
      ['odd batches, ignored rows, classes > 1024', { seed: 5, rows: [3, 1], cols: 1031, topK: 5, ignoreFrac: 0.3 }],
      ['GpuTensor batches', { seed: 6, rows: [5, 2], cols: 37, topK: 3, ignoreFrac: 0.2, gpuInputs: true }],
    ];
    for (const [launch, context] of LAUNCHES) {
      for (const [name, spec] of RUNS) {
        it(`${dtype} ${name}, ${launch}`, async () => {
          const r = await gpu.call<EvalRun>('evaluatorRun', { ...spec, dtype, context });
          expectMetrics(r.gpu, r.oracle, 'gpu vs oracle');
          assertClose([r.oracle.nll], [r.concatNll], TOL.fewTerms, "oracle's nll vs crossEntropy's mean over the concatenated batches");
          expectMetrics(r.afterReset, r.oracleLast, 'after reset(), the last batch alone');
          expect(r.tensors.afterAll).toBe(r.tensors.before);
        });
      }
    }
  }
});

describe('evaluator: edge batches', () => {
  const run = (name: string, cols: number, data: { x: number[]; y: number[] }[], extra: Record<string, unknown> = {}, check?: (r: EvalRun) => void) => {
    for (const [launch, context] of LAUNCHES) {
      it(`${name}, ${launch}`, async () => {
        const r = await gpu.call<EvalRun>('evaluatorRun', { seed: 1, rows: data.map((d) => d.y.length), cols, topK: 2, data, context, ...extra });
        expectMetrics(r.gpu, r.oracle, 'gpu vs oracle');
        expect(r.again).toStrictEqual(r.gpu);
        check?.(r);
      });
    }
  };
  run('NaN logits make nll and entropy NaN (hits still counted)', 3, [{ x: [1, 2, 3, 1, NaN, 0], y: [2, 1] }], {}, (r) => {
    expect(r.gpu.nll).toBeNaN();
    expect(r.gpu.meanEntropy).toBeNaN();
    expect(r.gpu.tokens).toBe(2);
  });
  run('a masked label makes nll +Infinity', 3, [{ x: [1, NI, 3, 1, 2, 0], y: [1, 1] }], {}, (r) => expect(r.gpu.nll).toBe(Infinity));
  run('ties at the k-th count as top-k hits', 4, [{ x: [3, 1, 1, 1, 2, 2, 2, 0], y: [2, 1] }], {}, (r) => expect(r.gpu.topKAccuracy).toBe(1));
  run('k > classes: top-k accuracy 1', 3, [{ x: [1, 2, 3, 3, 2, 1], y: [0, 2] }], { topK: 9 }, (r) => expect(r.gpu.topKAccuracy).toBe(1));
  run('every row ignored: no token, NaN metrics', 3, [{ x: [1, 2, 3, 3, 2, 1], y: [-100, -100] }], {}, (r) => {
    expect(r.gpu.tokens).toBe(0);
    expect(r.gpu.nll).toBeNaN();
  });
});

describe('evaluator: labels on the GPU', () => {
  it('a label out of range is left out and read() throws LabelRangeError naming labels', async () => {
    const r = await gpu.call<{ thrown: string; tokens: number; accuracy: number }>('evaluatorGpuLabels');
    expect(r.thrown).toMatch(/^LabelRangeError labels: .*1 label/);
    // After reset(): rows 0 (argmax 2, label 0) and 1 (argmax 0, label 1) kept, neither a hit.
    expect(r.tokens).toBe(2);
    expect(r.accuracy).toBe(0);
  });
});

describe('evaluator: accumulation over many batches', () => {
  it('300 batches: the two-float running sum stays exact where a float32 sum drifts', async () => {
    const r = await gpu.call<{ tokens: number; twoFloatRel: number; naiveRel: number; gpu: Metrics; oracle: Metrics }>('evaluatorDrift', 5, 300, 64, 50);
    expect(r.tokens).toBe(300 * 64);
    // Σ of 19200 float32 values of ~4: a float32 running sum is off by ~1e-6 relative; the
    // two-float sum within float64 rounding of the same values.
    expect(r.twoFloatRel).toBeLessThan(1e-9);
    expect(r.naiveRel).toBeGreaterThan(r.twoFloatRel);
    expectMetrics(r.gpu, r.oracle, '300 batches vs oracle');
  });
});
