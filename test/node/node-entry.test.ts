// `webgpu-loss/node`: the same kernels in Node on Dawn's binding (the `webgpu` package), here on
// Chromium's SwiftShader Vulkan driver, against the float64 oracle. A missing adapter fails.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { dawnLoss } from './dawn';
import type { WebGPULoss } from '../../src/index';
import * as ref from '../../src/reference/index';
import { mulberry32, randomLabels, randomLogits, randomProbs } from '../../src/reference/index';
import { assertClose } from '../util/allclose';
import { adapterReport } from '../util/engine';
import { TOL } from '../util/tolerances';

let wl: WebGPULoss;
beforeAll(async () => {
  wl = await dawnLoss();
}, 60_000);
afterAll(() => wl?.dispose());

// Cold pipeline compiles on a CPU Vulkan take seconds each.
describe('webgpu-loss/node on Dawn', { timeout: 120_000 }, () => {
  it('has a real adapter and device', () => {
    expect(wl.backend).toBe('webgpu');
    const a = adapterReport(wl);
    expect(a.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(a.description + a.architecture + a.vendor).not.toBe('');
  });

  for (const [rows, cols] of [[1, 1], [3, 7], [64, 100], [5, 4097], [2, 32000]] as const) {
    it(`crossEntropy + grad + extras [${rows}, ${cols}] matches the oracle`, async () => {
      const rng = mulberry32(rows * 31 + cols);
      const x = { data: randomLogits(rng, rows, cols, 3), shape: [rows, cols] };
      const y = { data: randomLabels(rng, rows, cols), shape: [rows] };
      const opts = { grad: true, extras: true, labelSmoothing: 0.1, reduction: 'mean' as const };
      const out = await wl.crossEntropy(x, y, opts);
      const want = ref.crossEntropy(x, y, opts);
      assertClose(await out.loss.read(), want.loss, TOL.loss, 'loss');
      assertClose(await out.grad!.read(), want.grad!, TOL.grad(), 'grad');
      assertClose(await out.lse!.read(), want.lse!, TOL.loss, 'lse');
      assertClose(await out.argmax!.read(), want.argmax!, TOL.exact, 'argmax');
      for (const t of Object.values(out)) t?.destroy();
    });
  }

  it('softmax, entropy (bits), KL and BCE match the oracle', async () => {
    const rng = mulberry32(7);
    const x = { data: randomLogits(rng, 9, 33, 2), shape: [9, 33] };
    const p = { data: randomProbs(rng, 9, 33, 2), shape: [9, 33] };
    assertClose(await (await wl.softmax(x)).read(), ref.softmax(x), TOL.loss, 'softmax');
    const h = await wl.entropy(p, { base: 2, grad: true });
    const hw = ref.entropy(p, { base: 2, grad: true });
    assertClose(await h.loss.read(), hw.loss, TOL.divergence(33), 'entropy');
    assertClose(await h.grad!.read(), hw.grad!, TOL.grad(1 / 9), 'entropy grad');
    const kl = await wl.klDivergence(x, p, { grad: true });
    const klw = ref.klDivergence(x, p, { grad: true });
    assertClose(await kl.loss.read(), klw.loss, TOL.divergence(33), 'kl');
    assertClose(await kl.grad!.read(), klw.grad!, TOL.grad(1 / 9), 'kl grad');
    const t = { data: Float32Array.from(p.data, (v) => (v > 0.03 ? 1 : 0)), shape: [9, 33] };
    const b = await wl.binaryCrossEntropy(x, t, { posWeight: 2, grad: true });
    const bw = ref.binaryCrossEntropy(x, t, { posWeight: 2, grad: true });
    assertClose(await b.loss.read(), bw.loss, TOL.bceSum, 'bce');
    assertClose(await b.grad!.read(), bw.grad!, TOL.bceGrad(false), 'bce grad');
  });

  it('a lost device rejects with DEVICE_LOST; a new object on a new device works', async () => {
    const other = await dawnLoss();
    const x = { data: new Float32Array([1, 2, 3, 3, 2, 1]), shape: [2, 3] };
    const y = { data: new Int32Array([2, 0]), shape: [2] };
    const pending = other.crossEntropy(x, y);
    other.device.destroy();
    const inFlight = await pending.then((o) => o.loss.read()).then(() => null, (e: Error & { code?: string }) => e.code);
    expect(inFlight).toBe('DEVICE_LOST');
    await other.device.lost;
    const later = await other.crossEntropy(x, y).then(() => null, (e: Error & { code?: string }) => e.code);
    expect(later).toBe('DEVICE_LOST');
    expect(other.stats().bytes).toBe(0);
    const fresh = await dawnLoss();
    const out = await fresh.crossEntropy(x, y);
    assertClose(await out.loss.read(), ref.crossEntropy(x, y).loss, TOL.loss, 'loss on the new device');
    fresh.dispose();
  });
});
