// Shapes of what crosses between the Node tests and the test page. Non-finite numbers inside
// arrays do not survive the trip (JSON), so explicit data writes them as strings.
import type { Tolerance } from '../util/allclose';

export type Num = number | 'NaN' | 'Infinity' | '-Infinity';

export interface AdapterReport {
  ok: boolean;
  error?: string;
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallback?: boolean;
  subgroups?: boolean;
  timestampQuery?: boolean;
  /** Subgroup size the row reductions use (0: workgroup tree). */
  subgroupSize?: number;
  maxStorageBufferBindingSize?: number;
  maxBufferSize?: number;
}

export type OpName = 'softmax' | 'logSoftmax' | 'crossEntropy' | 'binaryCrossEntropy' | 'entropy' | 'klDivergence';

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
  data?: Num[];
  /** For 'data': the shape (defaults to the spec's [rows, cols] or [rows]). */
  shape?: number[];
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
  /** Passed to both implementations; `weight: 'random'` and `posWeight: 'random'` make seeded arrays. */
  options?: Record<string, unknown>;
}

export interface ContextSpec {
  defaultLimits?: boolean;
  maxBindingBytes?: number;
  /** false: the portable workgroup-tree reductions even where subgroups exist. */
  subgroups?: boolean;
}

export interface CheckReport {
  ok: boolean;
  messages: string[];
}
