// The linear cross-entropy oracle's gradient filter against an independent model: the logit
// gradient G from crossEntropy on explicit logits, its 32×32 tiles judged by |G| ≤ ε·k, and the
// products summed by hand without the dead tiles (the loss and gradBias keep every tile).

import { describe, expect, it } from 'vitest';
import { crossEntropy, linearCrossEntropy, mulberry32, normal, randomLabels } from '../../src/reference';
import type { RefLinearCrossEntropyOptions } from '../../src/reference';
import { assertClose } from '../util/allclose';
import { TOL } from '../util/tolerances';

const T = 32;

// 40 rows (2 row blocks), 70 classes (3 class blocks); rows 0-31 peaked (label logit ~30, the
// others ~N(0, 3.75²)).
function problem(seed: number) {
  const N = 40;
  const D = 64;
  const V = 70;
  const rng = mulberry32(seed);
  const h = Float64Array.from({ length: N * D }, () => normal(rng));
  const w = Float64Array.from({ length: V * D }, () => normal(rng) / Math.sqrt(D));
  const b = Float64Array.from({ length: V }, () => normal(rng) * 0.1);
  const y = randomLabels(rng, N, V);
  y[35] = -100;
  for (let r = 0; r < 32; r++) {
    // Labels in class block 0: the label column keeps its tile live under smoothing and z-loss.
    y[r] = r;
    let sq = 0;
    for (let k = 0; k < D; k++) sq += w[y[r] * D + k] ** 2;
    for (let k = 0; k < D; k++) h[r * D + k] = 0.1 * h[r * D + k] + 30 * w[y[r] * D + k] / sq;
  }
  return { h, w, b, y, N, D, V };
}

const CASES: [RefLinearCrossEntropyOptions, (kept: number) => number][] = [
  [{}, (kept) => 1 / kept],
  [{ reduction: 'sum', labelSmoothing: 0.01 }, () => 1],
  [{ base: 2, zLoss: 1e-3 }, (kept) => 1 / kept / Math.LN2],
];

describe('linearCrossEntropy oracle: gradFilter', () => {
  for (const [opts, scale] of CASES) {
    it(JSON.stringify(opts), () => {
      const eps = 2 ** -12;
      const { h, w, b, y, N, D, V } = problem(7);
      const z = new Float64Array(N * V);
      for (let r = 0; r < N; r++) for (let c = 0; c < V; c++) {
        let s = b[c];
        for (let k = 0; k < D; k++) s += h[r * D + k] * w[c * D + k];
        z[r * V + c] = s;
      }
      const ce = crossEntropy({ data: z, shape: [N, V] }, { data: y, shape: [N] }, { ...opts, grad: true });
      const G = ce.grad!;
      const thr = eps * scale(y.filter((l) => l !== -100).length);
      const cols = Math.ceil(V / T);
      const live = new Uint8Array(Math.ceil(N / T) * cols);
      for (let r = 0; r < N; r++) for (let c = 0; c < V; c++) if (Math.abs(G[r * V + c]) > thr) live[(r / T | 0) * cols + (c / T | 0)] = 1;
      const gh = new Float64Array(N * D);
      const gw = new Float64Array(V * D);
      const gb = new Float64Array(V);
      for (let r = 0; r < N; r++) for (let c = 0; c < V; c++) {
        gb[c] += G[r * V + c];
        if (!live[(r / T | 0) * cols + (c / T | 0)]) continue;
        for (let k = 0; k < D; k++) {
          gh[r * D + k] += G[r * V + c] * w[c * D + k];
          gw[c * D + k] += G[r * V + c] * h[r * D + k];
        }
      }
      const args = [{ data: h, shape: [N, D] }, { data: w, shape: [V, D] }, { data: y, shape: [N] }] as const;
      const lin = linearCrossEntropy(...args, { ...opts, bias: { data: b, shape: [V] }, grad: true, gradFilter: eps });
      const exact = linearCrossEntropy(...args, { ...opts, bias: { data: b, shape: [V] }, grad: true });
      // Peaked rows leave dead tiles, flat ones live ones.
      expect(live.filter((x) => !x).length).toBeGreaterThan(0);
      expect(live.filter((x) => x).length).toBeGreaterThan(0);
      expect(Array.from(lin.gradFilterLive!)).toEqual(Array.from(live));
      assertClose(lin.loss, exact.loss, TOL.tight, 'loss');
      assertClose(lin.gradHidden!, gh, TOL.tight, 'gradHidden');
      assertClose(lin.gradWeight!, gw, TOL.tight, 'gradWeight');
      assertClose(lin.gradBias!, exact.gradBias!, TOL.tight, 'gradBias');
      expect(exact.gradFilterLive).toBeUndefined();
    });
  }
  it("'auto' is 2^-28; gradFilter needs grad", () => {
    const { h, w, y, N, D, V } = problem(7);
    const args = [{ data: h, shape: [N, D] }, { data: w, shape: [V, D] }, { data: y, shape: [N] }] as const;
    const auto = linearCrossEntropy(...args, { grad: true, gradFilter: 'auto' });
    const explicit = linearCrossEntropy(...args, { grad: true, gradFilter: 2 ** -28 });
    expect(Array.from(auto.gradFilterLive!)).toEqual(Array.from(explicit.gradFilterLive!));
    expect(Array.from(auto.gradHidden!)).toEqual(Array.from(explicit.gradHidden!));
    expect(() => linearCrossEntropy(...args, { gradFilter: 'auto' })).toThrow(/options\.gradFilter/);
  });
});
