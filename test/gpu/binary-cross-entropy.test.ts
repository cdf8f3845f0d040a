// binaryCrossEntropy on the GPU against the float64 oracle: a random grid over shapes and options,
// large logits for the stable form, an edge battery of explicit values (non-finite included, with
// the oracle's IEEE results as the contract), determinism, and the validation errors.
// Tolerances: TOL.bce, TOL.bceSum and TOL.bceGrad (test/util/tolerances.ts).
import { it, expect, describe } from 'vitest';
import { useGpuPage } from './harness';
import { binaryCrossEntropy } from '../../src/reference/index';
import { errorOf, type ErrorInfo } from '../util/errors';
import type { DataSpec } from '../util/spec';
import { TOL } from '../util/tolerances';

const gpu = useGpuPage();
const expectOk = gpu.check;
const elemTol = TOL.bce;
const sumTol = TOL.bceSum;
/** The gradient's tolerance for a call: the cancellation allowance scaled like the gradient itself. */
const gradTol = (rows: number, cols: number, options: Record<string, unknown>, soft: boolean) => TOL.bceGrad(soft, rows * cols, options);

describe('bce random grid', () => {
  const ROWS = [1, 3, 64, 1000];
  const COLS = [1, 2, 7, 65, 257];
  const REDUCTIONS = ['none', 'sum', 'mean'] as const;
  const POS = [undefined, 'random', 2.5] as const;
  const W = [undefined, 0.7, 'random'] as const;
  let s = 0;
  for (const rows of ROWS) {
    for (const cols of COLS) {
      s++;
      REDUCTIONS.forEach((reduction, r) => {
        const k = s + r;
        const from = k % 2 === 0 ? 'logits' : 'probs';
        const soft = Math.floor(k / 2) % 2 === 0;
        const options: Record<string, unknown> = { from, reduction, grad: true };
        if (POS[k % 3] !== undefined) options.posWeight = POS[k % 3];
        if (W[(s + 2 * r) % 3] !== undefined) options.weight = W[(s + 2 * r) % 3];
        if ((s + r) % 4 === 3) options.base = 2;
        const input: DataSpec = from === 'logits' ? { kind: 'logits', scale: 3 } : { kind: 'uniform', lo: 0, hi: 1 };
        const target: DataSpec = soft ? { kind: 'uniform' } : { kind: 'binary' };
        it(`${rows}x${cols} ${soft ? 'soft' : 'binary'} ${JSON.stringify(options)}`, () => expectOk({
          op: 'binaryCrossEntropy', rows, cols, seed: 100 + 3 * s + r, input, target, options,
          tol: reduction === 'none' ? elemTol : sumTol, gradTol: gradTol(rows, cols, options, soft),
        }));
      });
    }
  }
});

describe('bce large logits (stable form)', () => {
  // Logits of standard deviation 30: losses and gradients down to e^-100 and below, checked to
  // rtol 1e-5 wherever they are normal float32 numbers.
  for (const target of [{ kind: 'binary' }, { kind: 'uniform' }] as DataSpec[]) {
    for (const options of [{ reduction: 'none', grad: true }, { reduction: 'none', grad: true, posWeight: 'random', weight: 'random', base: 2 }, { reduction: 'sum', grad: true }]) {
      const soft = target.kind === 'uniform';
      it(`scale 30 ${target.kind} ${JSON.stringify(options)}`, () => expectOk({
        op: 'binaryCrossEntropy', rows: 256, cols: 65, seed: 31, input: { kind: 'logits', scale: 30 }, target, options,
        tol: options.reduction === 'none' ? elemTol : sumTol, gradTol: gradTol(256, 65, options, soft),
      }));
    }
  }
  it('probabilities near 0 and 1, soft targets', async () => {
    // Probabilities as uniform on [0, 1e-6] and [1 − 1e-6, 1]: inside and outside the clip.
    for (const [lo, hi] of [[0, 1e-6], [1 - 1e-6, 1], [0, 1]]) {
      await expectOk({
        op: 'binaryCrossEntropy', rows: 64, cols: 33, seed: 5, input: { kind: 'uniform', lo, hi }, target: { kind: 'uniform' },
        options: { from: 'probs', reduction: 'none', grad: true, posWeight: 'random' }, tol: elemTol, gradTol: gradTol(64, 33, { reduction: 'none' }, true),
      });
    }
  });
});

// ---- edge battery ----------------------------------------------------------------------------

/** Rows of [x, t] pairs; each row repeated over four columns of (posWeight, weight). */
function battery(xs: number[], ts: number[]): { rows: number; input: number[]; target: number[] } {
  const input: number[] = [];
  const target: number[] = [];
  for (const x of xs) {
    for (const t of ts) {
      for (let c = 0; c < COL_PW.length; c++) {
        input.push(x);
        target.push(t);
      }
    }
  }
  return { rows: xs.length * ts.length, input, target };
}
// Columns: plain, posWeight 0, weight 0, both non-trivial.
const COL_PW = [1, 0, 2.5, 0.5];
const COL_W = [1, 1, 0, 3];

const TARGETS = [0, 1, 0.5, 0.25, 2, -1, -0, NaN, Infinity, -Infinity];
const LOGITS = [0, 1e-30, -1e-30, 20, -20, 88, -88, 1e30, -1e30, 745.1332397460938, -745.1332397460938, 745.1331787109375, 800, -800, Infinity, -Infinity, NaN];
const PROBS = [0, -0, 1, 0.5, 0.25, 0.75, 1e-30, 1e-8, 1e-7, 1.0000000116860974e-7, 1.0000001e-7, 0.9999998807907104, 0.9999999403953552, 1e-3, 0.999, -0.5, 1.5, Infinity, -Infinity, NaN];

describe('bce edge battery', () => {
  for (const [from, xs] of [['logits', LOGITS], ['probs', PROBS]] as const) {
    for (const options of [{ reduction: 'none', grad: true }, { reduction: 'none', grad: true, base: 2 }, { reduction: 'mean', grad: true }]) {
      it(`${from} special values ${JSON.stringify(options)}`, async () => {
        const b = battery(xs, TARGETS);
        await expectOk({
          op: 'binaryCrossEntropy', rows: b.rows, cols: COL_PW.length,
          input: { kind: 'data', data: b.input }, target: { kind: 'data', data: b.target },
          options: { from, posWeight: COL_PW, weight: COL_W, ...options },
          tol: options.reduction === 'none' ? elemTol : sumTol, gradTol: TOL.bceGrad(false),
        });
      });
    }
  }

  // Reductions over non-finite losses: the sum follows IEEE addition of the oracle's values.
  const cases: { name: string; x: number[]; t: number[]; from?: string }[] = [
    { name: 'finite, extreme logits', x: [1e30, -1e30, 88, -88, 0, 30], t: [0, 1, 1, 0, 0.5, 0.3] },
    { name: '+Infinity loss', x: [Infinity, 1, 2, 3], t: [0, 0, 1, 0.5] },
    { name: '-Infinity loss (t > 1)', x: [Infinity, 1, 2, 3], t: [2, 0, 1, 0.5] },
    { name: '+Infinity and -Infinity losses', x: [Infinity, -Infinity, 2, 3], t: [2, 0.5, 1, 0.5] },
    { name: 'a NaN input', x: [NaN, 1, 2, 3], t: [0, 0, 1, 0.5] },
    { name: 'a NaN target', x: [0, 1, 2, 3], t: [NaN, 0, 1, 0.5] },
    { name: 'probs exactly 0 and 1', x: [0, 1, 0, 1], t: [0, 1, 1, 0], from: 'probs' },
  ];
  for (const c of cases) {
    for (const reduction of ['sum', 'mean']) {
      it(`${reduction}: ${c.name}`, () => expectOk({
        op: 'binaryCrossEntropy', rows: 1, cols: c.x.length, input: { kind: 'data', data: c.x }, target: { kind: 'data', data: c.t },
        options: { reduction, grad: true, from: c.from ?? 'logits' }, tol: sumTol, gradTol: TOL.bceGrad(false),
      }));
    }
  }

});

describe('bce row chunks and device limits', () => {
  // A context whose storage bindings are cut to a few KiB: many row chunks, each with its own
  // binding offsets, and (sum/mean) partials from every chunk in one reduction.
  const cases: { rows: number; cols: number; bytes: number; options: Record<string, unknown> }[] = [
    { rows: 300, cols: 101, bytes: 4096, options: { reduction: 'none', grad: true, posWeight: 'random', weight: 'random' } },
    { rows: 300, cols: 101, bytes: 4096, options: { reduction: 'sum', grad: true, posWeight: 1.5 } },
    { rows: 300, cols: 101, bytes: 4096, options: { reduction: 'mean', grad: true, from: 'probs', weight: 'random', base: 2 } },
    { rows: 5000, cols: 1, bytes: 2048, options: { reduction: 'mean', grad: true } },
    { rows: 7, cols: 700, bytes: 4096, options: { reduction: 'none', grad: true, from: 'probs' } },
  ];
  for (const { rows, cols, bytes, options } of cases) {
    it(`${rows}x${cols} in bindings of ${bytes} bytes ${JSON.stringify(options)}`, () => expectOk({
      op: 'binaryCrossEntropy', rows, cols, seed: 17, context: { maxBindingBytes: bytes },
      input: options.from === 'probs' ? { kind: 'uniform' } : { kind: 'logits', scale: 3 }, target: { kind: 'uniform' }, options,
      tol: options.reduction === 'none' ? elemTol : sumTol, gradTol: gradTol(rows, cols, options, true),
    }));
  }
  it('a device with the spec default limits', () => expectOk({
    op: 'binaryCrossEntropy', rows: 64, cols: 257, seed: 18, context: { defaultLimits: true },
    input: { kind: 'logits', scale: 3 }, target: { kind: 'binary' }, options: { reduction: 'mean', grad: true, posWeight: 'random' },
    tol: sumTol, gradTol: gradTol(64, 257, { reduction: 'mean' }, false),
  }));
});

describe('bce determinism', () => {
  // The reduced loss of a large batch (partials in a fixed order), and gradients on a smaller one
  // (the harness compares bits elementwise at a cost that grows fast with the size).
  const specs: { rows: number; cols: number; options: Record<string, unknown> }[] = [
    { rows: 1000, cols: 257, options: { reduction: 'sum', posWeight: 'random', weight: 'random' } },
    { rows: 1000, cols: 257, options: { reduction: 'mean', from: 'probs' } },
    { rows: 64, cols: 65, options: { reduction: 'mean', grad: true, base: 2 } },
  ];
  for (const { rows, cols, options } of specs) {
    it(`two runs give the same bits ${rows}x${cols} ${JSON.stringify(options)}`, () => expectOk({
      op: 'binaryCrossEntropy', rows, cols, seed: 9,
      input: options.from === 'probs' ? { kind: 'uniform' } : { kind: 'logits', scale: 3 }, target: { kind: 'uniform' },
      options, tol: sumTol, gradTol: gradTol(rows, cols, options, true), determinism: true,
    }));
  }
});

describe('bce validation', () => {
  const x = { data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], shape: [2, 3] };
  const t = { data: [0, 1, 0, 1, 0, 1], shape: [2, 3] };
  const cases: { name: string; args: [unknown, unknown, unknown]; want: { name: string; code: string; argument: string } }[] = [
    { name: 'target of another shape', args: [x, { data: [0, 1, 0, 1, 0, 1], shape: [3, 2] }, {}], want: { name: 'ShapeError', code: 'SHAPE_MISMATCH', argument: 'target' } },
    { name: 'target of another rank', args: [x, { data: [0, 1, 0, 1, 0, 1], shape: [6] }, {}], want: { name: 'ShapeError', code: 'SHAPE_MISMATCH', argument: 'target' } },
    { name: 'negative epsilon', args: [x, t, { from: 'probs', epsilon: -1e-7 }], want: { name: 'OptionError', code: 'INVALID_OPTION', argument: 'options.epsilon' } },
    { name: 'posWeight of the wrong length', args: [x, t, { posWeight: [1, 2] }], want: { name: 'OptionError', code: 'INVALID_OPTION', argument: 'options.posWeight' } },
    { name: 'negative weight', args: [x, t, { weight: -1 }], want: { name: 'OptionError', code: 'INVALID_OPTION', argument: 'options.weight' } },
    { name: 'unknown reduction', args: [x, t, { reduction: 'max' }], want: { name: 'OptionError', code: 'INVALID_OPTION', argument: 'options.reduction' } },
    { name: 'a 3-D input', args: [{ data: [0, 0], shape: [1, 1, 2] }, { data: [0, 0], shape: [1, 1, 2] }, {}], want: { name: 'ShapeError', code: 'INVALID_SHAPE', argument: 'input' } },
    // An option error is reported before a target error, as the oracle does.
    { name: 'bad option and bad target', args: [x, { data: [0], shape: [1] }, { base: 10 }], want: { name: 'OptionError', code: 'INVALID_OPTION', argument: 'options.base' } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const err = await gpu.call<ErrorInfo | null>('expectError', 'binaryCrossEntropy', c.args);
      expect(err, 'the GPU call did not throw').not.toBeNull();
      expect({ name: err!.name, code: err!.code, argument: err!.argument }).toEqual(c.want);
      // The oracle throws the same error for the same arguments.
      const oracle = await errorOf(() => binaryCrossEntropy(...(c.args as Parameters<typeof binaryCrossEntropy>)));
      expect({ name: oracle?.name, code: oracle?.code, argument: oracle?.argument, message: oracle?.message }).toEqual({ ...c.want, message: err!.message });
    });
  }
});
