// crossEntropy's evaluation extras (entropy, labelLogProb, topKHit) and the oracle's streaming
// evaluator, against values worked by hand and against crossEntropy itself.
import { describe, expect, it } from 'vitest';
import { crossEntropy, evaluator, mulberry32, randomLabels, randomLogits } from '../../src/reference';
import { OptionError, ShapeError, LabelRangeError } from '../../src/contract/errors';
import { assertClose } from '../util/allclose';
import { TOL } from '../util/tolerances';

const ln = Math.log;
const NI = -Infinity;
const t = (data: number[], shape: number[]) => ({ data, shape });
const labels = (data: number[]) => ({ data: Int32Array.from(data), shape: [data.length] });
const extras = (x: number[], cols: number, y: number[], opts: Record<string, unknown> = {}) =>
  crossEntropy(t(x, [y.length, cols]), labels(y), { extras: true, reduction: 'none', ...opts });

describe('extras: entropy and ln p of the label, by hand', () => {
  // ln(1, 2, 3, 2) gives p = (1, 2, 3, 2) / 8.
  const p = [1 / 8, 2 / 8, 3 / 8, 2 / 8];
  const H = -p.reduce((s, q) => s + q * ln(q), 0);
  const r = extras([ln(1), ln(2), ln(3), ln(2), 0, 0, 0, 0], 4, [2, -100]);
  it('entropy of the softmax, nats; ignored rows get theirs too', () => assertClose(r.entropy!, [H, ln(4)], TOL.tight, 'entropy'));
  it('ln p of the label, nats; 0 for an ignored row', () => assertClose(r.labelLogProb!, [ln(3 / 8), 0], TOL.tight, 'labelLogProb'));
  it('labelLogProb is minus the loss of an unweighted, unsmoothed row', () => assertClose(r.labelLogProb!.slice(0, 1), [-r.loss[0]], TOL.tight, 'ln p vs loss'));
  it("entropy in the call's base, ln p in nats", () => {
    const b = extras([ln(1), ln(2), ln(3), ln(2)], 4, [2], { base: 2 });
    assertClose(b.entropy!, [H / ln(2)], TOL.tight, 'entropy bits');
    assertClose(b.labelLogProb!, [ln(3 / 8)], TOL.tight, 'labelLogProb nats');
  });
  it('smoothing, weights and z-loss leave them alone (they are the softmax\'s)', () => {
    const b = extras([ln(1), ln(2), ln(3), ln(2)], 4, [2], { labelSmoothing: 0.2, weight: [1, 2, 3, 4], zLoss: 0.1 });
    assertClose([b.entropy![0], b.labelLogProb![0]], [H, ln(3 / 8)], TOL.tight, 'entropy, ln p');
  });
  it('masked classes take no part; a masked label has ln p = -Infinity', () => {
    const b = extras([0, NI, 0, 1, NI, 2], 3, [1, 0]);
    assertClose(b.entropy!, [ln(2), 1 / (1 + Math.E) * ln(1 + Math.E) + Math.E / (1 + Math.E) * ln((1 + Math.E) / Math.E)], TOL.tight, 'entropy');
    assertClose(b.labelLogProb!, [NI, 1 - ln(Math.E + Math.exp(2))], TOL.tight, 'labelLogProb');
  });
  it('NaN or +Infinity: NaN; an all-masked row: entropy NaN, ln p -Infinity', () => {
    const b = extras([NaN, 1, 1, Infinity, NI, NI], 2, [0, 1, 0]);
    assertClose(b.entropy!, [NaN, NaN, NaN], TOL.exact, 'entropy');
    assertClose(b.labelLogProb!, [NaN, NaN, NI], TOL.exact, 'labelLogProb');
  });
  it('dense targets get the entropy only; probabilities none of them', () => {
    const d = crossEntropy(t([0, 0, 1, 1], [2, 2]), t([1, 0, 0, 1], [2, 2]), { extras: true });
    assertClose(d.entropy!, [ln(2), ln(2)], TOL.tight, 'entropy');
    expect(d.labelLogProb).toBeUndefined();
    const q = crossEntropy(t([0.5, 0.5], [1, 2]), labels([0]), { extras: true, from: 'probs' });
    expect(q.entropy).toBeUndefined();
    expect(q.labelLogProb).toBeUndefined();
  });
});

describe('extras: top-k hits', () => {
  const hits = (x: number[], cols: number, y: number[], topK: number) => Array.from(extras(x, cols, y, { topK }).topKHit!);
  it('a tie at the k-th counts as a hit (in_top_k), a strict loss does not', () => {
    // [1, 3, 3, 3, 0]: label 3 has nothing above it; label 0 has three above.
    expect(hits([1, 3, 3, 3, 0, 1, 3, 3, 3, 0], 5, [3, 0], 1)).toEqual([1, 0]);
    expect(hits([1, 3, 3, 3, 0, 1, 3, 3, 3, 0], 5, [3, 0], 3)).toEqual([1, 0]);
    expect(hits([1, 3, 3, 3, 0, 1, 3, 3, 3, 0], 5, [3, 0], 4)).toEqual([1, 1]);
  });
  it('NaN ranks above every number, +Infinity above the rest; NaN labels tie with NaN', () => {
    expect(hits([NaN, 5, 1, NaN, 5, 1, 2, Infinity, 1], 3, [1, 0, 2], 1)).toEqual([0, 1, 0]);
    expect(hits([NaN, 5, 1, NaN, 5, 1, 2, Infinity, 1], 3, [1, 0, 2], 2)).toEqual([1, 1, 0]);
  });
  it('k > classes: every kept row hits; ignored rows never', () => {
    expect(hits([1, 2, 3, 3, 2, 1], 3, [0, -100], 10)).toEqual([1, 0]);
  });
  it('ranks the raw logits under a soft-cap (capped values that round equal still rank)', () => {
    // tanh caps 1000 and 999 to the same float64 1·c; the raw logits still tell them apart.
    expect(Array.from(extras([1000, 999, 0], 3, [1], { topK: 1, softcap: 1 }).topKHit!)).toEqual([0]);
  });
  it('topK is refused without extras, for probabilities, dense targets, and out of range', () => {
    const x = t([0, 1], [1, 2]);
    const arg = (f: () => unknown) => { try { f(); } catch (e) { return e instanceof OptionError ? e.argument : String(e); } return 'no error'; };
    expect(arg(() => crossEntropy(x, labels([0]), { topK: 2 }))).toBe('options.topK');
    expect(arg(() => crossEntropy(x, labels([0]), { topK: 2, extras: true, from: 'probs' }))).toBe('options.topK');
    expect(arg(() => crossEntropy(x, t([1, 0], [1, 2]), { topK: 2, extras: true }))).toBe('options.topK');
    for (const k of [0, -1, 1.5, 2 ** 31, '2', NaN]) expect(arg(() => crossEntropy(x, labels([0]), { topK: k as number, extras: true }))).toBe('options.topK');
  });
});

describe('the oracle evaluator', () => {
  const rng = mulberry32(3);
  const batches = [5, 1, 12].map((rows) => ({
    x: { data: randomLogits(rng, rows, 7, 3), shape: [rows, 7] },
    y: { data: randomLabels(rng, rows, 7, { ignoreFraction: 0.3 }), shape: [rows] },
  }));
  const ev = evaluator({ topK: 3 });
  for (const b of batches) ev.add(b.x, b.y);
  const r = ev.read();
  // The concatenated batch through crossEntropy.
  const rows = 18;
  const x = { data: new Float32Array(rows * 7), shape: [rows, 7] };
  const y = { data: new Int32Array(rows), shape: [rows] };
  let r0 = 0;
  for (const b of batches) {
    x.data.set(b.x.data, r0 * 7);
    y.data.set(b.y.data, r0);
    r0 += b.y.data.length;
  }
  const all = crossEntropy(x, y, { extras: true, topK: 3, reduction: 'none' });
  const kept = [...y.data].map((v, i) => (v === -100 ? -1 : i)).filter((i) => i >= 0);
  const mean = (a: ArrayLike<number>) => kept.reduce((s, i) => s + a[i], 0) / kept.length;

  it('sums as crossEntropy over the concatenated batches', () => {
    expect(r.tokens).toBe(kept.length);
    const nll = crossEntropy(x, y).loss[0];
    assertClose([r.nll, r.perplexity, r.bitsPerToken], [nll, Math.exp(nll), nll / ln(2)], TOL.tight, 'nll, perplexity, bits');
    assertClose([r.accuracy, r.topKAccuracy, r.meanEntropy], [mean(all.correct!), mean(all.topKHit!), mean(all.entropy!)], TOL.tight, 'accuracy, top-k, entropy');
  });
  it('reset() starts over; no token gives NaN metrics', () => {
    const e = evaluator();
    e.add(batches[0].x, batches[0].y);
    e.reset();
    expect(e.read().tokens).toBe(0);
    expect(e.read().nll).toBeNaN();
    expect(e.read().accuracy).toBeNaN();
  });
  it('refuses bad batches and options, naming the argument', () => {
    const e = evaluator();
    expect(() => e.add(x, { data: new Int32Array(3), shape: [3] })).toThrow(ShapeError);
    expect(() => e.add(t([0, 1], [1, 2]), labels([2]))).toThrow(LabelRangeError);
    expect(() => evaluator({ topK: 0 })).toThrow(OptionError);
    expect(() => evaluator({ k: 2 } as never)).toThrow(/options\.k/);
  });
});

describe("CpuLoss's evaluator", () => {
  it('gives the oracle evaluator\'s figures, and rejects once disposed', async () => {
    const { CpuLoss } = await import('../../src/cpu');
    const wl = new CpuLoss('test');
    const ev = wl.evaluator({ topK: 2 });
    const want = evaluator({ topK: 2 });
    const x = t([2, 1, 0.1, 0.5, -1, 3, 0, 0, 0], [3, 3]);
    const y = labels([0, 1, -100]);
    await ev.add(x, y);
    want.add(x, y);
    expect(await ev.read()).toStrictEqual(want.read());
    ev.dispose();
    await expect(ev.read()).rejects.toThrow(/disposed/);
  });
});
