// webgpu-loss/onnxruntime against a real ONNX model on ONNX Runtime Web's WebGPU execution
// provider (headless Chromium, SwiftShader): outputs kept on the GPU, losses computed on ORT's own
// GPUDevice without reading the logits back, compared with the float64 oracle applied to a float64
// forward pass of the same weights (test/gpu/page/onnxruntime.ts; tolerances: TOL.ortLogits,
// TOL.throughOrt).
import { describe, it, expect, beforeAll } from 'vitest';
import { useGpuPage } from './harness';
import type { EvalReport, EvalSpec } from './page/onnxruntime';

interface OrtReady {
  ok: boolean;
  architecture: string;
  isFallback: boolean;
  ortVersion: string;
  envBefore: string;
  beforeSession: { name: string; code?: string };
  sameDevice: boolean;
  modelBytes: number;
}

// A failure to create the session on the 'webgpu' EP makes the page report ok: false, and the
// whole file fails: it never skips.
const gpu = useGpuPage('onnxruntime');
let ready: OrtReady;
beforeAll(() => {
  ready = gpu.info as unknown as OrtReady;
});

describe('ONNX Runtime Web session on the webgpu EP', () => {
  it('runs the test model on this adapter, and OrtLoss shares its GPUDevice', () => {
    expect(ready.ok).toBe(true);
    expect(ready.ortVersion).toBe('1.30.0');
    expect(ready.architecture).toBe('swiftshader');
    expect(ready.isFallback).toBe(true);
    expect(ready.modelBytes).toBeGreaterThan(1000);
    expect(ready.sameDevice).toBe(true);
  });

  it('has no device before the first session: OrtLoss.create then throws NO_WEBGPU', () => {
    expect(ready.envBefore).toBe('undefined');
    expect(ready.beforeSession).toMatchObject({ name: 'DeviceError', code: 'NO_WEBGPU' });
  });
});

describe('cross-entropy of the model output, kept on the GPU', () => {
  const cases: EvalSpec[] = [
    { seed: 1, rows: 64, target: 'labels32', reduction: 'mean' },
    { seed: 2, rows: 64, target: 'labels32', reduction: 'none', extras: true },
    { seed: 3, rows: 33, target: 'labels64', reduction: 'mean', ignoreFrac: 0.2 },
    { seed: 4, rows: 33, target: 'labels64', reduction: 'none', extras: true, ignoreFrac: 0.2 },
    { seed: 5, rows: 50, target: 'dense', reduction: 'mean' },
    { seed: 6, rows: 50, target: 'dense', reduction: 'none', extras: true },
    { seed: 7, rows: 1, target: 'labels32', reduction: 'none' },
  ];
  for (const spec of cases) {
    it(`${spec.target}, ${spec.reduction}${spec.extras ? ', extras' : ''}${spec.ignoreFrac ? ', ignored rows' : ''}, [${spec.rows}, 10]`, async () => {
      const r = await gpu.expectOk<EvalReport>('evaluate', spec);
      expect(r.locations).toEqual(['gpu-buffer', 'gpu-buffer', 'gpu-buffer', 'gpu-buffer']);
      expect(r.sameDevice).toBe(true);
      // No readback of the logits: the only maps are the loss outputs' own readbacks, nothing
      // copies out of ORT's buffers, and nobody asks ORT for the data.
      expect(r.spy.mapSizes).toEqual(r.expectedMapSizes);
      expect(Math.max(...r.spy.mapSizes)).toBeLessThan(r.logitsBytes);
      expect(r.spy.watchedCopies).toBe(0);
      expect(r.spy.getDataCalls).toBe(0);
      // ORT's tensor is still valid afterwards, its values bit-identical to a copy taken before.
      expect(r.unchanged).toBe(true);
    });
  }

  it('control: a readback of the logits inside the window is seen by the spy', async () => {
    const r = await gpu.expectOk<EvalReport>('evaluate', { seed: 8, rows: 64, target: 'labels32', reduction: 'mean', control: true });
    expect(r.spy.getDataCalls).toBe(1);
    expect(r.spy.watchedCopies).toBeGreaterThan(0);
    expect(r.spy.mapSizes).not.toEqual(r.expectedMapSizes);
    expect(Math.max(...r.spy.mapSizes)).toBeGreaterThanOrEqual(r.logitsBytes);
  });
});

describe('lifetime and resources', () => {
  it('dispose after the loss call resolves: ORT reuses the buffer, the loss is still the first batch\'s', async () => {
    const r = await gpu.expectOk<{ ok: boolean; messages: string[]; reused: boolean; afterDispose: string }>('lifetime');
    // Without reuse this test would prove nothing about the order; ORT 1.30 does reuse.
    expect(r.reused).toBe(true);
    expect(r.afterDispose).toBe('DeviceError DISPOSED logits');
  });

  it('jsDivergence against a teacher still on the GPU (ORT logits), int64 ORT labels with ignored rows', async () => {
    await gpu.expectOk('jsdTeacher', 31, 40);
  });

  it('repeated evaluation over several batches does not grow what the library holds', async () => {
    const r = await gpu.expectOk<{ ok: boolean; messages: string[]; before: object; after: object; each: object[] }>('repeated', 6);
    for (const s of r.each) expect(s).toEqual(r.before);
    expect(r.after).toEqual(r.before);
  });

  it('a float16 ORT tensor in a GPU buffer is wrapped without a copy and read as float16 (crossEntropy logits, a jsDivergence teacher)', async () => {
    const r = await gpu.expectOk<{ ok: boolean; messages: string[]; sameBuffer: boolean; dtype: string }>('float16Input');
    expect(r.sameBuffer).toBe(true);
    expect(r.dtype).toBe('float16');
  });

  it("the app's own device, given to ORT per session and to OrtLoss", async () => {
    const r = await gpu.expectOk<{ ok: boolean; messages: string[]; envUnchanged: boolean; onAppDevice: boolean }>('appDevice');
    expect(r.onAppDevice).toBe(true);
    expect(r.envUnchanged).toBe(true);
  });
});

describe('bad input: typed errors naming the argument', () => {
  interface Case { case: string; name: string; code?: string; argument?: string; message: string }
  let cases: Case[];
  let stats: { statsBefore: object; statsAfter: object; noGpuErrorsBefore: boolean };
  beforeAll(async () => {
    const r = await gpu.call<{ cases: Case[] } & typeof stats>('errorCases');
    cases = r.cases;
    stats = r;
  });
  const want: [string, string, string, string][] = [
    ['cpu ort.Tensor as input', 'DeviceError', 'DEVICE_MISMATCH', 'input'],
    ['cpu-located session output as target', 'DeviceError', 'DEVICE_MISMATCH', 'target'],
    ['int32 tensor as input', 'DTypeError', 'INVALID_DTYPE', 'input'],
    ['float16 tensor as labels', 'DTypeError', 'INVALID_DTYPE', 'target'],
    ['uint8 tensor as target', 'DTypeError', 'INVALID_DTYPE', 'target'],
    ['labels of 7 rows for 6 rows of logits', 'ShapeError', 'SHAPE_MISMATCH', 'target'],
    ['rank-3 input', 'ShapeError', 'INVALID_SHAPE', 'input'],
    ['dims larger than the buffer', 'BufferError', 'BUFFER_TOO_SMALL', 'input'],
    ['reshape to another element count', 'ShapeError', 'INVALID_SHAPE', 'logits'],
    ['buffer of another device as input', 'DeviceError', 'DEVICE_MISMATCH', 'input'],
    ['output of a session on another device as target', 'DeviceError', 'DEVICE_MISMATCH', 'target'],
    ['disposed ORT tensor as input', 'DeviceError', 'DISPOSED', 'input'],
    ['not a tensor', 'DTypeError', 'INVALID_DTYPE', 'logits'],
    ['int64 labels outside int32', 'LabelRangeError', 'LABEL_OUT_OF_RANGE', 'target'],
  ];
  for (const [label, name, code, argument] of want) {
    it(label, () => {
      const c = cases.find((x) => x.case === label);
      expect(c, `case ${label} did not run`).toBeDefined();
      expect({ name: c!.name, code: c!.code, argument: c!.argument }, c!.message).toEqual({ name, code, argument });
    });
  }
  it('int64 labels outside int32 are counted on the GPU and their rows are NaN', () => {
    // Labels [0, 2^40, 3, −2^35, 9, 1]: rows 1 and 3 do not fit int32.
    expect(cases.find((x) => x.case === 'int64 out-of-range count')?.message).toBe('invalidLabels=2; NaN rows=1,3');
  });
  it('rejected calls leave nothing behind', () => {
    expect(stats.noGpuErrorsBefore).toBe(true);
    expect(stats.statsAfter).toEqual(stats.statsBefore);
  });
});
