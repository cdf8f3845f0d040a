// What the cross-entropy test files share: the oracle page, opened once per file, and the
// tolerances with their reasons.
import { expect, beforeAll, afterAll } from 'vitest';
import { openGpuPage, type GpuPage } from './harness';
import type { CheckSpec } from './page-types';

// Tolerances (float32 kernels vs the float64 oracle on the same float32 inputs):
// - loss: the row's log-sum-exp accumulates up to ~V/64 terms per thread in f32 before a tree
//   merge; worst-case relative error of the sum a few 1e-6, so 1e-5 relative with 1e-6 absolute
//   (losses near 0) holds with margin. Batch sums use Kahan, adding nothing visible.
// - grad: exp(z - lse) carries lse's absolute error as a relative error (~1e-5), and values
//   near 0 need an absolute floor; p - 1 at the label cancels, hence 1e-4 relative, 1e-6 absolute.
// - softmax: one exp and one lse per value: 1e-5 relative; log-softmax values are differences
//   of order |z|: 1e-5 relative, 1e-5 absolute.
export const LOSS = { rtol: 1e-5, atol: 1e-6 };
export const GRAD = { rtol: 1e-4, atol: 1e-6 };

/** Opens the oracle page for this file; `expectOk` runs a spec there and fails on any mismatch. */
export function useOraclePage(): { page: () => GpuPage; expectOk: (spec: CheckSpec) => Promise<void> } {
  let gpu: GpuPage;
  beforeAll(async () => {
    gpu = await openGpuPage();
  });
  afterAll(async () => {
    await gpu?.close();
  });
  return {
    page: () => gpu,
    expectOk: async (spec) => {
      const r = await gpu.check(spec);
      expect(r.ok, r.messages.join('\n')).toBe(true);
    },
  };
}
