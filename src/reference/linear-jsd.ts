// Jensen–Shannon distillation through the student's head (float64): the student's logits
// z = hidden·weightᵀ (+ bias) are formed, then jsDivergence's oracle, then the chain rule.

import type { HostTensor, LinearJSDivergenceOptions, TeacherHead } from '../contract/types';
import { checkTensor, readOnce } from '../contract/tensor';
import { decoded, refuseHalf } from './half';
import { optionsObject } from '../contract/options';
import { LINEAR_JSD_KEYS, linearJSDShapes, parseLinearJSDOptions, teacherHeadOf, teacherHeadShapes } from '../contract/configs/linear-jsd';
import { jsDivergence } from './jsd';
import type { RefLinearResult } from './linear-cross-entropy';

/**
 * jsDivergence(z, teacher) with z = hidden·weightᵀ + bias (see src/reference/jsd.ts for the
 * loss, its end points and edge cases). A TeacherHead teacher gives the teacher's logits the same
 * way from its own hidden states and head. With `grad`, g = d loss / d z gives
 *   gradHidden = g·W [N, D], and unless frozenHead gradWeight = gᵀ·H [V, D], gradBias = Σ_rows g [V].
 * `memoryBudget` only sizes the GPU's row chunks; the oracle forms every logit at once.
 * @example
 * const h = { data: [1, 0], shape: [1, 2] };
 * const w = { data: [1, 0, 0, 1], shape: [2, 2] };             // z = [1, 0]
 * const t = { data: [0, 0], shape: [1, 2] };
 * console.log(linearJsDivergence(h, w, t, { beta: 1 }).loss[0]); // KL(Q‖P), Q = softmax([1, 0])
 */
export function linearJsDivergence(hidden: HostTensor, weight: HostTensor, teacher: HostTensor | TeacherHead, opts?: LinearJSDivergenceOptions): RefLinearResult {
  // 16-bit hidden, weight and teacher (logits, or a head's hidden and weight) are decoded exactly (the numbers the GPU reads).
  hidden = decoded(readOnce(hidden), 'hidden');
  weight = decoded(readOnce(weight), 'weight');
  const head = teacherHeadOf(teacher);
  const th = head && { hidden: decoded(readOnce(head.hidden), 'teacher.hidden'), weight: decoded(readOnce(head.weight), 'teacher.weight'), bias: readOnce(head.bias) };
  let tLogits = head ? undefined : decoded(readOnce(teacher as HostTensor), 'teacher');
  const hShape = checkTensor(hidden, 'hidden');
  const wShape = checkTensor(weight, 'weight');
  const tShape = head ? undefined : checkTensor(tLogits!, 'teacher');
  const thShapes = th && [checkTensor(th.hidden, 'teacher.hidden'), checkTensor(th.weight, 'teacher.weight'), th.bias !== undefined ? checkTensor(th.bias, 'teacher.bias') : undefined] as const;
  const o = optionsObject(opts, LINEAR_JSD_KEYS);
  const biasT = readOnce(o.bias as HostTensor | undefined);
  const bShape = biasT !== undefined ? checkTensor(biasT, 'options.bias') : undefined;
  const shapes = linearJSDShapes(hShape, wShape, tShape, bShape);
  const { n: N, d: D, v: V } = shapes;
  const dt = thShapes ? teacherHeadShapes(shapes, ...thShapes) : 0;
  if (biasT !== undefined) refuseHalf(biasT, 'options.bias', 'float32 data');
  if (th?.bias !== undefined) refuseHalf(th.bias, 'teacher.bias', 'float32 data');
  const cfg = parseLinearJSDOptions(o);
  const H = hidden.data;
  const W = weight.data;
  const z = headLogits(H, W, biasT?.data, N, D, V);
  if (th) tLogits = { data: headLogits(th.hidden.data, th.weight.data, th.bias?.data, N, dt, V), shape: [N, V] };
  const r = jsDivergence({ data: z, shape: [N, V] }, tLogits!, {
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
  if (biasT) {
    const gB = new Float64Array(V);
    for (let i = 0; i < N; i++) for (let c = 0; c < V; c++) gB[c] += g[i * V + c];
    out.gradBias = gB;
  }
  return out;
}

/** x·wᵀ (+ b) in float64: [N, D] × [V, D] → [N, V]. */
function headLogits(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | undefined, n: number, d: number, v: number): Float64Array {
  const z = new Float64Array(n * v);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < v; c++) {
      let acc = b ? b[c] : 0;
      for (let k = 0; k < d; k++) acc += x[r * d + k] * w[c * d + k];
      z[r * v + c] = acc;
    }
  }
  return z;
}
