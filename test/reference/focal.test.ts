// The focal losses' oracle: torchvision's formula evaluated by hand at a few points, closed forms,
// γ = 0 against the cross-entropy oracles, the stable forms against the naive formula, and every
// gradient against central finite differences of the oracle's own loss.
import { describe, expect, it } from 'vitest';
import { binaryCrossEntropy, binaryFocalLoss, crossEntropy, focalLoss, mulberry32, randomLogits, randomProbs, randomUniform, type RefResult } from '../../src/reference';
import { CpuLoss, type BinaryFocalLossOptions, type FocalLossOptions } from '../../src/index';
import { assertClose } from '../util/allclose';
import { describeCase, numericGrad, product, tensor, total } from './helpers';
import { TOL } from '../util/tolerances';

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** torchvision.ops.sigmoid_focal_loss, term by term as written there (float64, small |x| only). */
function torchvision(x: number, t: number, alpha: number, gamma: number): number {
  const p = sig(x);
  const ce = -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
  const pt = p * t + (1 - p) * (1 - t);
  let loss = ce * (1 - pt) ** gamma;
  if (alpha >= 0) loss *= alpha * t + (1 - alpha) * (1 - t);
  return loss;
}

describe('binaryFocalLoss: torchvision values', () => {
  // Values computed by hand from torchvision's formula (Python, float64).
  const cases: [number, number, number, number, number][] = [
    [2, 1, 0.25, 2, 0.0004508907088100953],
    [-1, 0, 0.25, 2, 0.016993543131350493],
    [0.5, 0.3, 0.25, 2, 0.14901774472877433],
    [-3, 1, -1, 0.5, 2.9754183296501915],
    [4, 0, 0.8, 5, 0.7339121293908203],
  ];
  for (const [x, t, alpha, gamma, want] of cases) {
    it(`x=${x} t=${t} alpha=${alpha} gamma=${gamma}`, () => {
      const r = binaryFocalLoss(tensor([x], [1, 1]), tensor([t], [1, 1]), { alpha, gamma, reduction: 'none' });
      assertClose(r.loss, [want], TOL.tight, 'loss');
      assertClose(r.loss, [torchvision(x, t, alpha, gamma)], TOL.tight, 'the formula');
    });
  }
  it("defaults: α = 0.25, γ = 2, 'mean' over every element", () => {
    const r = binaryFocalLoss(tensor([2, -1], [1, 2]), tensor([1, 0], [1, 2]));
    assertClose(r.loss, [(0.0004508907088100953 + 0.016993543131350493) / 2], TOL.tight, 'mean');
    expect(r.shape).toEqual([]);
  });
});

describe('binaryFocalLoss: closed forms and stability', () => {
  const rng = mulberry32(77);
  const xs = Float64Array.from(randomLogits(rng, 4, 25, 4));
  const ts = Float64Array.from(randomUniform(rng, 100));
  const x = tensor(xs, [4, 25]);
  const t = tensor(ts, [4, 25]);
  it('matches the torchvision formula on random soft targets', () => {
    for (const [alpha, gamma] of [[0.25, 2], [-1, 0.5], [0.9, 5], [0, 1]]) {
      const r = binaryFocalLoss(x, t, { alpha, gamma, reduction: 'none' });
      assertClose(r.loss, Array.from(xs, (v, i) => torchvision(v, ts[i], alpha, gamma)), TOL.tightLog1m, `alpha ${alpha} gamma ${gamma}`);
    }
  });
  it('γ = 0 and no α is binaryCrossEntropy from logits', () => {
    for (const reduction of ['none', 'sum', 'mean'] as const) {
      const a = binaryFocalLoss(x, t, { alpha: -1, gamma: 0, reduction, grad: true });
      const b = binaryCrossEntropy(x, t, { reduction, grad: true });
      assertClose(a.loss, b.loss, TOL.tight, `${reduction} loss`);
      assertClose(a.grad!, b.grad!, TOL.tight, `${reduction} grad`);
    }
  });
  it('keeps its digits where p_t ≈ 1 and for |x| up to 1e30', () => {
    // t = 1, x = 40: ce = softplus(−40) ≈ e^−40, q = σ(−40) ≈ e^−40; loss = α·e^−40·e^−80 (γ = 2).
    const r = binaryFocalLoss(tensor([40, -1e30, 1e30], [1, 3]), tensor([1, 1, 0], [1, 3]), { reduction: 'none', alpha: -1 });
    const e = Math.exp(-40);
    assertClose([r.loss[0]], [Math.log1p(e) * sig(-40) ** 2], TOL.everyDigit, 'x = 40');
    expect(r.loss[1]).toBe(1e30); // q = 1, ce = 1e30
    expect(r.loss[2]).toBe(1e30);
  });
  it('±Infinity logits are the limits; targets outside [0, 1] and NaN give NaN', () => {
    const r = binaryFocalLoss(
      tensor([Infinity, Infinity, -Infinity, -Infinity, Infinity, 0, 0, 0], [1, 8]),
      tensor([1, 0.5, 0, 0.5, 0, 2, -1, NaN], [1, 8]),
      { reduction: 'none', grad: true, alpha: 0.25, gamma: 2 },
    );
    expect(Array.from(r.loss)).toEqual([0, Infinity, 0, Infinity, Infinity, NaN, NaN, NaN]);
    // x = +∞: a_t·(1 − t)^(γ+1); x = −∞: −a_t·t^(γ+1).
    assertClose(r.grad!, [0, 0.5 * 0.5 ** 3, 0, -0.5 * 0.5 ** 3, 0.75, NaN, NaN, NaN], TOL.tight, 'grad');
  });
});

describe('binaryFocalLoss: gradient = finite differences', () => {
  const rng = mulberry32(5);
  const xs = Float64Array.from(randomLogits(rng, 3, 4, 2));
  const soft = Float64Array.from(randomUniform(rng, 12));
  const hard = soft.map((v) => (v < 0.5 ? 0 : 1));
  const cases = product({ alpha: [undefined, -1, 0.6], gamma: [0, 0.5, 2, 5], target: ['soft', 'hard'], reduction: ['none', 'mean'] as const });
  for (const c of cases) {
    it(describeCase(c), () => {
      const t = tensor(c.target === 'soft' ? soft : hard, [3, 4]);
      const run = (x: Float64Array, grad: boolean): RefResult => binaryFocalLoss(tensor(x, [3, 4]), t, { alpha: c.alpha, gamma: c.gamma, reduction: c.reduction, grad } as BinaryFocalLossOptions);
      assertClose(run(xs, true).grad!, numericGrad((x) => total(run(x, false)), xs), TOL.finiteDifference, 'grad');
    });
  }
});

describe('focalLoss: closed forms', () => {
  it('a hand-computed row: −(1 − p_y)^γ·ln p_y', () => {
    const z = [2, 1, 0.1];
    const s = z.reduce((a, v) => a + Math.exp(v), 0);
    const p0 = Math.exp(2) / s;
    const r = focalLoss(tensor(z, [1, 3]), tensor(Int32Array.of(0), [1]), { gamma: 2 });
    assertClose(r.loss, [0.04849234340769346], TOL.tight, 'quoted');
    assertClose(r.loss, [-((1 - p0) ** 2) * Math.log(p0)], TOL.tight, 'formula');
  });
  it('dense one-hot targets give the sparse loss and gradient', () => {
    const rng = mulberry32(8);
    const x = tensor(Float64Array.from(randomLogits(rng, 4, 6, 2)), [4, 6]);
    const labels = Int32Array.of(0, 5, 2, 3);
    const dense = new Float64Array(24);
    labels.forEach((y, r) => (dense[r * 6 + y] = 1));
    const alpha = [1, 2, 0.5, 1, 3, 0.25];
    for (const reduction of ['none', 'sum'] as const) {
      const a = focalLoss(x, tensor(labels, [4]), { gamma: 1.5, alpha, reduction, grad: true });
      const b = focalLoss(x, tensor(dense, [4, 6]), { gamma: 1.5, alpha, reduction, grad: true });
      assertClose(a.loss, b.loss, TOL.tight, 'loss');
      assertClose(a.grad!, b.grad!, TOL.tight, 'grad');
    }
  });
  it("sparse 'mean' divides by Σ α_label over kept rows", () => {
    const x = tensor([1, 2, 3, 3, 2, 1, 0, 0, 0], [3, 3]);
    const y = tensor(Int32Array.of(0, -100, 2), [3]);
    const alpha = [2, 1, 0.5];
    const none = focalLoss(x, y, { alpha, reduction: 'none' });
    const mean = focalLoss(x, y, { alpha });
    assertClose(mean.loss, [(none.loss[0] + none.loss[2]) / 2.5], TOL.tight, 'mean');
    expect(none.loss[1]).toBe(0);
  });
  it('the near-certain row keeps its digits: q = Σ of the other classes', () => {
    // p_y = 1/(1 + 2e^−30): q = 2e^−30/(1 + 2e^−30), loss = q^2·ln(1 + 2e^−30).
    const r = focalLoss(tensor([30, 0, 0], [1, 3]), tensor(Int32Array.of(0), [1]), { gamma: 2, reduction: 'none' });
    const e = 2 * Math.exp(-30);
    assertClose(r.loss, [(e / (1 + e)) ** 2 * Math.log1p(e)], TOL.tight, 'loss');
  });
  it('rows: NaN, masked label, every class masked, ignored NaN', () => {
    const I = Infinity;
    const r = focalLoss(
      tensor([NaN, 0, 0, -I, 0, 0, -I, -I, -I, NaN, 1, 2], [4, 3]),
      tensor(Int32Array.of(1, 0, 2, -100), [4]),
      { reduction: 'none', grad: true },
    );
    expect(Array.from(r.loss)).toEqual([NaN, Infinity, Infinity, 0]);
    expect(Array.from(r.grad!.slice(0, 3)).every(Number.isNaN)).toBe(true);
    // Masked label: q = 1, g = 1: the gradient is p − δ as cross-entropy's.
    assertClose(r.grad!.slice(3, 6), [-1, 0.5, 0.5], TOL.tight, 'masked label');
    expect(Array.from(r.grad!.slice(6))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('base 2 divides loss and gradient by ln 2', () => {
  const x = tensor([0.5, -1, 2, 1.5, 0.2, -0.3], [2, 3]);
  it('focalLoss', () => {
    const y = tensor(Int32Array.of(2, 0), [2]);
    const e = focalLoss(x, y, { gamma: 1.5, grad: true });
    const b = focalLoss(x, y, { gamma: 1.5, grad: true, base: 2 });
    assertClose(b.loss, [e.loss[0] / Math.LN2], TOL.tight, 'loss');
    assertClose(b.grad!, Array.from(e.grad!, (g) => g / Math.LN2), TOL.tight, 'grad');
  });
  it('binaryFocalLoss', () => {
    const t = tensor([1, 0, 0.3, 0, 1, 0.5], [2, 3]);
    const e = binaryFocalLoss(x, t, { reduction: 'sum', grad: true });
    const b = binaryFocalLoss(x, t, { reduction: 'sum', grad: true, base: 2 });
    assertClose(b.loss, [e.loss[0] / Math.LN2], TOL.tight, 'loss');
    assertClose(b.grad!, Array.from(e.grad!, (g) => g / Math.LN2), TOL.tight, 'grad');
  });
});

describe('focalLoss with γ = 0 is crossEntropy', () => {
  const rng = mulberry32(99);
  const x = tensor(Float64Array.from(randomLogits(rng, 6, 9, 3)), [6, 9]);
  const labels = tensor(Int32Array.of(0, 8, -100, 3, 3, 5), [6]);
  const dense = tensor(Float64Array.from(randomProbs(rng, 6, 9, 1)), [6, 9]);
  const weight = Array.from(randomUniform(rng, 9, 0.5, 2));
  for (const [name, target] of [['labels', labels], ['dense', dense]] as const) {
    for (const reduction of ['none', 'sum', 'mean'] as const) {
      for (const w of [undefined, weight]) {
        it(`${name} ${reduction} ${w ? 'weighted' : ''}`, () => {
          const a = focalLoss(x, target, { gamma: 0, alpha: w, reduction, grad: true });
          const b = crossEntropy(x, target, { weight: w, reduction, grad: true });
          assertClose(a.loss, b.loss, TOL.tight, 'loss');
          assertClose(a.grad!, b.grad!, TOL.tight, 'grad');
        });
      }
    }
  }
});

describe('focalLoss: gradient = finite differences', () => {
  const ROWS = 4;
  const V = 5;
  const rng = mulberry32(2024);
  const xs = Float64Array.from(randomLogits(rng, ROWS, V, 2));
  const dense = Float64Array.from(randomProbs(rng, ROWS, V, 1.5));
  const labels = Int32Array.of(0, -100, 4, 2);
  const alpha = Array.from(randomUniform(rng, V, 0.5, 2));
  const cases = product({ gamma: [0, 0.5, 2, 5], alpha: [undefined, 0.5, alpha], target: ['labels', 'dense'], reduction: ['none', 'mean'] as const });
  for (const c of cases) {
    it(describeCase(c), () => {
      const t = c.target === 'labels' ? tensor(labels, [ROWS]) : tensor(dense, [ROWS, V]);
      const run = (x: Float64Array, grad: boolean): RefResult => focalLoss(tensor(x, [ROWS, V]), t, { gamma: c.gamma, alpha: c.alpha, reduction: c.reduction, grad } as FocalLossOptions);
      assertClose(run(xs, true).grad!, numericGrad((x) => total(run(x, false)), xs), TOL.finiteDifference, 'grad');
    });
  }
  it('a near-certain row (q ≈ 1e-6) and a masked class', () => {
    const x = Float64Array.of(14, 0, 0, -Infinity, 1, 3, 0, 0);
    const t = tensor(Int32Array.of(0, 1), [2]);
    for (const gamma of [0.5, 2]) {
      const run = (z: Float64Array, grad: boolean) => focalLoss(tensor(z, [2, 4]), t, { gamma, reduction: 'sum', grad });
      assertClose(run(x, true).grad!, numericGrad((z) => total(run(z, false)), x, 1e-6, (i) => i === 3), TOL.finiteDifference, `gamma ${gamma}`);
    }
  });
});

describe('CpuLoss: the oracle rounded to float32', () => {
  const cpu = new CpuLoss('the focal tests run it directly');
  const x = tensor(Float32Array.of(0.5, -1, 2, 1.5, 0.2, -0.3), [2, 3]);
  it('focalLoss, labels and dense targets', async () => {
    for (const target of [tensor(Int32Array.of(2, 0), [2]), tensor(Float32Array.of(0, 0.5, 0.5, 1, 0, 0), [2, 3])]) {
      const out = await cpu.focalLoss(x, target, { gamma: 1.5, alpha: [1, 2, 0.5], reduction: 'none', grad: true });
      const want = focalLoss(x, target, { gamma: 1.5, alpha: [1, 2, 0.5], reduction: 'none', grad: true });
      assertClose(await out.loss.read(), want.loss, TOL.roundedToF32, 'loss');
      assertClose(await out.grad!.read(), want.grad!, TOL.roundedToF32, 'grad');
      expect(out.loss.shape).toEqual([2]);
    }
  });
  it('binaryFocalLoss', async () => {
    const t = tensor(Float32Array.of(1, 0, 0.3, 0, 1, 0.5), [2, 3]);
    const out = await cpu.binaryFocalLoss(x, t, { grad: true });
    const want = binaryFocalLoss(x, t, { grad: true });
    assertClose(await out.loss.read(), want.loss, TOL.roundedToF32, 'loss');
    assertClose(await out.grad!.read(), want.grad!, TOL.roundedToF32, 'grad');
    expect(out.loss.shape).toEqual([]);
  });
});
