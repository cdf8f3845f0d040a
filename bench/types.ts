// The benchmark's data model: what a run is asked to do, and what it records (latest.json).

export type Shape = [rows: number, classes: number];

/** What an implementation computes, which fixes the bytes it must move and the roof it is held to. */
export type Work = 'forward' | 'fused' | 'roof-read' | 'roof-rw' | 'roof-exp';

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
  impls: ImplResult[];
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  isFallback: boolean;
  features: string[];
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  subgroupSize: number;
}

export interface BenchResults {
  schema: 1;
  date: string;
  userAgent: string;
  adapter: AdapterSummary;
  config: BenchConfig;
  /** The library's source the run measured (filled in by scripts/bench.mjs from git). */
  source?: { commit: string; dirty: string[] };
  /** Facts about the peers: TF.js's version, its WebGPU adapter, the wasm backend's threads. */
  peers: { tfjs: string; tfjsWebgpuAdapter?: string; tfjsWasmThreads?: number };
  /** How each time is measured, in words (the table's legend). */
  method: string[];
  shapes: ShapeResult[];
  totalSeconds: number;
}

export type Progress = (line: string) => void;
