// Long rows against the float64 oracle, at every launch shape: a batch of 8 rows (a thread per row
// on a CPU adapter, which sums the whole row itself) and of 3 (a workgroup per row, or split
// rows), each on the adapter's own launch and on GPU-shaped launches (ContextSpec.gpuShaped).
// Logits of scale 4 put thousands of a row's terms exp(z − m) near half an ulp of the running
// sum, where a single sequential float32 sum rounds them all the same way: a relative error of
// 5e-5 (V = 32000) to 2e-4 (V = 128256) in the sum, where summing in blocks keeps ~1e-7.
import { describe, it } from 'vitest';
import { useGpuPage } from './harness';
import type { CheckSpec, ContextSpec } from '../util/spec';
import { TOL } from '../util/tolerances';
import { mulberry32, randomLogits } from '../../src/reference/index';

const expectOk = useGpuPage().check;

const VS = [32000, 50257, 128256];
const BATCHES = [8, 3];
const LAUNCHES: [string, ContextSpec | undefined][] = [['adapter launch', undefined], ['GPU-shaped', { gpuShaped: true }]];
const logits = { kind: 'logits' as const, scale: 4 };

/**
 * Each row's argmax, for the logits the page makes from `seed` (the input is drawn first): a
 * label there makes the loss ln s alone, so that its absolute tolerance judges the row's sum.
 */
function argmaxLabels(seed: number, rows: number, cols: number): number[] {
  const x = randomLogits(mulberry32(seed), rows, cols, logits.scale);
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let c = 1; c < cols; c++) if (x[r * cols + c] > x[r * cols + best]) best = c;
    return best;
  });
}

function specs(rows: number, cols: number, context: ContextSpec | undefined): [string, CheckSpec][] {
  const seed = rows * 7 + cols;
  const base = { rows, cols, seed, input: logits, ...(context ? { context } : {}) };
  return [
    ['logSoftmax', { ...base, op: 'logSoftmax', tol: TOL.loss }],
    ['softmax', { ...base, op: 'softmax', tol: TOL.loss }],
    ['entropy(logits)', { ...base, op: 'entropy', options: { from: 'logits', reduction: 'none' }, tol: TOL.divergence(cols) }],
    ['kl(Q logits, P logits)', {
      ...base, op: 'klDivergence', target: logits,
      options: { from: 'logits', targetFrom: 'logits', reduction: 'none' }, tol: TOL.divergence(cols),
    }],
    ['crossEntropy', { ...base, op: 'crossEntropy', target: { kind: 'labels' }, options: { reduction: 'none' }, tol: TOL.loss }],
    ['crossEntropy, labels at the argmax', {
      ...base, op: 'crossEntropy', target: { kind: 'data', data: argmaxLabels(seed, rows, cols) }, options: { reduction: 'none' }, tol: TOL.loss,
    }],
    ['crossEntropy, smoothing (careful pass)', {
      ...base, op: 'crossEntropy', target: { kind: 'labels' }, options: { reduction: 'none', labelSmoothing: 0.1 }, tol: TOL.loss,
    }],
  ];
}

for (const [launch, context] of LAUNCHES) {
  describe(`long rows, ${launch}`, () => {
    for (const cols of VS) {
      for (const rows of BATCHES) {
        for (const [name, spec] of specs(rows, cols, context)) {
          it(`[${rows}, ${cols}] ${name}`, () => expectOk(spec));
        }
      }
    }
  });
}
