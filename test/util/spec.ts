// What a test asks of an oracle comparison (test/util/check.ts), in the browser page or in Node.
import type { Tolerance } from './allclose';

export type OpName = 'softmax' | 'logSoftmax' | 'crossEntropy' | 'binaryCrossEntropy' | 'entropy' | 'klDivergence' | 'focalLoss' | 'binaryFocalLoss' | 'jsDivergence';

export interface DataSpec {
  /** How to make the values: random kinds are seeded by the spec's seed. */
  kind: 'logits' | 'probs' | 'uniform' | 'labels' | 'onehot' | 'binary' | 'data';
  /** Standard deviation for 'logits'. */
  scale?: number;
  /** For 'labels': fraction of rows set to the ignore index. */
  ignoreFrac?: number;
  /** For 'uniform': the range. */
  lo?: number;
  hi?: number;
  /** For 'data': the values. */
  data?: number[];
  /** For 'data': the shape (defaults to the spec's [rows, cols] or [rows]). */
  shape?: number[];
  /** The values as 16-bit floats (rounded to nearest even), passed with this dtype. */
  dtype?: 'float16' | 'bfloat16';
  /** With `dtype`, for 'data': the 16-bit patterns themselves (instead of `data`). */
  bits?: number[];
}

/** How a spec is run and judged, whatever the operation. */
export interface RunSpec {
  tol: Tolerance;
  /** Tolerance for the gradient, when it differs from `tol`. */
  gradTol?: Tolerance;
  /** Run twice and require bitwise-identical outputs. */
  determinism?: boolean;
  /** Pass the input and target to the GPU as GpuTensors (uploaded first) instead of host data. */
  gpuInputs?: boolean;
  /** Run on another context: a device with the spec's default limits, or a lowered binding size. */
  context?: ContextSpec;
}

export interface CheckSpec extends RunSpec {
  op: OpName;
  rows: number;
  cols: number;
  seed?: number;
  input: DataSpec;
  target?: DataSpec;
  /** Passed to both implementations; `weight`, `posWeight` or `alpha` 'random' make seeded arrays. */
  options?: Record<string, unknown>;
}

export interface ContextSpec {
  defaultLimits?: boolean;
  maxBindingBytes?: number;
  /** false: the portable workgroup-tree reductions even where subgroups exist. */
  subgroups?: boolean;
  /**
   * true: launch shapes as on a GPU even on a CPU adapter (a workgroup per row, GPU grids and row
   * splits), by telling the engine its adapter is no fallback.
   */
  gpuShaped?: boolean;
}
