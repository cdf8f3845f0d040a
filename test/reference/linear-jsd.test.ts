// linearJsDivergence's oracle: equal to jsDivergence on the float64 logits hidden·weightᵀ + bias,
// its gradients (hidden, weight, bias) against central differences for β ∈ {0, 0.5, 1} and
// T ∈ {1, 2} with an ignored row, frozenHead, 16-bit inputs decoded exactly, and its shape and
// option checks.

import { describe, expect, it } from 'vitest';
import { jsDivergence, linearJsDivergence, mulberry32, normal } from '../../src/reference';
import { assertClose } from '../util/allclose';
import { TOL } from '../util/tolerances';
import { numericGrad, tensor } from './helpers';
import { decodeHalf } from '../../src/reference';
import { toHalfBits } from '../../src/reference/half';

const [N, D, V] = [4, 3, 6];
const rng = mulberry32(23);
const H = Float64Array.from({ length: N * D }, () => normal(rng));
const W = Float64Array.from({ length: V * D }, () => normal(rng));
const B = Float64Array.from({ length: V }, () => normal(rng) * 0.5);
const teacher = tensor(Float64Array.from({ length: N * V }, () => 2 * normal(rng)), [N, V]);
const labels = tensor(new Int32Array([0, -100, 2, 3]), [N]);

function logits(h: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const z = new Float64Array(N * V);
  for (let r = 0; r < N; r++) for (let c = 0; c < V; c++) {
    let s = b[c];
    for (let k = 0; k < D; k++) s += h[r * D + k] * w[c * D + k];
    z[r * V + c] = s;
  }
  return z;
}

describe('linearJsDivergence oracle', () => {
  it('is jsDivergence of hidden·weightᵀ + bias', () => {
    for (const beta of [0, 0.3, 1]) {
      const opts = { beta, temperature: 2, labels, reduction: 'none' } as const;
      const want = jsDivergence(tensor(logits(H, W, B), [N, V]), teacher, opts).loss;
      assertClose(linearJsDivergence(tensor(H, [N, D]), tensor(W, [V, D]), teacher, { ...opts, bias: tensor(B, [V]) }).loss, want, TOL.tight, `β ${beta}`);
    }
  });
  for (const beta of [0, 0.5, 1]) {
    for (const T of [1, 2]) {
      it(`gradients against central differences, β ${beta} T ${T}, row 1 ignored`, () => {
        const opts = { beta, temperature: T, labels, reduction: 'mean' } as const;
        const f = (h: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>) =>
          linearJsDivergence(tensor(h, [N, D]), tensor(w, [V, D]), teacher, { ...opts, bias: tensor(b, [V]) }).loss[0];
        const r = linearJsDivergence(tensor(H, [N, D]), tensor(W, [V, D]), teacher, { ...opts, bias: tensor(B, [V]), grad: true });
        assertClose(r.gradHidden!, numericGrad((x) => f(x, W, B), H), TOL.finiteDifference, 'gradHidden');
        assertClose(r.gradWeight!, numericGrad((x) => f(H, x, B), W), TOL.finiteDifference, 'gradWeight');
        assertClose(r.gradBias!, numericGrad((x) => f(H, W, x), B), TOL.finiteDifference, 'gradBias');
        // The ignored row gets no gradient.
        expect(Array.from(r.gradHidden!.subarray(D, 2 * D))).toEqual([0, 0, 0]);
      });
    }
  }
  it('frozenHead: gradHidden only, the same values', () => {
    const opts = { beta: 0.5, temperature: 2, grad: true, bias: tensor(B, [V]) };
    const all = linearJsDivergence(tensor(H, [N, D]), tensor(W, [V, D]), teacher, opts);
    const frozen = linearJsDivergence(tensor(H, [N, D]), tensor(W, [V, D]), teacher, { ...opts, frozenHead: true });
    expect(frozen.gradWeight).toBeUndefined();
    expect(frozen.gradBias).toBeUndefined();
    expect(Array.from(frozen.gradHidden!)).toEqual(Array.from(all.gradHidden!));
  });
  it('16-bit hidden, weight and teacher are their decoded values; a 16-bit bias is refused', () => {
    for (const dtype of ['float16', 'bfloat16'] as const) {
      const [h, w, t] = [H, W, teacher.data].map((x) => toHalfBits(x, dtype));
      const opts = { beta: 0.5, temperature: 2, grad: true, labels, bias: tensor(B, [V]) };
      const got = linearJsDivergence({ data: h, shape: [N, D], dtype }, { data: w, shape: [V, D], dtype }, { data: t, shape: [N, V], dtype }, opts);
      const want = linearJsDivergence(tensor(decodeHalf(h, dtype), [N, D]), tensor(decodeHalf(w, dtype), [V, D]), tensor(decodeHalf(t, dtype), [N, V]), opts);
      for (const k of ['loss', 'gradHidden', 'gradWeight', 'gradBias'] as const) expect(Array.from(got[k]!), `${dtype} ${k}`).toEqual(Array.from(want[k]!));
      // The encoding rounded: the inputs really are 16-bit values.
      expect(Array.from(decodeHalf(h, dtype))).not.toEqual(Array.from(H));
      expect(() => linearJsDivergence(tensor(H, [N, D]), tensor(W, [V, D]), teacher, { bias: { data: toHalfBits(B, dtype), shape: [V], dtype } })).toThrow(/options\.bias/);
    }
  });
  it('refuses mismatched shapes and bad options, naming the argument', () => {
    const h = tensor(H, [N, D]);
    const w = tensor(W, [V, D]);
    expect(() => linearJsDivergence(h, w, tensor(new Float64Array(N * (V + 1)), [N, V + 1]))).toThrow(/teacher/);
    expect(() => linearJsDivergence(h, tensor(W, [D, V]), teacher)).toThrow(/weight/);
    expect(() => linearJsDivergence(h, w, teacher, { bias: tensor(B, [V - 1]) as never })).toThrow(/options\.bias/);
    expect(() => linearJsDivergence(h, w, teacher, { beta: 2 })).toThrow(/options\.beta/);
    expect(() => linearJsDivergence(h, w, teacher, { memoryBudget: 0.5 })).toThrow(/options\.memoryBudget/);
    expect(() => linearJsDivergence(h, w, teacher, { shift: 1 } as never)).toThrow(/shift/);
  });
});
