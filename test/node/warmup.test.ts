// warmup() with an option set compiles every pipeline a later call with those options uses: the
// call then compiles none (stats().pipelines unchanged), at a thread-per-row shape, a
// workgroup-per-row shape and a batch of more rows.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { dawnLoss } from './dawn';
import { WebGPULoss, type HostTensor, type WarmupOptions } from '../../src/index';
import { gpuShaped } from '../util/engine';

let base: WebGPULoss;
beforeAll(async () => {
  base = await dawnLoss();
}, 60_000);
afterAll(() => base?.dispose());

type Half = 'float16' | 'bfloat16' | undefined;
/** Values in (-2, 2): float32, or 16-bit patterns of the same numbers' upper halves (bfloat16) / of 0.5 and 1.5 (float16). */
function x(rows: number, cols: number, dtype?: Half, probs = false): HostTensor {
  const f = Float32Array.from({ length: rows * cols }, (_, i) => (probs ? 1 / cols : Math.sin(i * 1.7) * 1.9));
  if (!dtype) return { data: f, shape: [rows, cols] };
  const bits = dtype === 'bfloat16' ? Uint16Array.from(f, (v) => new Uint32Array(Float32Array.of(v).buffer)[0] >>> 16) : Uint16Array.from(f, (v) => (v > 0 ? 0x3e00 : 0x3800));
  return { data: bits, shape: [rows, cols], dtype };
}
const y = (rows: number, cols: number): HostTensor => ({ data: Int32Array.from({ length: rows }, (_, i) => (i * 7) % cols), shape: [rows] });
const ones = (n: number) => new Array<number>(n).fill(1);

type Case = [name: string, warm: WarmupOptions, call: (wl: WebGPULoss, rows: number, cols: number) => Promise<unknown>];
const free = async (r: Promise<{ dispose(): void }>) => (await r).dispose();
const CASES: Case[] = [
  ['crossEntropy of float16 logits, float16 gradient', { crossEntropy: [{ grad: true, gradDtype: 'input', dtype: 'float16' }] },
    (wl, r, c) => free(wl.crossEntropy(x(r, c, 'float16'), y(r, c), { grad: true, gradDtype: 'input' }))],
  ['softmax of bfloat16, with a temperature', { softmax: [{ temperature: 2, dtype: 'bfloat16' }] }, async (wl, r, c) => (await wl.softmax(x(r, c, 'bfloat16'), { temperature: 2 })).destroy()],
  ['logSoftmax of float16', { softmax: [{ log: true, dtype: 'float16' }] }, async (wl, r, c) => (await wl.logSoftmax(x(r, c, 'float16'))).destroy()],
  ['entropy from bfloat16 logits with the gradient', { entropy: [{ from: 'logits', grad: true, dtype: 'bfloat16' }] },
    (wl, r, c) => free(wl.entropy(x(r, c, 'bfloat16'), { from: 'logits', grad: true }))],
  ['klDivergence between logits, summed', { klDivergence: [{ targetFrom: 'logits', reduction: 'sum', grad: true }] },
    (wl, r, c) => free(wl.klDivergence(x(r, c), x(r, c), { targetFrom: 'logits', reduction: 'sum', grad: true }))],
  ['binaryCrossEntropy, per-column posWeight, bfloat16 gradient', { binaryCrossEntropy: [{ posWeight: [1, 2], grad: true, gradDtype: 'input', dtype: 'bfloat16' }] },
    (wl, r, c) => free(wl.binaryCrossEntropy(x(r, c, 'bfloat16'), x(r, c, 'bfloat16', true), { posWeight: ones(c), grad: true, gradDtype: 'input' }))],
  ['binaryFocalLoss per element', { binaryFocalLoss: [{ gamma: 1, reduction: 'none', grad: true }] },
    (wl, r, c) => free(wl.binaryFocalLoss(x(r, c), x(r, c, undefined, true), { gamma: 1, reduction: 'none', grad: true }))],
  ['focalLoss, float16 logits, float16 gradient', { focalLoss: [{ grad: true, gradDtype: 'input', dtype: 'float16' }] },
    (wl, r, c) => free(wl.focalLoss(x(r, c, 'float16'), y(r, c), { grad: true, gradDtype: 'input' }))],
  ['jsDivergence with labels, bfloat16', { jsDivergence: [{ labels: true, beta: 0.3, grad: true, dtype: 'bfloat16' }] },
    (wl, r, c) => free(wl.jsDivergence(x(r, c, 'bfloat16'), x(r, c, 'bfloat16'), { labels: y(r, c), beta: 0.3, grad: true }))],
  ['linearJsDivergence of float16 data, a teacher head, a bias and labels', { linearJsDivergence: [{ bias: true, labels: true, grad: true, temperature: 2, teacherHead: true, dtype: 'float16' }] },
    (wl, r, c) => free(wl.linearJsDivergence(x(r, 8, 'float16'), x(c, 8, 'float16'), { hidden: x(r, 6, 'float16'), weight: x(c, 6, 'float16') }, { bias: { data: new Float32Array(c), shape: [c] }, labels: y(r, c), grad: true, temperature: 2 }))],
  ['evaluator with top-k, float16', { evaluator: [{ topK: 3, dtype: 'float16' }] }, async (wl, r, c) => {
    const ev = wl.evaluator({ topK: 3 });
    await ev.add(x(r, c, 'float16'), y(r, c));
    await ev.read();
    ev.dispose();
  }],
  ['linearCrossEntropy of bfloat16 data', { linearCrossEntropy: [{ grad: true, dtype: 'bfloat16' }] },
    (wl, r, c) => free(wl.linearCrossEntropy(x(r, 8, 'bfloat16'), x(c, 8, 'bfloat16'), y(r, c), { grad: true }))],
];
// A thread per row (few classes), a workgroup per row (few long rows), and more rows (a CPU adapter's thread per row).
const SHAPES = [[3, 7], [2, 300], [20, 40]] as const;

// Under the GPU's launch policy (gpuShaped): the one real GPUs use. The CPU adapter's for
// linearCrossEntropy's list is test/gpu/linear-cross-entropy.test.ts's warmup case; the calls warmed
// by a call go through the same launch decisions as the real call under either policy.
describe('warmup() compiles what the calls then use', { timeout: 240_000 }, () => {
  it('every operation, 16-bit inputs included (GPU-shaped launch)', async () => {
    // One object for all cases (pipelines compile slowly on SwiftShader): each case's calls
    // may find only what its own warmup, or those before it, compiled. The default forms first:
    // some pipelines, and no more than the crossEntropy sets they stand for.
    const wl = await WebGPULoss.create({ device: base.device });
    gpuShaped(wl);
    await wl.warmup();
    const defaults = wl.stats().pipelines;
    expect(defaults).toBeGreaterThan(0);
    await wl.warmup({ crossEntropy: [{}, { grad: true }] });
    expect(wl.stats().pipelines).toBe(defaults);
    const missed: string[] = [];
    for (const [name, warm, call] of CASES) {
      const before = wl.stats().pipelines;
      await wl.warmup({ crossEntropy: [], ...warm });
      const warmed = wl.stats().pipelines;
      expect(warmed, `${name}: warmup compiled nothing`).toBeGreaterThan(before);
      for (const [r, c] of SHAPES) await call(wl, r, c);
      if (wl.stats().pipelines !== warmed) missed.push(`${name}: ${wl.stats().pipelines - warmed} pipeline(s) compiled by the calls`);
      expect(wl.stats().tensors, name).toBe(0);
    }
    wl.dispose();
    expect(missed).toEqual([]);
  });

  it('a bad option set is refused by its place, before anything compiles', async () => {
    const wl = await WebGPULoss.create({ device: base.device });
    await expect(wl.warmup({ crossEntropy: [], focalLoss: [{}, { gamma: -1 }] })).rejects.toMatchObject({ name: 'OptionError', argument: 'options.focalLoss[1].gamma' });
    await expect(wl.warmup({ crossEntropy: [], evaluator: [{ dtype: 'int8' as 'float16' }] })).rejects.toMatchObject({ name: 'OptionError', argument: 'options.evaluator[0].dtype' });
    await expect(wl.warmup({ crossEntropy: [], jsDivergence: [{ labels: 3 as unknown as boolean }] })).rejects.toMatchObject({ argument: 'options.jsDivergence[0].labels' });
    expect(wl.stats().pipelines).toBe(0);
    wl.dispose();
  });
});
