// The one place the tests read the engine behind a WebGPULoss rather than its public API: the
// subgroup size a test page reports, and how cross-entropy splits a row.
import type { AdapterFacts, WebGPULoss } from '../../src/index';
import { splitParts as ceSplitParts } from '../../src/kernels/launch';
import { engineOf } from '../../src/loss';

export type AdapterReport = AdapterFacts & {
  /** Subgroup size the row reductions use (0: workgroup tree). */
  subgroupSize: number;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
};

export function adapterReport(wl: WebGPULoss): AdapterReport {
  const { maxStorageBufferBindingSize, maxBufferSize } = wl.device.limits;
  return { ...wl.adapter, subgroupSize: engineOf(wl).subgroupSize, maxStorageBufferBindingSize, maxBufferSize };
}

/** How many parts cross-entropy cuts each row of a [rows, cols] input into on this context. */
export function splitParts(wl: WebGPULoss, rows: number, cols: number): number {
  return ceSplitParts(engineOf(wl), rows, cols);
}

/**
 * Makes `wl` choose its launch shapes as on a GPU (a workgroup per row at any batch size, GPU-sized
 * grids, split rows for few rows), whatever its adapter: the engine's adapter facts, with
 * isFallback false. For tests of the GPU shapes on a CPU adapter.
 */
export function gpuShaped(wl: WebGPULoss): WebGPULoss {
  const engine = engineOf(wl);
  Object.defineProperty(engine, 'adapter', { value: { ...engine.adapter, isFallback: false } });
  return wl;
}
