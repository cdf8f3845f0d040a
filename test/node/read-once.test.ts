// Host tensors are read once, at the call: a `data` or `shape` getter that would answer the
// checks one thing and the upload another is read exactly one time, on the GPU and in the oracle.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { dawnLoss } from './dawn';
import type { WebGPULoss } from '../../src/index';
import * as ref from '../../src/reference/index';

let wl: WebGPULoss;
beforeAll(async () => {
  wl = await dawnLoss();
}, 60_000);
afterAll(() => wl?.dispose());

/** A tensor whose data and shape count their reads; after the first read they turn invalid. */
function counted(data: ArrayLike<number>, shape: number[]) {
  const reads = { data: 0, shape: 0 };
  const t = {
    get data() { return reads.data++ === 0 ? data : [NaN]; },
    get shape() { return reads.shape++ === 0 ? shape : [1.5]; },
  };
  return { t, reads };
}

const X = () => counted(new Float32Array([2, 1, 0.1, 0.5, 2.5, 0.3]), [2, 3]);
const Y = () => counted(new Int32Array([0, 1]), [2]);
const P = () => counted(new Float32Array([0.7, 0.2, 0.1, 0.1, 0.8, 0.1]), [2, 3]);

type Case = [string, (x: ReturnType<typeof X>, y: ReturnType<typeof X>) => Promise<unknown> | unknown, () => ReturnType<typeof X>];
const gpu: Case[] = [
  ['crossEntropy', (x, y) => wl.crossEntropy(x.t, y.t, { grad: true }), Y],
  ['softmax', (x) => wl.softmax(x.t), Y],
  ['entropy', (x) => wl.entropy(x.t, { from: 'logits' }), Y],
  ['klDivergence', (x, p) => wl.klDivergence(x.t, p.t), P],
  ['binaryCrossEntropy', (x, p) => wl.binaryCrossEntropy(x.t, p.t), P],
];
const oracle: Case[] = [
  ['crossEntropy', (x, y) => ref.crossEntropy(x.t, y.t, { grad: true }), Y],
  ['logSoftmax', (x) => ref.logSoftmax(x.t), Y],
  ['entropy', (x) => ref.entropy(x.t, { from: 'logits' }), Y],
  ['klDivergence', (x, p) => ref.klDivergence(x.t, p.t), P],
  ['binaryCrossEntropy', (x, p) => ref.binaryCrossEntropy(x.t, p.t), P],
];

describe('host tensors are read once', { timeout: 120_000 }, () => {
  for (const [side, cases] of [['GPU', gpu], ['oracle', oracle]] as const) {
    for (const [name, call, second] of cases) {
      it(`${side} ${name}`, async () => {
        const x = X();
        const y = second();
        const out = await call(x, y);
        expect(x.reads).toEqual({ data: 1, shape: 1 });
        if (name !== 'softmax' && name !== 'logSoftmax' && name !== 'entropy') expect(y.reads).toEqual({ data: 1, shape: 1 });
        (out as { dispose?: () => void }).dispose?.();
        (out as { destroy?: () => void }).destroy?.();
      });
    }
  }
  it('GPU linearCrossEntropy', async () => {
    const h = counted(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const w = counted(new Float32Array([0.5, -1, 2, 0.25, 0, 1]), [3, 2]);
    const l = counted(new Int32Array([0, 2]), [2]);
    (await wl.linearCrossEntropy(h.t, w.t, l.t, { grad: true })).dispose();
    for (const c of [h, w, l]) expect(c.reads).toEqual({ data: 1, shape: 1 });
  });
});
