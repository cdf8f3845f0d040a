// float16 and bfloat16 inputs on the GPU against the float64 oracle, which decodes the same 16-bit
// patterns exactly (src/reference/half.ts): every operation over a small grid (odd element counts,
// so the last word is half used; classes > 1024; one long row; float16 on both launch shapes, bfloat16 on the adapter's), an edge
// battery of special patterns, a caller's buffer wrapped at an odd element offset, and refusals.
// Tolerances are float32's (tolerances.ts): the inputs are exact, the arithmetic is float32.
import { describe, it, expect } from 'vitest';
import { useGpuPage } from './harness';
import type { CheckSpec, DataSpec, OpName } from '../util/spec';
import type { Report } from '../util/report';
import { TOL, meanScale } from '../util/tolerances';

const gpu = useGpuPage();
type Half = 'float16' | 'bfloat16';
const DTYPES: Half[] = ['float16', 'bfloat16'];

/** The calls: each operation with 16-bit inputs and (where it has one) a 16-bit dense target. */
interface Case {
  name: string;
  op: OpName;
  input: DataSpec;
  target?: DataSpec;
  options: Record<string, unknown>;
}
// crossEntropy from probabilities (its own read site, prob_q(load_X)) in float16 only: the
// accessor is the same for both types, and each case costs pipeline compiles on SwiftShader.
const CASES = (d: Half): Case[] => [
  { name: 'softmax', op: 'softmax', input: { kind: 'logits', scale: 3, dtype: d }, options: { temperature: 1.5 } },
  { name: 'logSoftmax', op: 'logSoftmax', input: { kind: 'logits', scale: 3, dtype: d }, options: {} },
  { name: 'crossEntropy labels', op: 'crossEntropy', input: { kind: 'logits', scale: 4, dtype: d }, target: { kind: 'labels', ignoreFrac: 0.2 }, options: { grad: true, extras: true, labelSmoothing: 0.1 } },
  { name: 'crossEntropy dense', op: 'crossEntropy', input: { kind: 'logits', scale: 4, dtype: d }, target: { kind: 'probs', dtype: d }, options: { grad: true, reduction: 'sum' } },
  ...(d === 'float16' ? [{ name: 'crossEntropy probs', op: 'crossEntropy', input: { kind: 'probs', dtype: d }, target: { kind: 'labels' }, options: { grad: true, from: 'probs' } } as Case] : []),
  { name: 'binaryCrossEntropy', op: 'binaryCrossEntropy', input: { kind: 'logits', scale: 3, dtype: d }, target: { kind: 'uniform', dtype: d }, options: { grad: true, reduction: 'none' } },
  { name: 'entropy', op: 'entropy', input: { kind: 'probs', dtype: d }, options: { grad: true } },
  { name: 'klDivergence', op: 'klDivergence', input: { kind: 'logits', scale: 3, dtype: d }, target: { kind: 'probs', dtype: d }, options: { grad: true, reduction: 'none' } },
];

// The newer operations, on the two shorter shapes (odd counts, classes > 1024): crossEntropy's
// top-k hits (the evaluator's read; its ranking is slow on SwiftShader past 1024 classes, so 129),
// both focal losses, jsDivergence with a 16-bit teacher.
const NEWER = (d: Half): (Case & { shapes?: number[][] })[] => [
  { name: 'crossEntropy extras topK', op: 'crossEntropy', input: { kind: 'logits', scale: 3, dtype: d }, target: { kind: 'labels', ignoreFrac: 0.2 }, options: { extras: true, topK: 5, reduction: 'none' }, shapes: [[3, 7], [6, 129]] },
  { name: 'focalLoss labels', op: 'focalLoss', input: { kind: 'logits', scale: 3, dtype: d }, target: { kind: 'labels', ignoreFrac: 0.2 }, options: { grad: true, gamma: 2, reduction: 'sum' } },
  { name: 'focalLoss dense', op: 'focalLoss', input: { kind: 'logits', scale: 3, dtype: d }, target: { kind: 'probs', dtype: d }, options: { grad: true, gamma: 1.5, reduction: 'none' } },
  { name: 'binaryFocalLoss', op: 'binaryFocalLoss', input: { kind: 'logits', scale: 3, dtype: d }, target: { kind: 'uniform', dtype: d }, options: { grad: true, reduction: 'none' } },
  { name: 'jsDivergence', op: 'jsDivergence', input: { kind: 'logits', scale: 3, dtype: d }, target: { kind: 'logits', scale: 3, dtype: d }, options: { grad: true, beta: 0.3, temperature: 2, reduction: 'sum' } },
];

function tolerances(c: Case, rows: number, cols: number): Pick<CheckSpec, 'tol' | 'gradTol'> {
  const o = c.options;
  if (c.op === 'binaryCrossEntropy') return { tol: TOL.bce, gradTol: TOL.bceGrad(true, rows * cols, o) };
  if (c.op === 'entropy' || c.op === 'klDivergence') return { tol: TOL.divergence(cols), gradTol: TOL.grad(meanScale(rows, o)) };
  if (c.op === 'focalLoss') return { tol: TOL.focalRow, gradTol: TOL.focalGrad((o.gamma as number | undefined) ?? 2, meanScale(rows, o)) };
  if (c.op === 'binaryFocalLoss') return { tol: o.reduction === 'none' ? TOL.focal : TOL.focalRow, gradTol: TOL.focalGrad((o.gamma as number | undefined) ?? 2, meanScale(rows * cols, o)) };
  if (c.op === 'jsDivergence') {
    const T = (o.temperature as number | undefined) ?? 1;
    return { tol: TOL.divergence(cols), gradTol: TOL.jsdGrad(meanScale(rows, o) / T, (8 * 3) / T) };
  }
  return { tol: TOL.loss, gradTol: TOL.grad() };
}

// [rows, cols]: odd counts (the last word half used), classes > 1024, one long row.
const SHAPES = [[3, 7], [5, 1025], [1, 40001]];

describe('16-bit inputs against the oracle, float16 on both launch shapes', () => {
  for (const d of DTYPES) {
    for (const c of CASES(d)) {
      SHAPES.forEach(([rows, cols], s) => {
        // The launch shape does not depend on the dtype (one accessor, decoded alike under both):
        // float16 runs both, bfloat16 the adapter's.
        for (const shaped of d === 'float16' ? [false, true] : [false]) {
          // The middle shape also goes up as 16-bit GpuTensors first (wl.tensor(bits, shape, dtype)).
          it(`${d} ${c.name} [${rows}, ${cols}]${shaped ? ' gpuShaped' : ''}`, () => gpu.check({
            op: c.op, rows, cols, seed: 17 * rows + cols + s, input: c.input, target: c.target, options: c.options,
            ...tolerances(c, rows, cols), gpuInputs: s === 1, context: shaped ? { gpuShaped: true } : undefined,
          }));
        }
      });
    }
  }
});

// Special patterns, one row each kind, 9 columns (45 elements: an odd count).
const EDGE: Record<Half, { finite: number[]; negInf: number; posInf: number; nan: number; tiny: number[] }> = {
  // 0, −0, smallest and largest subnormal, smallest normal, ±65504, 1, −2
  float16: { finite: [0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x7bff, 0xfbff, 0x3c00, 0xc000], negInf: 0xfc00, posInf: 0x7c00, nan: 0x7e00, tiny: [0x0001, 0x0002, 0x03ff, 0x0400, 0x0000, 0x8000, 0x3800, 0x3400, 0x0200] },
  // 0, −0, smallest and largest subnormal, smallest normal, ±8.5e37 (their difference still a
  // float32), 1, −2. Subnormal bfloat16 values are float32 subnormals, which a GPU may flush to
  // zero like any float32 input: the probabilities hold none, only tiny normal values.
  bfloat16: { finite: [0x0000, 0x8000, 0x0001, 0x007f, 0x0080, 0x7e80, 0xfe80, 0x3f80, 0xc000], negInf: 0xff80, posInf: 0x7f80, nan: 0x7fc0, tiny: [0x0080, 0x0100, 0x3380, 0x2f80, 0x0000, 0x8000, 0x3f00, 0x3e80, 0x0180] },
};

function edgeRows(d: Half): number[] {
  const e = EDGE[d];
  const f = e.finite;
  return [
    ...f,
    e.negInf, ...f.slice(1), // a masked class
    ...f.map(() => e.negInf), // every class masked
    ...f.slice(0, 4), e.posInf, ...f.slice(5), // +Infinity: an undefined row
    e.nan, ...f.slice(1), // NaN
  ];
}

describe('16-bit inputs of the newer operations against the oracle, both launch shapes', () => {
  for (const d of DTYPES) {
    for (const c of NEWER(d)) {
      (c.shapes ?? SHAPES.slice(0, 2)).forEach(([rows, cols], s) => {
        for (const shaped of [false, true]) {
          it(`${d} ${c.name} [${rows}, ${cols}]${shaped ? ' gpuShaped' : ''}`, () => gpu.check({
            op: c.op, rows, cols, seed: 31 * rows + cols + s, input: c.input, target: c.target, options: c.options,
            ...tolerances(c, rows, cols), gpuInputs: s === 1, context: shaped ? { gpuShaped: true } : undefined,
          }));
        }
      });
    }
  }
});

describe('edge battery: ±Infinity, NaN, subnormals, the largest finite values, −0', () => {
  for (const d of DTYPES) {
    const bits = edgeRows(d);
    const logits: DataSpec = { kind: 'data', bits, dtype: d };
    const probs: DataSpec = { kind: 'data', bits: Array.from({ length: 5 }, () => EDGE[d].tiny).flat(), dtype: d, shape: [5, 9] };
    const labels: DataSpec = { kind: 'data', data: [0, 1, 2, 3, -100] };
    const edge: Case[] = [
      { name: 'softmax', op: 'softmax', input: logits, options: {} },
      { name: 'logSoftmax', op: 'logSoftmax', input: logits, options: {} },
      { name: 'crossEntropy', op: 'crossEntropy', input: logits, target: labels, options: { grad: true, extras: true, reduction: 'none' } },
      { name: 'crossEntropy dense', op: 'crossEntropy', input: logits, target: probs, options: { grad: true, reduction: 'none' } },
      { name: 'binaryCrossEntropy', op: 'binaryCrossEntropy', input: logits, target: probs, options: { grad: true, reduction: 'none' } },
      { name: 'binaryCrossEntropy probs', op: 'binaryCrossEntropy', input: probs, target: probs, options: { from: 'probs', grad: true, reduction: 'none' } },
      { name: 'entropy probs', op: 'entropy', input: probs, options: { grad: true, reduction: 'none' } },
      { name: 'entropy logits', op: 'entropy', input: logits, options: { from: 'logits', grad: true, reduction: 'none' } },
      { name: 'klDivergence', op: 'klDivergence', input: logits, target: probs, options: { grad: true, reduction: 'none' } },
      { name: 'crossEntropy topK', op: 'crossEntropy', input: logits, target: labels, options: { extras: true, topK: 3, reduction: 'none' } },
      { name: 'focalLoss', op: 'focalLoss', input: logits, target: labels, options: { grad: true, reduction: 'none' } },
      { name: 'focalLoss dense', op: 'focalLoss', input: logits, target: probs, options: { grad: true, reduction: 'none' } },
      { name: 'binaryFocalLoss', op: 'binaryFocalLoss', input: logits, target: probs, options: { grad: true, reduction: 'none' } },
      { name: 'jsDivergence', op: 'jsDivergence', input: logits, target: { ...logits, bits: [...bits].reverse() }, options: { grad: true, reduction: 'none' } },
    ];
    for (const c of edge) {
      for (const shaped of [false, true]) {
        it(`${d} ${c.name}${shaped ? ' gpuShaped' : ''}`, () => gpu.check({
          op: c.op, rows: 5, cols: 9, input: c.input, target: c.target, options: c.options,
          ...tolerances(c, 5, 9), context: shaped ? { gpuShaped: true } : undefined,
        }));
      }
    }
  }
});

describe('linearCrossEntropy: 16-bit hidden states and weights against the oracle, both launch shapes', () => {
  for (const d of DTYPES) {
    for (const shaped of [false, true]) {
      it(`${d} [N 7, D 33] · [V 301, D 33]ᵀ${shaped ? ' gpuShaped' : ''}`, async () => {
        await gpu.expectOk<Report>('halfLinear', d, 7, 33, 301, shaped);
      });
    }
  }
});

// Offsets and gradient packing in float16 only: a 16-bit element's place in its word is found
// the same way for both types (their reads differ only in the conversion, which the grids above
// check on both), and the bfloat16 packing pass has its own test below.
describe('GPU objects', () => {
  it('wrap() of a float16 buffer at an odd element offset (byte offset 6), odd element count', async () => {
    await gpu.expectOk<Report>('halfWrapOffset', 'float16', 3, 5, 3);
  });
  it('the byte offset of a 16-bit tensor may be any even number (258 bytes: past the storage-offset alignment, not on it)', async () => {
    await gpu.expectOk<Report>('halfWrapOffset', 'float16', 3, 131, 129);
  });

  for (const d of DTYPES) {
    it(`the ${d} packing pass rounds to nearest even: boundaries, ties, subnormals, overflow, NaN`, async () => {
      await gpu.expectOk<Report>('halfPacking', d, 7);
    });
  }
  it("gradDtype 'input': a float16 gradient, the float32 one rounded, for every operation with a gradient", async () => {
    await gpu.expectOk<Report>('halfGradDtype', 'float16', 3, 7);
  });

  it('refuses what 16-bit tensors cannot do, naming the argument, and leaves nothing behind', async () => {
    const r = await gpu.call<Record<string, string | undefined>>('halfRefusals');
    expect(r.oddOffset).toMatch(/^BufferError: byteOffset: .*multiple of 2/);
    expect(r.pastTheWord).toMatch(/^BufferError: buffer: .*whole 4-byte words/);
    expect(r.inPlace).toMatch(/^OptionError: options\.inPlace: .*float32 input/);
    expect(r.halfLabels).toMatch(/^DTypeError: target: .*expected dtype int32, got float16/);
    expect(r.gradOutHalf).toMatch(/^OptionError: options\.gradOut: .*gradDtype 'input'/);
    expect(r.badGradDtype).toMatch(/^OptionError: options\.gradDtype: /);
    expect(r.linearBias).toMatch(/^DTypeError: options\.bias: .*expected float32 data, got dtype float16/);
    expect(r.floatData).toMatch(/^DTypeError: data: .*dtype 'float16' needs a Uint16Array/);
    expect(r.hostFloatData).toMatch(/^DTypeError: input: .*dtype 'bfloat16' needs a Uint16Array/);
    expect(r.unknownDType).toMatch(/^DTypeError: input\.dtype: .*/);
    expect(r.leftTensors).toBe('1'); // the one tensor the handler made, destroyed after counting
  });

  it('a Float16Array is float16 data (where the browser has Float16Array; otherwise says so)', async () => {
    const r = await gpu.call<{ has: boolean; same?: boolean }>('halfFloat16Array');
    if (r.has) expect(r.same).toBe(true);
    else expect(r).toEqual({ has: false });
  });
});
