// The benchmark's data model: what a run is asked to do, and what it records (latest.json).

export type Shape = [rows: number, classes: number];

/** What an implementation computes, which fixes the bytes it must move and the roof it is held to. */
/** `-f16`: the same with float16 logits (half the bytes read), held to the float16 read roof. */
export type Work = 'forward' | 'fused' | 'roof-read' | 'roof-rw' | 'roof-exp' | 'forward-f16' | 'roof-read-f16';

export interface BenchConfig {
  shapes: Shape[];
  /** Implementation ids (see IMPLS in impls.ts); the two roofs always run. */
  impls: string[];
  /** Most warm calls timed per shape × implementation. */
  iters: number;
  /** Calls queued before one readback in the steady-state measurement (at most). */
  steadyCalls: number;
  /** Wall-clock budget (ms) for the warm calls of one shape × implementation; fewer calls past it. */
  budgetMs: number;
  /** Budget (ms) for the steady-state measurement; skipped when a call takes over a quarter of it. */
  steadyBudgetMs: number;
  /** Fewest warm calls, whatever the budget. */
  minIters: number;
  quick: boolean;
  seed: number;
}

export interface Check {
  ok: boolean;
  /** Mean loss the implementation returned, and the float64 oracle's. */
  loss: number;
  expected: number;
  relErr: number;
  /** Gradient check (fused implementations and the read+write roof's output). */
  grad?: { ok: boolean; failed: number; count: number; worst: number; message: string };
  message: string;
}

export interface Timing {
  /** Wall time of one call including one readback of its (scalar) result, ms. */
  median: number;
  p10: number;
  p90: number;
  min: number;
  /** Warm calls timed. */
  n: number;
  /** True when the budget cut the calls below `iters`. */
  reduced: boolean;
}

export interface Steady {
  /** Calls queued back to back before the single readback. */
  calls: number;
  /** Total wall time / calls, ms (median over `repeats`). */
  perCall: number;
  repeats: number;
}

export interface ImplResult {
  id: string;
  label: string;
  backend: string;
  work: Work;
  /** Set when the implementation did not run on this shape (and why). */
  skipped?: string;
  /** Setup failed or a call threw. */
  error?: string;
  check?: Check;
  /** First call on this shape (pipeline compile, first upload of constants), ms. */
  firstMs?: number;
  wall?: Timing;
  steady?: Steady;
  /** Bytes the operation has to move at least (logits read; + gradient written; + labels). */
  bytes: number;
  /** bytes / wall median, GB/s (1e9). */
  gbps?: number;
  /** The roof's wall median / this wall median (1 = at the roof). */
  ofRoof?: number;
  /** The same from the steady-state per-call times. */
  ofRoofSteady?: number;
  /** GPU time of the warm calls from timestamp queries (see bench/gpu-timer.ts), where the
   *  adapter has them; same calls as `wall`. */
  gpu?: Timing;
  /** bytes / gpu median, GB/s. */
  gpuGbps?: number;
  /** The roof's gpu median / this gpu median. */
  ofRoofGpu?: number;
  /** The faster PyTorch CUDA row's time for the same work / this time (GPU times where both have
   *  them, else wall); from a merged reference run (bench/torch_reference.py). */
  vsTorch?: number;
  /** Forward only: the exp diagnostic's wall median / this wall median (1 = as fast as one exp per logit). */
  ofExpRoof?: number;
  /** TF.js WebGPU's best wall median for the same work / this wall median (speed-up). */
  vsTfjsWebgpu?: number;
  /** Grid the roof picked (workgroups × workgroup size). */
  grid?: string;
}

export interface ShapeResult {
  rows: number;
  classes: number;
  logitsBytes: number;
  /** The GPU timer's empty bracket on this shape's device (two empty passes, nothing between),
   *  median ms: the overhead every GPU time of the shape includes. */
  gpuFloorMs?: number;
  impls: ImplResult[];
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  /** Dawn's device name (absent in browsers that hide it). */
  device?: string;
  /** Dawn puts the driver's name and version here. */
  description: string;
  /** Dawn's backend in Node (vulkan, metal, d3d12); absent in a browser. */
  backend?: string;
  isFallback: boolean;
  features: string[];
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  subgroupSize: number;
}

/** How GPU time was taken, or why it was not. */
export interface GpuTimeInfo {
  available: boolean;
  note: string;
}

/** A native reference run on the same GPU (bench/torch_reference.py), merged into the results. */
export interface ReferenceInfo {
  name: string;
  device: string;
  versions: Record<string, string>;
  /** Why a variant did not run (torch.compile failing, say). */
  notes: string[];
}

export interface BenchResults {
  schema: 1;
  date: string;
  /** The browser's user agent, or in Node the runtime and Dawn's binding. */
  userAgent: string;
  adapter: AdapterSummary;
  config: BenchConfig;
  /** The library's source the run measured (filled in by scripts/bench.mjs from git). */
  source?: { commit: string; dirty: string[] };
  /** Facts about the peers: TF.js's version, its WebGPU adapter, the wasm backend's threads; or
   *  why a run has none. */
  peers: { tfjs?: string; tfjsWebgpuAdapter?: string; tfjsWasmThreads?: number; omitted?: string };
  gpuTime?: GpuTimeInfo;
  reference?: ReferenceInfo;
  /** How each time is measured, in words (the table's legend). */
  method: string[];
  shapes: ShapeResult[];
  totalSeconds: number;
}

export type Progress = (line: string) => void;
