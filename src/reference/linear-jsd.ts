// Jensen–Shannon distillation through the student's head (float64): the student's logits
// z = hidden·weightᵀ (+ bias) are formed, then jsDivergence's oracle, then the chain rule.

import type { HostTensor, LinearJSDivergenceOptions } from '../contract/types';
import { checkTensor, readOnce } from '../contract/tensor';
import { decoded, refuseHalf } from './half';
import { optionsObject } from '../contract/options';
import { LINEAR_JSD_KEYS, linearJSDShapes, parseLinearJSDOptions } from '../contract/configs/linear-jsd';
import { jsDivergence } from './jsd';
import type { RefLinearResult } from './linear-cross-entropy';

/**
 * jsDivergence(z, teacher) with z = hidden·weightᵀ + bias (see src/reference/jsd.ts for the
 * loss, its end points and edge cases). With `grad`, g = d loss / d z gives
 *   gradHidden = g·W [N, D], and unless frozenHead gradWeight = gᵀ·H [V, D], gradBias = Σ_rows g [V].
 * `memoryBudget` only sizes the GPU's row chunks; the oracle forms every logit at once.
 * @example
 * const h = { data: [1, 0], shape: [1, 2] };
 * const w = { data: [1, 0, 0, 1], shape: [2, 2] };             // z = [1, 0]
 * const t = { data: [0, 0], shape: [1, 2] };
 * console.log(linearJsDivergence(h, w, t, { beta: 1 }).loss[0]); // KL(Q‖P), Q = softmax([1, 0])
 */
export function linearJsDivergence(hidden: HostTensor, weight: HostTensor, teacher: HostTensor, opts?: LinearJSDivergenceOptions): RefLinearResult {
  // 16-bit hidden, weight and teacher are decoded exactly (the numbers the GPU reads).
  hidden = decoded(readOnce(hidden), 'hidden');
  weight = decoded(readOnce(weight), 'weight');
  teacher = decoded(readOnce(teacher), 'teacher');
  const hShape = checkTensor(hidden, 'hidden');
  const wShape = checkTensor(weight, 'weight');
  const tShape = checkTensor(teacher, 'teacher');
  const o = optionsObject(opts, LINEAR_JSD_KEYS);
  const biasT = readOnce(o.bias as HostTensor | undefined);
  const bShape = biasT !== undefined ? checkTensor(biasT, 'options.bias') : undefined;
  const { n: N, d: D, v: V } = linearJSDShapes(hShape, wShape, tShape, bShape);
  if (biasT !== undefined) refuseHalf(biasT, 'options.bias', 'float32 data');
  const cfg = parseLinearJSDOptions(o);
  const H = hidden.data;
  const W = weight.data;
  const B = biasT?.data;
  const z = new Float64Array(N * V);
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < V; c++) {
      let acc = B ? B[c] : 0;
      for (let k = 0; k < D; k++) acc += H[r * D + k] * W[c * D + k];
      z[r * V + c] = acc;
    }
  }
  const r = jsDivergence({ data: z, shape: [N, V] }, teacher, {
    beta: cfg.beta, temperature: cfg.temperature, labels: o.labels as HostTensor | undefined, ignoreIndex: cfg.ignoreIndex,
    allIgnored: cfg.allIgnored, reduction: cfg.reduction, grad: cfg.grad,
  });
  const out: RefLinearResult = { loss: r.loss, shape: r.shape };
  const g = r.grad;
  if (!g) return out;
  const gH = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < V; c++) {
      const gv = g[i * V + c];
      for (let k = 0; k < D; k++) gH[i * D + k] += gv * W[c * D + k];
    }
  }
  out.gradHidden = gH;
  if (cfg.frozenHead) return out;
  const gW = new Float64Array(V * D);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < V; c++) {
      const gv = g[i * V + c];
      for (let k = 0; k < D; k++) gW[c * D + k] += gv * H[i * D + k];
    }
  }
  out.gradWeight = gW;
  if (B) {
    const gB = new Float64Array(V);
    for (let i = 0; i < N; i++) for (let c = 0; c < V; c++) gB[c] += g[i * V + c];
    out.gradBias = gB;
  }
  return out;
}
