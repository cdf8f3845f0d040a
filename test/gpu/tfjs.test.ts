// The TensorFlow.js adapter (webgpu-loss/tfjs) in headless Chromium: TF.js 4.22 on its WebGPU
// backend, the library on TF.js's own GPUDevice. Each check runs in test/gpu/page/tfjs.ts and
// compares with the float64 oracle (and TF.js's own loss and autodiff) there; every call also
// fails on any uncaptured WebGPU error on TF.js's device.
import { describe, it, expect } from 'vitest';
import { useGpuPage } from './harness';
import type { ErrorInfo } from '../util/errors';

const gpu = useGpuPage('tfjs');

describe('TF.js adapter', () => {
  it("runs on TF.js's own GPUDevice", async () => {
    const r = await gpu.call<{ same: boolean; wlSame: boolean; backendName: string }>('sameDevice');
    expect(r).toEqual({ same: true, wlSame: true, backendName: 'webgpu' });
  });

  const ce: [string, Record<string, unknown>][] = [
    ['sparse labels, mean, vs TF.js', { rows: 37, cols: 10, seed: 1, tfjs: true }],
    ['sparse labels, sum, vs TF.js', { rows: 37, cols: 10, seed: 2, tfjs: true, options: { reduction: 'sum' } }],
    ['sparse labels, none, smoothing, vs TF.js', { rows: 16, cols: 257, seed: 3, tfjs: true, options: { reduction: 'none', labelSmoothing: 0.1 } }],
    ['dense targets, mean, vs TF.js', { rows: 9, cols: 1000, seed: 4, dense: true, tfjs: true }],
    ['dense targets, none, smoothing', { rows: 9, cols: 33, seed: 5, dense: true, options: { reduction: 'none', labelSmoothing: 0.2 } }],
    ['weights, ignored rows, z-loss, bits, extras', { rows: 50, cols: 40, seed: 6, ignoreFrac: 0.2, options: { weight: 'random', zLoss: 1e-3, base: 2, extras: true } }],
    ['inputs fresh from arrays (uploaded by the adapter), soft-cap', { rows: 20, cols: 300, seed: 7, upload: true, options: { softcap: 5, extras: true } }],
  ];
  for (const [name, spec] of ce) {
    it(`cross-entropy of TF.js tensors matches the oracle: ${name}`, async () => {
      await gpu.expectOk('crossEntropy', spec);
    });
  }

  const ops: [string, Record<string, unknown>][] = [
    ['binaryCrossEntropy', { op: 'binaryCrossEntropy', rows: 12, cols: 30, seed: 8, options: { posWeight: 2 } }],
    ['klDivergence', { op: 'klDivergence', rows: 12, cols: 70, seed: 9 }],
    ['entropy', { op: 'entropy', rows: 12, cols: 70, seed: 10, options: { base: 2, reduction: 'none' } }],
    ['softmax', { op: 'softmax', rows: 5, cols: 129, seed: 11, options: { temperature: 2 } }],
    ['logSoftmax', { op: 'logSoftmax', rows: 5, cols: 129, seed: 12 }],
    ['binaryFocalLoss', { op: 'binaryFocalLoss', rows: 12, cols: 30, seed: 13, options: { alpha: 0.25, gamma: 2 } }],
    ['focalLoss', { op: 'focalLoss', rows: 12, cols: 70, seed: 14, options: { gamma: 1.5, alpha: 0.5 } }],
  ];
  for (const [name, spec] of ops) {
    it(`${name} of TF.js tensors matches the oracle`, async () => {
      await gpu.expectOk('otherOp', spec);
    });
  }
  it('jsDivergence of TF.js logits, labels a TF.js int32 tensor, matches the oracle', async () => {
    await gpu.expectOk('jsDivergence', 9, 70, 13, { beta: 0.25, temperature: 2 });
  });

  it("reads TF.js's buffers in place: no download, no copy of the logits; outputs feed TF.js ops", async () => {
    const r = await gpu.expectOk<{ ok: boolean; messages: string[]; counts: Record<string, number> }>('noRoundTrip');
    console.log(`[tfjs] ${r.messages[0]}`);
    expect(r.counts['GPUBuffer.mapAsync']).toBe(0);
    expect(r.counts['wl.wrap']).toBeGreaterThanOrEqual(2);
  });

  it("trains a TF.js perceptron with the library's loss and gradient", async () => {
    const r = await gpu.expectOk<{ ok: boolean; messages: string[]; losses: number[] }>('training', 25);
    console.log(`[tfjs] ${r.messages.at(-1)}`);
    expect(r.losses).toHaveLength(25);
  });

  it('holds no memory across repeated calls and leaves the inputs as they were', async () => {
    await gpu.expectOk('memory', 5);
  });

  it('rejects bad input with typed errors that name the argument, leaking nothing', async () => {
    const r = await gpu.call<{ errors: Record<string, ErrorInfo | null>; before: object; after: object; backendRestored: boolean }>('badInput');
    const e = r.errors;
    const is = (k: string, name: string, code: string, argument?: string) => {
      expect(e[k], k).not.toBeNull();
      expect({ name: e[k]!.name, code: e[k]!.code, argument: e[k]!.argument }, `${k}: ${e[k]!.message}`).toEqual({ name, code, argument });
    };
    is('cpuBackend', 'DeviceError', 'NO_WEBGPU', 'tf');
    expect(e.cpuBackend!.message).toMatch(/'cpu'/);
    is('intLogits', 'DTypeError', 'INVALID_DTYPE', 'input');
    is('floatLabels', 'DTypeError', 'INVALID_DTYPE', 'target');
    is('boolLabels', 'DTypeError', 'INVALID_DTYPE', 'target');
    is('rank3', 'ShapeError', 'INVALID_SHAPE', 'input');
    is('labelCount', 'ShapeError', 'SHAPE_MISMATCH', 'target');
    is('denseShape', 'ShapeError', 'SHAPE_MISMATCH', 'target');
    is('softmaxRank', 'ShapeError', 'INVALID_SHAPE', 'input');
    is('inPlace', 'OptionError', 'INVALID_OPTION', 'options.inPlace');
    is('badOption', 'OptionError', 'INVALID_OPTION', 'options.labelSmoothing');
    is('notTensor', 'OptionError', 'INVALID_OPTION', 'input');
    is('disposed', 'DeviceError', 'DISPOSED', 'input');
    is('cpuTensor', 'DeviceError', 'DEVICE_MISMATCH', 'input');
    is('notTf', 'OptionError', 'INVALID_OPTION', 'tf');
    expect(r.backendRestored).toBe(true);
    expect(r.after).toEqual(r.before);
  });

  it('surfaces a WebGPU error of a call as a DeviceError (GPU_ERROR)', async () => {
    const r = await gpu.call<{ ce: ErrorInfo | null; softmax: ErrorInfo | null }>('gpuFault');
    for (const k of ['ce', 'softmax'] as const) {
      expect(r[k], k).not.toBeNull();
      expect({ name: r[k]!.name, code: r[k]!.code }, r[k]!.message).toEqual({ name: 'DeviceError', code: 'GPU_ERROR' });
    }
  });
});
