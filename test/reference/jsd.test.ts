// jsDivergence's oracle: Liger-Kernel's end points (β = 0 forward KL(P‖Q), β = 1 reverse KL(Q‖P))
// against klDivergence, the symmetry at β = 1/2, closed forms, the edge rules, and the gradient
// against central differences.

import { describe, expect, it } from 'vitest';
import { jsDivergence, klDivergence, mulberry32, randomLogits, softmax } from '../../src/reference';
import { assertClose } from '../util/allclose';
import { TOL } from '../util/tolerances';
import { numericGrad, tensor, total } from './helpers';

const ln = Math.log;
const rows = 3;
const V = 7;
const student = randomLogits(mulberry32(11), rows, V, 2);
const teacher = randomLogits(mulberry32(12), rows, V, 2);
const S = tensor(student, [rows, V]);
const Tt = tensor(teacher, [rows, V]);

function gradOf(r: { grad?: Float64Array }): Float64Array {
  if (!r.grad) throw new Error('no gradient returned');
  return r.grad;
}

/** Logits divided by T, as float64 data (the oracle divides in float64 too). */
const scaled = (x: ArrayLike<number>, T: number) => Float64Array.from(x, (v) => v / T);

describe('jsDivergence oracle', () => {
  it('β = 0 is forward KL(P‖Q) = klDivergence(student, teacher), P the teacher (Liger)', () => {
    for (const T of [0.5, 1, 4]) {
      const kl = klDivergence(tensor(scaled(student, T), [rows, V]), tensor(scaled(teacher, T), [rows, V]), { targetFrom: 'logits', reduction: 'none' });
      assertClose(jsDivergence(S, Tt, { beta: 0, temperature: T, reduction: 'none' }).loss, kl.loss, TOL.tight, `T = ${T}`);
    }
  });
  it('β = 1 is reverse KL(Q‖P) = klDivergence(teacher, student)', () => {
    const kl = klDivergence(Tt, S, { targetFrom: 'logits', reduction: 'none' });
    assertClose(jsDivergence(S, Tt, { beta: 1, reduction: 'none' }).loss, kl.loss, TOL.tight, 'reverse');
  });
  it('β = 0 gradient is (Q − P)/T, klDivergence\'s through the temperature', () => {
    const T = 2;
    const kl = klDivergence(tensor(scaled(student, T), [rows, V]), tensor(scaled(teacher, T), [rows, V]), { targetFrom: 'logits', reduction: 'sum', grad: true });
    const g = gradOf(jsDivergence(S, Tt, { beta: 0, temperature: T, reduction: 'sum', grad: true }));
    assertClose(g, gradOf(kl).map((v) => v / T), TOL.tight, 'grad');
  });
  it('is symmetric at β = 1/2 under swapping student and teacher, and matches the definition', () => {
    const a = jsDivergence(S, Tt, { reduction: 'none' }).loss;
    assertClose(jsDivergence(Tt, S, { reduction: 'none' }).loss, a, TOL.tight, 'swap');
    const P = softmax(Tt);
    const Q = softmax(S);
    const want = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < V; c++) {
        const p = P[r * V + c];
        const q = Q[r * V + c];
        const m = (p + q) / 2;
        want[r] += 0.5 * p * ln(p / m) + 0.5 * q * ln(q / m);
      }
    }
    assertClose(a, want, TOL.tight, 'definition');
  });
  it('closed forms: disjoint supports give −β ln β − (1 − β) ln(1 − β); identical rows give exactly 0', () => {
    const s = tensor([0, -Infinity, 0, 0], [2, 2]);
    const t = tensor([-Infinity, 0, 0, 0], [2, 2]);
    for (const beta of [0.1, 0.5, 0.9]) {
      const r = jsDivergence(s, t, { beta, reduction: 'none' });
      assertClose(r.loss, [-beta * ln(beta) - (1 - beta) * ln(1 - beta), 0], TOL.tight, `β = ${beta}`);
    }
    const same = jsDivergence(S, S, { beta: 0.3, reduction: 'none', grad: true });
    expect(Array.from(same.loss)).toEqual([0, 0, 0]);
    for (const g of gradOf(same)) expect(Math.abs(g)).toBe(0);
  });
  it('2-class hand value at β = 0.25, T = 2', () => {
    // P = softmax([2 ln 3, 0] / 2) = [3/4, 1/4], Q = [1/2, 1/2], M = [9/16, 7/16]
    const r = jsDivergence(tensor([0, 0], [1, 2]), tensor([2 * ln(3), 0], [1, 2]), { beta: 0.25, temperature: 2 });
    const P = [0.75, 0.25];
    const Q = [0.5, 0.5];
    let want = 0;
    for (let c = 0; c < 2; c++) {
      const m = 0.25 * P[c] + 0.75 * Q[c];
      want += 0.25 * P[c] * ln(P[c] / m) + 0.75 * Q[c] * ln(Q[c] / m);
    }
    assertClose(r.loss, [want], TOL.tight, 'loss');
  });
  for (const [beta, T] of [[0.5, 1], [0.2, 0.5], [0, 4], [1, 2]] as const) {
    it(`gradient = central differences (β = ${beta}, T = ${T}, 'mean' over kept rows)`, () => {
      const labels = tensor(new Int32Array([1, -100, 4]), [rows]);
      const opts = { beta, temperature: T, labels, reduction: 'mean' } as const;
      const r = jsDivergence(S, Tt, { ...opts, grad: true });
      const num = numericGrad((x) => total(jsDivergence(tensor(x, [rows, V]), Tt, opts)), student, 1e-6);
      assertClose(gradOf(r), num, TOL.finiteDifference, 'grad');
      // The ignored row: no loss, no gradient; the mean is over the 2 kept rows.
      const none = jsDivergence(S, Tt, { ...opts, reduction: 'none' }).loss;
      expect(none[1]).toBe(0);
      assertClose(r.loss, [(none[0] + none[2]) / 2], TOL.tight, 'mean');
    });
  }
  it('masked classes, NaN rows, all-masked rows, and Liger\'s infinite end points', () => {
    const s = tensor([0, -Infinity, 1, /**/ NaN, 0, 0, /**/ -Infinity, -Infinity, -Infinity, /**/ 0, 1, 2], [4, 3]);
    const t = tensor([1, 0, -Infinity, /**/ 0, 0, 0, /**/ 0, 0, 0, /**/ -Infinity, -Infinity, -Infinity], [4, 3]);
    const mix = jsDivergence(s, t, { reduction: 'none', grad: true });
    expect(Number.isFinite(mix.loss[0]) && mix.loss[0] > 0).toBe(true);
    expect(Array.from(mix.loss.subarray(1))).toEqual([NaN, Infinity, Infinity]);
    const g = gradOf(mix);
    expect(g[1]).toBe(0); // a class the student masks
    expect(Array.from(g.subarray(3, 6)).every(Number.isNaN)).toBe(true);
    expect(Array.from(g.subarray(6))).toEqual([0, 0, 0, 0, 0, 0]);
    // β = 0: the teacher has mass where the student masks (class 1): +Infinity, finite gradient.
    const fwd = jsDivergence(s, t, { beta: 0, reduction: 'none', grad: true });
    expect(fwd.loss[0]).toBe(Infinity);
    expect(Array.from(gradOf(fwd).subarray(0, 3)).every(Number.isFinite)).toBe(true);
    // β = 1: the student has mass where the teacher masks (class 2): +Infinity, gradient NaN.
    const rev = jsDivergence(s, t, { beta: 1, reduction: 'none', grad: true });
    expect(rev.loss[0]).toBe(Infinity);
    expect(Array.from(gradOf(rev).subarray(0, 3)).every(Number.isNaN)).toBe(true);
  });
  it("every row ignored: 'mean' NaN or 0 (allIgnored), 'sum' 0, gradient 0", () => {
    const labels = tensor(new Int32Array([-1, -1, -1]), [rows]);
    const base = { labels, ignoreIndex: -1, grad: true } as const;
    expect(jsDivergence(S, Tt, base).loss[0]).toBeNaN();
    expect(jsDivergence(S, Tt, { ...base, allIgnored: 'zero' }).loss[0]).toBe(0);
    const sum = jsDivergence(S, Tt, { ...base, reduction: 'sum' });
    expect(sum.loss[0]).toBe(0);
    expect(gradOf(sum).every((v) => v === 0)).toBe(true);
  });
  it('refuses bad options and labels, naming them', () => {
    expect(() => jsDivergence(S, Tt, { beta: 1.5 })).toThrow(/options\.beta/);
    expect(() => jsDivergence(S, Tt, { temperature: 0 })).toThrow(/options\.temperature/);
    expect(() => jsDivergence(S, Tt, { temperature: 1e-300 })).toThrow(/options\.temperature/);
    expect(() => jsDivergence(S, Tt, { labels: tensor(new Int32Array([0, 1]), [2]) })).toThrow(/options\.labels/);
    expect(() => jsDivergence(S, Tt, { labels: tensor([0, 0.5, 1], [3]) })).toThrow(/options\.labels/);
    expect(() => jsDivergence(S, tensor(teacher.subarray(0, 14), [2, V]))).toThrow(/teacher/);
    expect(() => jsDivergence(S, Tt, { bta: 0.5 } as never)).toThrow(/options\.bta/);
  });
});
