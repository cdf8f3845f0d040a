// A call's result has one owner and one way to free it: dispose(), or the end of a `using` block.
// Counted by the library's own stats(): after freeing, it holds what it held before the call
// (each case runs its call once first, so pipelines and the placeholder buffers already exist).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { dawnLoss } from './dawn';
import { CpuLoss, CpuTensor, GpuTensor, type WebGPULoss } from '../../src/index';

let wl: WebGPULoss;
beforeAll(async () => {
  wl = await dawnLoss();
}, 60_000);
afterAll(() => wl?.dispose());

const x = { data: new Float32Array([2, 1, 0.1, 0.5, 2.5, 0.3]), shape: [2, 3] };
const y = { data: new Int32Array([0, 1]), shape: [2] };

describe('results free as one', { timeout: 120_000 }, () => {
  it('dispose() frees every tensor of a call, extras included', async () => {
    (await wl.crossEntropy(x, y, { grad: true, extras: true })).dispose();
    const before = wl.stats();
    const out = await wl.crossEntropy(x, y, { grad: true, extras: true });
    expect(Object.values(out).filter((v) => v instanceof GpuTensor).length).toBeGreaterThanOrEqual(4);
    expect(wl.stats().tensors).toBeGreaterThan(before.tensors);
    out.dispose();
    expect(wl.stats()).toEqual(before);
  });

  it('a `using` block frees the result at its end', async () => {
    const t = { data: new Float32Array([1, 0, 0, 0, 1, 0]), shape: [2, 3] };
    (await wl.binaryCrossEntropy(x, t, { grad: true })).dispose();
    const before = wl.stats();
    {
      using out = await wl.binaryCrossEntropy(x, t, { grad: true });
      expect((await out.loss.read())[0]).toBeGreaterThan(0);
    }
    expect(wl.stats()).toEqual(before);
  });

  it('the methods do not show up among the outputs', async () => {
    const out = await wl.entropy({ data: new Float32Array([0.75, 0.25]), shape: [2] });
    expect(Object.keys(out)).toEqual(['loss']);
    out.dispose();
  });

  it("disposing leaves the caller's own tensors alone (inPlace input, gradOut)", async () => {
    const input = wl.tensor(x.data, x.shape);
    const labels = wl.tensor(y.data, y.shape);
    const gradOut = wl.empty(x.shape);
    const a = await wl.crossEntropy(input, labels, { gradOut });
    a.dispose();
    expect(gradOut.isDestroyed).toBe(false);
    expect(input.isDestroyed).toBe(false);
    const b = await wl.crossEntropy(input, labels, { inPlace: true });
    expect(b.grad).toBe(input);
    b.dispose();
    expect(input.isDestroyed).toBe(false);
    expect((await gradOut.read()).length).toBe(6);
    for (const t of [input, labels, gradOut]) t.destroy();
  });

  it('a tensor is Disposable too', async () => {
    const before = wl.stats();
    {
      using t = wl.tensor(x.data, x.shape);
      expect(t.isDestroyed).toBe(false);
    }
    expect(wl.stats()).toEqual(before);
  });
});

describe('the CPU fallback frees its results the same way', () => {
  it('dispose(), `using`, and tensors of its own', async () => {
    const cpu = new CpuLoss('test');
    const out = await cpu.crossEntropy(x, y, { grad: true, extras: true, topK: 2 });
    const tensors = Object.values(out);
    expect(tensors.length).toBeGreaterThanOrEqual(7);
    expect(tensors.every((t) => t instanceof CpuTensor && !t.isDestroyed)).toBe(true);
    out.dispose();
    expect(tensors.every((t) => (t as CpuTensor).isDestroyed)).toBe(true);
    await expect(out.loss.read()).rejects.toMatchObject({ code: 'DISPOSED' });

    let held: CpuTensor[];
    {
      using lin = await cpu.linearCrossEntropy({ data: [1, 2, 3, 4], shape: [2, 2] }, { data: [1, 0, 0, 1, 1, 1], shape: [3, 2] }, y, { grad: true, extras: true });
      held = Object.values(lin) as CpuTensor[];
      expect(held.some((t) => t.isDestroyed)).toBe(false);
    }
    expect(held.every((t) => t.isDestroyed)).toBe(true);
    {
      using p = await cpu.softmax(x);
      held = [p];
    }
    expect(held[0].isDestroyed).toBe(true);
  });
});
