// The one place the tests read the engine behind a WebGPULoss rather than its public API: the
// subgroup size a test page reports, and how cross-entropy splits a row.
import type { WebGPULoss } from '../../src/index';
import { splitParts as ceSplitParts } from '../../src/kernels/cross-entropy';
import { engineOf } from '../../src/loss';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  description: string;
  isFallback: boolean;
  subgroups: boolean;
  timestampQuery: boolean;
  /** Subgroup size the row reductions use (0: workgroup tree). */
  subgroupSize: number;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export function adapterReport(wl: WebGPULoss): AdapterReport {
  const a = wl.adapter;
  return {
    vendor: a.vendor, architecture: a.architecture, description: a.description, isFallback: a.isFallback,
    subgroups: a.subgroups, timestampQuery: a.timestampQuery, subgroupSize: engineOf(wl).subgroupSize,
    maxStorageBufferBindingSize: wl.device.limits.maxStorageBufferBindingSize, maxBufferSize: wl.device.limits.maxBufferSize,
  };
}

/** How many parts cross-entropy cuts each row of a [rows, cols] input into on this context. */
export function splitParts(wl: WebGPULoss, rows: number, cols: number): number {
  return ceSplitParts(engineOf(wl), rows, cols);
}
