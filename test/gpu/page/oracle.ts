// Oracle comparisons in the page: a CheckSpec run on the GPU and in the float64 oracle, and the
// cross-entropy checks that need GPU objects (buffers the caller owns, labels on the GPU).
import { WebGPULoss, type LossOutputs } from '../../../src/index';
import * as ref from '../../../src/reference/index';
import { mulberry32, randomLabels, randomLogits } from '../../../src/reference/index';
import { allclose } from '../../util/allclose';
import { check, opsOf } from '../../util/check';
import { splitParts } from '../../util/engine';
import { errorOf } from '../../util/errors';
import { Report } from '../../util/report';
import type { CheckSpec } from '../../util/spec';
import { TOL } from '../../util/tolerances';
import { ctx, contextFor } from './context';

/** Runs an operation on host data and returns its loss values (for quoted figures). */
async function loss(op: string, ...args: unknown[]): Promise<number[]> {
  const out = (await opsOf(ctx)[op](...args)) as unknown as LossOutputs;
  const v = Array.from(await out.loss.read());
  for (const t of Object.values(out)) t?.destroy();
  return v;
}

/** The smallest end-to-end proof: softmax of one row on the GPU next to the oracle. */
async function smoke(): Promise<{ gpu: number[]; oracle: number[] }> {
  const x = { data: new Float32Array([1, 2, 3, 4]), shape: [1, 4] };
  const p = await ctx.softmax(x);
  const gpu = Array.from(await p.read());
  p.destroy();
  return { gpu, oracle: Array.from(ref.softmax(x)) };
}

/** warmup() on a new context: how many pipelines it compiled. */
async function warmup(): Promise<number> {
  const wl = await WebGPULoss.create({ device: ctx.device });
  await wl.warmup();
  const n = wl.stats().pipelines;
  wl.dispose();
  return n;
}

/**
 * Gradient written over the caller's logits (inPlace) and into a caller's buffer (gradOut),
 * both compared with the oracle; the caller's labels are read back unchanged.
 */
async function crossEntropyBuffers(rows: number, cols: number, seed: number): Promise<Report> {
  const rng = mulberry32(seed);
  const logits = randomLogits(rng, rows, cols, 3);
  const labels = randomLabels(rng, rows, cols);
  const opts = { labelSmoothing: 0.05 };
  const want = ref.crossEntropy({ data: logits, shape: [rows, cols] }, { data: labels, shape: [rows] }, { ...opts, grad: true });
  const grad = TOL.grad(1 / rows); // a mean over `rows` kept rows
  const r = new Report();
  const x = ctx.tensor(logits, [rows, cols]);
  const y = ctx.tensor(labels, [rows]);
  const a = await ctx.crossEntropy(x, y, { ...opts, inPlace: true });
  r.add(allclose(await x.read(), want.grad!, grad, 'in-place grad'));
  r.add(allclose(await a.loss.read(), want.loss, TOL.loss, 'in-place loss'));
  const x2 = ctx.tensor(logits, [rows, cols]);
  const g = ctx.tensor(new Float32Array(rows * cols), [rows, cols]);
  const b = await ctx.crossEntropy(x2, y, { ...opts, gradOut: g });
  r.add(allclose(await g.read(), want.grad!, grad, 'gradOut'));
  if (b.grad !== g) r.fail('gradOut: the result does not return the given tensor');
  r.add(allclose(await x2.read(), logits, TOL.exact, 'input after gradOut'));
  r.add(allclose(await y.read(), labels, TOL.exact, 'labels after both calls'));
  for (const t of [x, y, x2, g, a.loss, b.loss, a.invalidLabels, b.invalidLabels]) t?.destroy();
  return r;
}

/** Labels already on the GPU are range-checked there: a count, NaN rows, and checkLabels throws. */
async function crossEntropyGpuLabels(): Promise<{ invalid: number; loss: number[]; thrown: string | undefined; labelsAfter: number[] }> {
  const x = ctx.tensor(new Float32Array([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]), [4, 3]);
  const y = ctx.tensor(new Int32Array([0, 3, -1, -100]), [4]);
  const out = await ctx.crossEntropy(x, y, { reduction: 'none' });
  const [invalid] = await out.invalidLabels!.read();
  const lossValues = Array.from(await out.loss.read());
  const e = await errorOf(() => ctx.checkLabels(out, 3));
  const labelsAfter = Array.from(await y.read());
  for (const t of [x, y, out.loss, out.invalidLabels]) t?.destroy();
  return { invalid, loss: lossValues, thrown: e ? `${e.name}: ${e.message}` : undefined, labelsAfter };
}

export const handlers = {
  check: (spec: CheckSpec) => check(spec, contextFor),
  loss,
  smoke,
  warmup,
  splitParts: (rows: number, cols: number) => splitParts(ctx, rows, cols),
  crossEntropyBuffers,
  crossEntropyGpuLabels,
};
