import type { GpuContext } from '../gpu/context';
import { LINEAR_CROSS_ENTROPY } from './layouts/linear-cross-entropy';

const LCE = LINEAR_CROSS_ENTROPY.C;

// The launch policy: every choice of a kernel's launch shape (a thread per row, a workgroup per
// row or split rows; workgroup sizes; how a row is sliced among threads; how many tasks to make)
// and the one place the kernels ask whether the adapter is a CPU implementation. Each decision
// keeps the measurement it rests on.

/** A CPU implementation (SwiftShader, WARP): few fat workgroups, and barriers are dear. */
function cpuAdapter(ctx: GpuContext): boolean {
  return ctx.adapter.isFallback;
}

/** Workgroups a CPU adapter spreads over its cores. */
export const CPU_WORKGROUPS = 16;

/**
 * Workgroups for a grid-stride loop over `units` work items. A CPU adapter runs workgroups on a
 * few threads and pays per workgroup barrier: few fat workgroups. A GPU wants enough workgroups
 * to fill every compute unit.
 */
export function grid(ctx: GpuContext, units: number): number {
  const cap = cpuAdapter(ctx) ? CPU_WORKGROUPS : ctx.limits.maxComputeWorkgroupsPerDimension;
  return Math.max(1, Math.min(units, cap));
}

/**
 * A CPU adapter's SIMD width (its subgroup size; SwiftShader: 4), the workgroup size of kernels
 * that share nothing between threads there: more threads a workgroup only make fewer, larger
 * workgroups to balance over the cores.
 */
export function cpuRowWG(ctx: GpuContext): number {
  const w = Math.min(64, Math.max(4, ctx.adapter.subgroupMaxSize || 4));
  return 2 ** Math.floor(Math.log2(w)); // the reduction trees halve WG
}

/**
 * Workgroup size of the batch reduction: 256 threads on a GPU; one SIMD group on a CPU adapter,
 * where each subgroup of a workgroup with barriers runs as its own coroutine (SwiftShader): 64 of
 * them through 9 barriers made the reduce of even 8 values cost ~0.6 ms.
 */
export function reduceWG(ctx: GpuContext): number {
  return cpuAdapter(ctx) ? cpuRowWG(ctx) : 256;
}

/**
 * Workgroup size of binary cross-entropy (elementwise, a Kahan tree per workgroup when summing):
 * 256 on a GPU, one SIMD group on a CPU adapter (the barrier cost as for reduceWG).
 */
export function bceWG(ctx: GpuContext): number {
  return cpuAdapter(ctx) ? cpuRowWG(ctx) : 256;
}

// ---- row kernels (softmax, cross-entropy, entropy/KL) --------------------------------------------

/** Workgroup size of the row kernels. */
export const ROW_WG = 64;
/** Rows of at most this many classes get a thread each on any adapter. */
export const THREAD_ROW_MAX_COLS = 32;
/**
 * On a CPU adapter, batches of at least this many rows get a thread per row whatever the row
 * length: there a workgroup per row pays for its barriers (SwiftShader runs every subgroup of an
 * entry point with a barrier as its own coroutine) and its threads' reads are less local. The
 * workgroup is one SIMD group (cpuRowWG), so that even 8 rows reach two cores. Measured on
 * SwiftShader (cross-entropy, steady ms, forward): [64, 50257] 17.6 a workgroup per row, 11.5 a
 * thread per row; [8, 128256] 14.6 with split rows, 8.4 a thread per row. Fewer rows keep a
 * workgroup per row (or split rows), so that one long row still spreads over every core. A GPU
 * keeps a workgroup per row above THREAD_ROW_MAX_COLS, whose threads read a row together.
 */
export const CPU_THREAD_ROW_MIN_ROWS = 8;

/** Whether rows of `cols` classes get a thread each (else a workgroup each). */
export function threadPerRow(ctx: GpuContext, rows: number, cols: number): boolean {
  return cols <= THREAD_ROW_MAX_COLS || (cpuAdapter(ctx) && rows >= CPU_THREAD_ROW_MIN_ROWS);
}

export type RowShape = { WG: number; WG_PER_ROW: number };

/** The two pipeline shapes of a row family on a GPU (a workgroup per row, a thread per row). */
export const ROW_SHAPES = [{ WG: ROW_WG, WG_PER_ROW: 1 }, { WG: ROW_WG, WG_PER_ROW: 0 }] as const;

/** The pipeline shapes a row family uses on this adapter, for warmup(). */
export function rowShapes(ctx: GpuContext): RowShape[] {
  return [ROW_SHAPES[0], cpuAdapter(ctx) ? { WG: cpuRowWG(ctx), WG_PER_ROW: 0 } : ROW_SHAPES[1]];
}

/** Override constants and grid of a row kernel over `rows` rows of `cols` classes. */
export function rowLaunch(ctx: GpuContext, cols: number, rows: number): { constants: RowShape; workgroups: number } {
  if (!threadPerRow(ctx, rows, cols)) return { constants: ROW_SHAPES[0], workgroups: grid(ctx, rows) };
  const constants = rowShapes(ctx)[1];
  return { constants, workgroups: grid(ctx, Math.ceil(rows / constants.WG)) };
}

// ---- cross-entropy ---------------------------------------------------------------------------------

/**
 * How a workgroup's threads share a row: strided on a GPU (0: coalesced loads), in contiguous
 * slices on a CPU adapter (1: each core streams through its own memory; see slice_of in
 * shaders/cross_entropy/helpers.wgsl).
 */
export function ceSlicing(ctx: GpuContext): number {
  return cpuAdapter(ctx) ? 1 : 0;
}

/** A row shape, with a CPU adapter's thread per row marked for its barrier-free `main` (CPU_ROWS). */
function ceShape(ctx: GpuContext, c: RowShape): Record<string, number> {
  return cpuAdapter(ctx) && !c.WG_PER_ROW ? { ...c, CPU_ROWS: 1 } : c;
}

/** Cross-entropy's row shapes on this adapter (rowShapes, marked as ceShape does), for warmup(). */
export function ceRowShapes(ctx: GpuContext): Record<string, number>[] {
  return rowShapes(ctx).map((c) => ceShape(ctx, c));
}

/** rowLaunch, its shape marked as ceShape does. */
export function crossEntropyLaunch(ctx: GpuContext, cols: number, rows: number): { constants: Record<string, number>; workgroups: number } {
  const l = rowLaunch(ctx, cols, rows);
  return { ...l, constants: ceShape(ctx, l.constants) };
}

/**
 * The `prepare` dispatch's workgroup (one; its threads stride over the labels, then a tree): one
 * SIMD group on a CPU adapter, where every subgroup of a workgroup with barriers is its own
 * coroutine (SwiftShader), 64 threads on a GPU.
 */
export function prepareShape(ctx: GpuContext): RowShape {
  return cpuAdapter(ctx) ? { WG: cpuRowWG(ctx), WG_PER_ROW: 1 } : ROW_SHAPES[0];
}

/**
 * Batches of at most this many rows fold `prepare` into the row dispatch on a CPU adapter, where
 * it runs serially in one thread (48-80 ns a row on SwiftShader): beyond that, the prepare
 * dispatch (one SIMD-wide workgroup, ~0.3 ms and a quarter of the scan) costs less. Measured:
 * [1048576, 8] forward 250 ms with the serial fold, 226 ms with the dispatch.
 */
export const CPU_FOLD_MAX_ROWS = 16384;

/**
 * Whether the first chunk's `main` may run prepare itself (one dispatch less; the caller has
 * checked that nothing in `main` reads META). A CPU adapter's thread per row folds it serially
 * into one thread: only for batches small enough that this costs less than the dispatch it saves.
 */
export function foldPrepare(ctx: GpuContext, rows: number, chunkRows: number, cols: number): boolean {
  const serialFold = cpuAdapter(ctx) && threadPerRow(ctx, chunkRows, cols);
  return !serialFold || rows <= CPU_FOLD_MAX_ROWS;
}

/**
 * How many workgroups share each row: enough for the adapter's grid (a CPU adapter's 16 fat
 * workgroups, or ~1024 on a GPU) when rows are few, each part keeping at least 8 classes per
 * thread. Long rows only (a workgroup per row), logits only.
 */
export function splitParts(ctx: GpuContext, rows: number, cols: number): number {
  if (threadPerRow(ctx, rows, cols)) return 1;
  const target = cpuAdapter(ctx) ? CPU_WORKGROUPS : 1024;
  return Math.max(1, Math.min(64, Math.floor(target / Math.max(1, rows)), Math.floor(cols / (ROW_WG * 8))));
}

/** Split rows' pipeline shape (`partial`, then `main`): a workgroup per (row, part). */
export const SPLIT_SHAPE = ROW_SHAPES[0];

/** Split rows' grid. */
export function splitLaunch(ctx: GpuContext, rows: number, parts: number): { constants: RowShape; workgroups: number } {
  return { constants: SPLIT_SHAPE, workgroups: grid(ctx, rows * parts) };
}

// ---- linear cross-entropy ----------------------------------------------------------------------

/**
 * The tile kernel's form where the call names none: 'direct' (a thread's 4×4 block from the
 * buffers, no barrier) on a CPU adapter, 'staged' (workgroup memory) on a GPU. SwiftShader pays
 * dearly for barriers: with gradients, [1024, 8]·[40000, 8]ᵀ took 95 s staged and 21–42 s direct
 * there (2 shared cores, one run each).
 */
export function defaultTiles(ctx: GpuContext): 'staged' | 'direct' {
  return cpuAdapter(ctx) ? 'direct' : 'staged';
}

/** Rows of one forward task: a workgroup's tile of rows (staged) or a thread's block (direct). */
const forwardRows = (direct: boolean) => (direct ? LCE.TM : LCE.TILE);

/**
 * Vocabulary splits the forward wants over `n` rows: enough (row block, split) tasks to fill the
 * adapter's grid (16 fat workgroups on a CPU adapter, a few thousand on a GPU; direct tiles: every
 * thread of the grid).
 */
export function forwardSplitsWanted(ctx: GpuContext, n: number, direct: boolean): number {
  const target = direct ? grid(ctx, 1 << 30) * LCE.WG : cpuAdapter(ctx) ? CPU_WORKGROUPS : 4096;
  return Math.ceil(target / Math.ceil(n / forwardRows(direct)));
}

/** Workgroups of the forward's tile dispatch: (row block, split) tasks. */
export function forwardGroups(ctx: GpuContext, n: number, nsplit: number, direct: boolean): number {
  const tasks = Math.ceil(n / forwardRows(direct)) * nsplit;
  return grid(ctx, direct ? Math.ceil(tasks / LCE.WG) : tasks);
}

/** Workgroups of a gradient tile dispatch over an [m, n] output: a tile per workgroup task (staged) or a 4×4 block per thread (direct). */
export function tileGroups(ctx: GpuContext, m: number, n: number, direct: boolean): number {
  if (direct) return grid(ctx, Math.ceil((Math.ceil(m / LCE.TM) * Math.ceil(n / LCE.TM)) / LCE.WG));
  return grid(ctx, Math.ceil(m / LCE.TILE) * Math.ceil(n / LCE.TILE));
}

/** Workgroups of `combine` (a row each) and `dbias` (a column each). */
export function lineGroups(ctx: GpuContext, units: number): number {
  return grid(ctx, Math.ceil(units / LCE.WG));
}
