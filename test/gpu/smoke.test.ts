import { describe, it, expect } from 'vitest';
import { useGpuPage } from './harness';
import { assertClose } from '../util/allclose';
import { TOL } from '../util/tolerances';

const gpu = useGpuPage();

describe('GPU smoke', () => {
  it('finds a real WebGPU adapter in headless Chromium', () => {
    expect(gpu.info.ok).toBe(true);
    expect(gpu.info.vendor ?? gpu.info.architecture).toBeTruthy();
  });

  it('uses the subgroup row reductions where the adapter has subgroups of one size', () => {
    // SwiftShader exposes `subgroups` with a fixed size of 4, so CI runs the subgroup variant by
    // default; the portable tree runs in the tests that ask for { subgroups: false }.
    if (gpu.info.subgroups) expect(gpu.info.subgroupSize).toBeGreaterThan(0);
    else expect(gpu.info.subgroupSize).toBe(0);
  });

  it('runs a WGSL kernel from shaders/ and returns the oracle\'s answer', async () => {
    const r = await gpu.call<{ gpu: number[]; oracle: number[] }>('smoke');
    expect(r.gpu).toHaveLength(4);
    assertClose(r.gpu, r.oracle, TOL.fewTerms, 'softmax');
  });

  it('warmup() compiles every pipeline without a WebGPU error', async () => {
    const n = await gpu.call<number>('warmup');
    expect(n).toBeGreaterThanOrEqual(10);
  });
});
