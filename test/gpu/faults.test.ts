// Faults and abuse: GPU-object misuse with the caller's data checked afterwards, device
// loss mid-call, WebGPU errors from error scopes, limits, disposal, a 5,000-call soak, 64
// concurrent calls, and the CPU fallback. Host-data bad input is in errors.test.ts.
import { describe, it, expect, beforeAll } from 'vitest';
import { useGpuPage } from './harness';
import type { ErrorInfo } from '../util/errors';

const gpu = useGpuPage();

describe('GPU-object misuse: typed errors, the caller\'s data unchanged', () => {
  let r: Record<string, { error: ErrorInfo | null; unchanged: boolean }>;
  beforeAll(async () => {
    r = await gpu.call('gpuBattery');
  });
  const CASES: [string, Partial<ErrorInfo>][] = [
    ['float labels on the GPU', { name: 'DTypeError', code: 'INVALID_DTYPE', argument: 'target' }],
    ['int32 logits on the GPU', { name: 'DTypeError', code: 'INVALID_DTYPE', argument: 'input' }],
    ['gradOut of the wrong shape', { name: 'ShapeError', argument: 'options.gradOut' }],
    ['gradOut on another device', { name: 'DeviceError', code: 'DEVICE_MISMATCH', argument: 'options.gradOut' }],
    ['labels on another device', { name: 'DeviceError', code: 'DEVICE_MISMATCH', argument: 'target' }],
    ['a byte offset that is not a multiple of 4', { name: 'BufferError', code: 'BUFFER_USAGE', argument: 'byteOffset' }],
    ['a shape past 2^32 elements', { name: 'ShapeError', code: 'INVALID_SHAPE', argument: 'shape' }],
    ['a negative shape on a wrapped buffer', { name: 'ShapeError', code: 'INVALID_SHAPE', argument: 'shape' }],
    ['gradOut sharing the labels\' buffer', { name: 'OptionError', argument: 'options.gradOut' }],
    ['inPlace with gradOut', { name: 'OptionError', argument: 'options.gradOut' }],
    ['a read of a destroyed output', { name: 'DeviceError', code: 'DISPOSED' }],
  ];
  for (const [name, want] of CASES) {
    it(name, () => {
      expect(r[name].error, `${name} was accepted`).not.toBeNull();
      expect(r[name].error).toMatchObject(want);
      expect(r[name].unchanged, 'the caller\'s tensors hold their values').toBe(true);
    });
  }
});

describe('faults', () => {
  it('device loss with work on the queue and a call compiling: DEVICE_LOST for both and after, nothing held, a new device works', async () => {
    const r = await gpu.call<Record<string, unknown>>('deviceLoss');
    expect(r.reason).toBe('destroyed');
    expect(r.submittedError).toMatchObject({ name: 'DeviceError', code: 'DEVICE_LOST' });
    expect(r.inFlightError).toMatchObject({ name: 'DeviceError', code: 'DEVICE_LOST' });
    expect(r.laterCall).toMatchObject({ name: 'DeviceError', code: 'DEVICE_LOST' });
    expect(r.laterRead).toMatchObject({ name: 'DeviceError', code: 'DEVICE_LOST' });
    expect(r.heldBefore).toBeGreaterThan(0);
    expect(r.bytesAfter).toBe(0);
    expect(r.freshOk, String(r.freshMessage)).toBe(true);
  });

  it('validation and out-of-memory errors become typed errors and free the call\'s outputs', async () => {
    const r = await gpu.call<Record<string, unknown>>('scopedErrors');
    expect(r.validation).toMatchObject({ name: 'DeviceError', code: 'GPU_ERROR' });
    expect(r.bytesAfterValidation).toBe(r.held);
    expect(r.injected).toBe(true);
    expect(r.oom).toMatchObject({ name: 'DeviceError', code: 'OUT_OF_MEMORY' });
    expect((r.oom as ErrorInfo).message).toContain('out of memory');
    expect(r.bytesAfterOom).toBe(r.held);
    expect(r.worksAfter).toBe(true);
    expect(r.bytesEnd).toBe(r.held);
  });

  it('limits: past maxBufferSize and per-row bindings refused naming the limit; the matrix is chunked', async () => {
    const r = await gpu.call<Record<string, unknown>>('limits');
    expect(r.overBuffer).toMatchObject({ name: 'BufferError', code: 'TOO_LARGE' });
    expect((r.overBuffer as ErrorInfo).message).toContain('maxBufferSize');
    expect(r.bytesAfterOverBuffer).toBe(0);
    expect(r.perRow).toMatchObject({ name: 'BufferError', code: 'TOO_LARGE', argument: 'target' });
    expect((r.perRow as ErrorInfo).message).toContain('4096');
    expect(r.entropyRows).toMatchObject({ name: 'BufferError', code: 'TOO_LARGE', argument: 'input' });
    expect(r.longRow).toMatchObject({ name: 'BufferError', code: 'TOO_LARGE', argument: 'input' });
    expect(r.chunkedOk, String(r.chunkedMessage)).toBe(true);
    expect(r.bytesEnd).toBeLessThanOrEqual(64); // the placeholder bindings only
  });

  it('dispose() frees everything it owns, views included, and spares the caller\'s buffer and device', async () => {
    const r = await gpu.call<Record<string, unknown>>('disposal');
    expect((r.before as { bytes: number }).bytes).toBeGreaterThan(0);
    expect(r.after).toMatchObject({ tensors: 0, bytes: 0, pipelines: 0 });
    expect(r.readOutput).toMatchObject({ name: 'DeviceError', code: 'DISPOSED' });
    expect(r.readView).toMatchObject({ name: 'DeviceError', code: 'DISPOSED' });
    expect(r.call).toMatchObject({ name: 'DeviceError', code: 'DISPOSED' });
    expect(r.callerKept).toBe(true);
    expect(r.deviceAlive).toBe(true);
  });
});

describe('load', () => {
  it('soak: 5,000 mixed calls, bytes held flat after warm-up, results still match the oracle', async () => {
    const r = await gpu.call<{ calls: number; samples: number[]; warmBytes: number; bad: string[]; ms: number }>('soak', 5_000);
    expect(r.calls).toBe(5_000);
    expect(r.samples.length).toBeGreaterThanOrEqual(9);
    for (const s of r.samples) expect(s).toBe(r.warmBytes);
    expect(r.bad).toEqual([]);
  });

  it('64 calls issued without awaiting, on different inputs, all correct', async () => {
    const r = await gpu.call<{ bad: string[]; kinds: number }>('concurrency', 64);
    expect(r.kinds).toBe(7);
    expect(r.bad).toEqual([]);
  });
});

describe('no WebGPU', () => {
  it('a typed NO_WEBGPU error by default; the CPU oracle on request (linear cross-entropy too), and it says so', async () => {
    const r = await gpu.call<Record<string, unknown>>('fallback');
    expect(r.refused).toMatchObject({ name: 'DeviceError', code: 'NO_WEBGPU' });
    expect(r.refusedThrow).toMatchObject({ name: 'DeviceError', code: 'NO_WEBGPU' });
    expect((r.refusedThrow as ErrorInfo).message).toContain('blocked by policy');
    expect(r.missing).toMatchObject({ name: 'DeviceError', code: 'NO_WEBGPU' });
    expect(r.backend).toBe('cpu-oracle');
    expect(r.isCpu).toBe(true);
    expect(r.ok).toBe(true);
    expect(r.linOk).toBe(true);
    expect(r.afterDispose).toMatchObject({ name: 'DeviceError', code: 'DISPOSED' });
    expect(r.inPlace).toMatchObject({ name: 'OptionError', argument: 'options.inPlace' });
    expect(r.restored).toBe(true);
    expect(r.gpuWhenThere).toBe('webgpu');
  });
});
