// What a caller sees of the library's state on Dawn: stats() after freeing, the error of a call
// after dispose(), and the per-row extras' types, the same on the GPU, the CPU fallback and the oracle.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { dawnLoss } from './dawn';
import { CpuLoss, DeviceError, type WebGPULoss } from '../../src/index';
import * as ref from '../../src/reference/index';

let wl: WebGPULoss;
beforeAll(async () => {
  wl = await dawnLoss();
}, 60_000);
afterAll(() => wl?.dispose());

const x = { data: new Float32Array([2, 1, 0.1, 0.5, 2.5, 0.3, 1, 1, 3]), shape: [3, 3] };
const y = { data: new Int32Array([0, 1, -100]), shape: [3] };

describe('stats()', { timeout: 120_000 }, () => {
  it('bytes count tensors only: back at 0 once every tensor is freed; placeholders apart', async () => {
    const fresh = await dawnLoss();
    // Sparse labels, no gradient: the gradient binding is a placeholder.
    const out = await fresh.crossEntropy(x, y, { extras: true });
    expect(fresh.stats().bytes).toBeGreaterThan(0);
    out.dispose();
    const s = fresh.stats();
    expect(s.tensors).toBe(0);
    expect(s.bytes).toBe(0);
    expect(s.placeholderBytes).toBeGreaterThan(0);
    expect(s.placeholderBytes % 16).toBe(0);
    fresh.dispose();
    expect(fresh.stats()).toMatchObject({ tensors: 0, bytes: 0, placeholderBytes: 0, pipelines: 0 });
  });
});

describe('a call after dispose()', { timeout: 120_000 }, () => {
  it('rejects (or throws, for the synchronous ones) with DeviceError DISPOSED naming the call', async () => {
    const gone = await dawnLoss();
    gone.dispose();
    const asyncCalls: [string, () => Promise<unknown>][] = [
      ['crossEntropy', () => gone.crossEntropy(x, y)],
      ['softmax', () => gone.softmax(x)],
      ['warmup', () => gone.warmup()],
    ];
    for (const [call, run] of asyncCalls) {
      const e = await run().then(() => null, (err: unknown) => err);
      expect(e, call).toBeInstanceOf(DeviceError);
      expect((e as DeviceError).code).toBe('DISPOSED');
      expect((e as DeviceError).message).toContain(`${call}() was called after dispose()`);
      expect((e as DeviceError).message).toContain('disposed');
    }
    for (const [call, run] of [['tensor', () => gone.tensor(x.data, x.shape)], ['empty', () => gone.empty([2])]] as const) {
      expect(run, call).toThrow(`${call}() was called after dispose()`);
    }
  });
});

describe('per-row extras', { timeout: 120_000 }, () => {
  it('correct and topKHit are Int32Array on the GPU, the CPU fallback and the oracle, with the same values', async () => {
    const opts = { extras: true, topK: 2 } as const;
    const cpu = new CpuLoss('test');
    const g = await wl.crossEntropy(x, y, opts);
    const c = await cpu.crossEntropy(x, y, opts);
    const r = ref.crossEntropy(x, y, opts);
    for (const name of ['correct', 'topKHit'] as const) {
      const gv = await g[name]!.read();
      const cv = await c[name]!.read();
      expect(gv, name).toBeInstanceOf(Int32Array);
      expect(cv, name).toBeInstanceOf(Int32Array);
      expect(r[name], name).toBeInstanceOf(Int32Array);
      expect(Array.from(cv), name).toEqual(Array.from(gv));
      expect(Array.from(r[name]!), name).toEqual(Array.from(gv));
    }
    expect(Array.from(r.correct!)).toEqual([1, 1, 0]);
    g.dispose();
    c.dispose();
  });
});
