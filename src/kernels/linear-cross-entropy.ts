import { BufferError, OptionError } from '../contract/errors';
import type { GpuContext, TensorLike, Dispatch } from '../gpu/context';
import { GpuTensor } from '../gpu/tensor';
import { LINEAR_KEYS, linearShapes, parseLinearOptions } from '../contract/configs/linear-cross-entropy';
import type { CrossEntropyConfig } from '../contract/configs/cross-entropy';
import { oneOf, optionsObject } from '../contract/options';
import type { LinearOptions } from '../contract/types';
import { checkLabels, refuseHalf } from '../contract/tensor';
import { reduceDispatch, finishCall, freeOnThrow, argShape, type Temps } from './common';
import { defaultTiles, forwardGroups, forwardSplitsWanted, lineGroups, tileGroups } from './launch';
import { LINEAR_CROSS_ENTROPY as LCE } from './layouts/linear-cross-entropy';
import type { BoundRegion } from './layouts/layout';
import { REDUCE } from './layouts/reduce';

// Host side of shaders/linear_cross_entropy/ (+ reduce.wgsl): validate, size the forward's
// vocabulary splits and the backward's vocabulary chunks, then prepare -> forward tiles ->
// combine -> reduce -> (per chunk: logit gradient, dH, dW, db) in one submit. No buffer of N×V
// elements is made: the forward keeps 4 words per (row, split), the backward one [N, vc] chunk.

/** linearCrossEntropy options: crossEntropy's for sparse labels from logits, plus the bias. */
export interface LinearCrossEntropyOptions extends LinearOptions {
  /** Classifier bias, shape [V] (host data or a GpuTensor). */
  bias?: TensorLike;
  /**
   * @internal Tile kernel: 'staged' (workgroup memory, the GPU choice) or 'direct' (no barriers,
   * the CPU-adapter choice). Default: by adapter. Tests use it to run both on one adapter.
   */
  tiles?: 'staged' | 'direct';
}

/**
 * What `linearCrossEntropy` returns: the loss, the gradients when `grad` was asked, and the call's
 * scratch size. `WebGPULoss.linearCrossEntropy` also gives it `dispose()`, which frees the tensors.
 */
export interface LinearCrossEntropyOutputs {
  /** Shape [] for 'sum' / 'mean', [N] for 'none'. */
  loss: GpuTensor<'float32'>;
  /** d loss / d hidden, [N, D], with `grad` ('none': of the sum of the rows' losses). */
  gradHidden?: GpuTensor<'float32'>;
  /** d loss / d weight, [V, D], with `grad`. */
  gradWeight?: GpuTensor<'float32'>;
  /** d loss / d bias, [V], with `grad` and a bias. */
  gradBias?: GpuTensor<'float32'>;
  /** With labels on the GPU: labels outside [0, V) and not ignored (int32, shape []). */
  invalidLabels?: GpuTensor<'int32'>;
  /** Bytes of the call's own scratch buffers (partials, row stats, the gradient chunk, uploads excluded). */
  scratchBytes: number;
}

/** The GPU adds the choice of tile kernel (tests run both on one adapter). */
const GPU_LINEAR_KEYS = [...LINEAR_KEYS, 'tiles'];

const F = LCE.F;
const { TILE, META_WORDS, ROW_WORDS, PART_WORDS } = LCE.C;
/** The backward's vocabulary chunk is at most 1/CHUNKS_MIN of V (memory) and at least MIN_CHUNK classes (work per dispatch). */
const CHUNKS_MIN = 32;
const MIN_CHUNK = 512;

const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

/**
 * Vocabulary splits of the forward: as many as the launch policy wants (forwardSplitsWanted), each
 * whole tiles, and few enough for the scratch buffer to fit one binding.
 */
export function forwardSplits(ctx: GpuContext, n: number, v: number, direct: boolean): { nsplit: number; splitW: number } {
  // The scratch buffer (META, row stats, partials) is bound whole: its splits must fit one binding.
  const metaBytes = 4 * META_WORDS;
  const fit = Math.floor((ctx.maxBindingBytes - metaBytes - 4 * ROW_WORDS * n) / (4 * PART_WORDS * n));
  if (fit < 1) throw new BufferError('hidden', `${n} rows need ${metaBytes + 4 * (ROW_WORDS + PART_WORDS) * n} bytes of row statistics in one storage binding; this device's limit is ${ctx.maxBindingBytes} bytes. Split the rows across calls`, 'TOO_LARGE');
  const want = Math.max(1, Math.min(forwardSplitsWanted(ctx, n, direct), Math.ceil(v / TILE), fit));
  const splitW = roundUp(Math.ceil(v / want), TILE);
  return { nsplit: Math.ceil(v / splitW), splitW };
}

/**
 * Classes per backward chunk: V/32 (so the [N, vc] gradient chunk is ≥ 32× smaller than the
 * logits would be), at least 512, and small enough for one storage binding.
 */
export function backwardChunk(ctx: GpuContext, n: number, v: number): number {
  const fit = Math.floor((ctx.maxBindingBytes - ctx.limits.minStorageBufferOffsetAlignment) / (4 * n) / TILE) * TILE;
  if (fit < TILE) throw new BufferError('hidden', `${n} rows are too many for one gradient chunk of ${TILE} classes within the binding limit (${ctx.maxBindingBytes} bytes)`, 'TOO_LARGE');
  return Math.min(roundUp(Math.max(MIN_CHUNK, Math.ceil(v / CHUNKS_MIN)), TILE), roundUp(v, TILE), fit);
}

export async function linearCrossEntropyOp(ctx: GpuContext, hiddenArg: TensorLike, weightArg: TensorLike, labelsArg: TensorLike,
  opts: LinearCrossEntropyOptions = {}): Promise<LinearCrossEntropyOutputs> {
  ctx.checkAlive();
  const hShape = argShape(hiddenArg, 'hidden');
  const wShape = argShape(weightArg, 'weight');
  const lShape = argShape(labelsArg, 'labels');
  const o = optionsObject(opts, GPU_LINEAR_KEYS);
  const biasArg = o.bias as TensorLike | undefined;
  const { n: N, d: D, v: V } = linearShapes(hShape, wShape, lShape, biasArg !== undefined ? argShape(biasArg, 'options.bias') : undefined);
  const cfg = parseLinearOptions(o, V, ['tiles']);
  if (!(labelsArg instanceof GpuTensor)) {
    refuseHalf(labelsArg, 'labels', 'integer labels (Int32Array)');
    checkLabels(labelsArg.data, V, cfg.ignoreIndex, 'labels');
  }
  // hidden and weight are bound whole: each must fit one storage binding.
  const bindMax = ctx.maxBindingBytes - ctx.limits.minStorageBufferOffsetAlignment;
  for (const [name, bytes] of [['hidden', N * D * 4], ['weight', V * D * 4]] as const) {
    if (bytes > bindMax) throw new BufferError(name, `${bytes} bytes exceed one storage binding (${ctx.maxBindingBytes} bytes); split the ${name === 'hidden' ? 'rows' : 'vocabulary'} across calls`, 'TOO_LARGE');
  }
  const vc = cfg.grad ? backwardChunk(ctx, N, V) : 0;
  const tiles = oneOf(o.tiles, ['staged', 'direct'] as const, 'options.tiles', defaultTiles(ctx));
  const direct = tiles === 'direct';
  const DIRECT = direct ? 1 : 0;
  const { nsplit, splitW } = forwardSplits(ctx, N, V, direct);

  const temps: Temps = [];
  const made: GpuTensor[] = [];
  return freeOnThrow(temps, made, encode);

  async function encode(): Promise<LinearCrossEntropyOutputs> {
    const input = (arg: TensorLike, name: string, dtype: 'float32' | 'int32') => {
      const { t, temp } = ctx.input(arg, name, dtype);
      if (temp) temps.push(t);
      return t;
    };
    // hidden states and weights: float32, float16 or bfloat16 (read through load_H / load_Wm).
    const floatInput = (arg: TensorLike, name: string) => {
      const { t, temp } = ctx.floats(arg, name);
      if (temp) temps.push(t);
      return t;
    };
    const hidden = floatInput(hiddenArg, 'hidden');
    const weight = floatInput(weightArg, 'weight');
    const labels = input(labelsArg, 'labels', 'int32');
    const bias = biasArg !== undefined ? input(biasArg, 'options.bias', 'float32') : undefined;
    const classW = cfg.weighted ? ctx.tensor(Float32Array.from(cfg.weight), [V], 'float32', 'options.weight') : undefined;
    if (classW) temps.push(classW);

    const partBase = META_WORDS + ROW_WORDS * N;
    const scratch = ctx.empty([partBase + PART_WORDS * N * nsplit], 'int32', 'linearCrossEntropy:scratch');
    temps.push(scratch);
    // GPU labels: META[2] (bad labels) is copied out at the end, so the scratch buffer is not
    // kept alive by a 4-byte counter.
    const invalid = labelsArg instanceof GpuTensor ? ctx.empty([], 'int32', 'linearCrossEntropy:invalidLabels') : undefined;
    if (invalid) made.push(invalid);
    const perRow = ctx.empty([N], 'float32', 'linearCrossEntropy:loss');
    made.push(perRow);
    const gChunk = cfg.grad ? ctx.empty([N, vc], 'float32', 'linearCrossEntropy:gradChunk') : undefined;
    if (gChunk) temps.push(gChunk);
    const gradHidden = cfg.grad ? ctx.empty([N, D], 'float32', 'linearCrossEntropy:gradHidden') : undefined;
    const gradWeight = cfg.grad ? ctx.empty([V, D], 'float32', 'linearCrossEntropy:gradWeight') : undefined;
    const gradBias = cfg.grad && bias ? ctx.empty([V], 'float32', 'linearCrossEntropy:gradBias') : undefined;
    for (const t of [gradHidden, gradWeight, gradBias]) if (t) made.push(t);

    const FLAGS = linearFlags(cfg, bias !== undefined);
    const hB = ctx.bind(hidden);
    const wB = ctx.bind(weight);
    const bB = bias ? ctx.bind(bias) : undefined;
    const lB = ctx.bind(labels);
    const uniforms = (v0 = 0, chunk = 0, accumulate = 0) => LCE.uniforms({
      n: N, v: V, d: D, ignore_index: cfg.ignoreIndex, v0, vc: chunk, gstride: vc, nsplit, split_w: splitW, accumulate,
      h_base: hB.base, w_base: wB.base, b_base: bB ? bB.base : 0, l_base: lB.base, part_base: partBase,
      smoothing: cfg.smoothing, zloss: cfg.zLoss, softcap: cfg.softcap, out_scale: 1 / cfg.divisor,
    });
    const bound = (t: GpuTensor | undefined, role: string): BoundRegion => (t ? ctx.bind(t).binding : ctx.dummy(role));
    const bindings = (g: GpuTensor | undefined, out: GpuTensor | undefined) => LCE.bindings({
      H: hB.binding, Wm: wB.binding, Bv: bound(bias, 'read'), L: lB.binding, CW: bound(classW, 'read'),
      S: ctx.bind(scratch).binding, G: bound(g, 'gradChunk'), O: bound(out, 'out'),
    });
    const tiles = (m: number, n: number) => tileGroups(ctx, m, n, direct);
    const fam = 'linearCrossEntropy' as const;

    const dispatches: Dispatch[] = [
      { family: fam, entry: 'prepare', constants: { FLAGS }, uniforms: uniforms(), bindings: bindings(undefined, undefined), workgroups: 1 },
      { family: fam, entry: 'tile', constants: { MODE: 0, DIRECT, FLAGS }, uniforms: uniforms(), bindings: bindings(undefined, undefined),
        workgroups: forwardGroups(ctx, N, nsplit, direct) },
      { family: fam, entry: 'combine', constants: { FLAGS }, uniforms: uniforms(), bindings: bindings(undefined, perRow),
        workgroups: lineGroups(ctx, N) },
    ];
    let loss = perRow;
    if (cfg.reduction !== 'none') {
      loss = ctx.empty([], 'float32', 'linearCrossEntropy:reduced');
      made.push(loss);
      dispatches.push(reduceDispatch(ctx, perRow, scratch, loss, cfg.reduction === 'mean' ? REDUCE.C.MODE_MEAN_META : REDUCE.C.MODE_SUM, cfg.allIgnored === 'zero'));
      temps.push(perRow);
    }
    if (gChunk && gradHidden && gradWeight) {
      for (let v0 = 0; v0 < V; v0 += vc) {
        const chunk = Math.min(vc, V - v0);
        const u = (acc = 0) => uniforms(v0, chunk, acc);
        dispatches.push(
          { family: fam, entry: 'tile', constants: { MODE: 1, DIRECT, FLAGS }, uniforms: u(), bindings: bindings(gChunk, undefined), workgroups: tiles(N, chunk) },
          { family: fam, entry: 'tile', constants: { MODE: 2, DIRECT, FLAGS }, uniforms: u(v0 > 0 ? 1 : 0), bindings: bindings(gChunk, gradHidden), workgroups: tiles(N, D) },
          { family: fam, entry: 'tile', constants: { MODE: 3, DIRECT, FLAGS }, uniforms: u(), bindings: bindings(gChunk, gradWeight), workgroups: tiles(chunk, D) },
        );
        if (gradBias) {
          dispatches.push({ family: fam, entry: 'dbias', constants: { FLAGS }, uniforms: u(), bindings: bindings(gChunk, gradBias), workgroups: lineGroups(ctx, chunk) });
        }
      }
    }

    const dtypes = LCE.dtypes({ H: hidden.dtype, Wm: weight.dtype });
    const typed = dispatches.map((d) => (d.family === fam ? { ...d, constants: { ...d.constants, ...dtypes } } : d));
    const { done } = await ctx.run('linearCrossEntropy', typed, undefined,
      invalid ? (enc) => enc.copyBufferToBuffer(scratch.buffer, scratch.offset + 8, invalid.buffer, 0, 4) : undefined);
    const scratchBytes = scratch.buffer.size + (gChunk ? gChunk.buffer.size : 0) + (cfg.reduction !== 'none' ? perRow.buffer.size : 0);
    const out: LinearCrossEntropyOutputs = { loss, scratchBytes };
    if (gradHidden) out.gradHidden = gradHidden;
    if (gradWeight) out.gradWeight = gradWeight;
    if (gradBias) out.gradBias = gradBias;
    if (invalid) out.invalidLabels = invalid;
    finishCall(out, done, temps);
    return out;
  }
}

/** The kernel's feature flags (override constants: each combination compiles once). */
function linearFlags(cfg: CrossEntropyConfig, bias: boolean): number {
  return (cfg.weighted ? F.WEIGHT : 0) | (bias ? F.BIAS : 0) | (cfg.softcap > 0 ? F.SOFTCAP : 0)
    | (cfg.smoothing > 0 ? F.LINEAR : 0) | (cfg.reduction === 'mean' ? F.MEAN : 0);
}

/** Pipelines of a linearCrossEntropy call with these options (for warmup). */
export function linearPipelines(ctx: GpuContext, opts: Omit<LinearCrossEntropyOptions, 'bias'>, bias: boolean): { entry: string; constants: Record<string, number> }[] {
  // No class count here: the weights' presence sets the flag, their length is not checked.
  const o = optionsObject(opts, GPU_LINEAR_KEYS);
  const base = parseLinearOptions({ ...o, weight: undefined }, 2, ['tiles']);
  const FLAGS = linearFlags({ ...base, weighted: o.weight !== undefined }, bias);
  const DIRECT = oneOf(o.tiles, ['staged', 'direct'] as const, 'options.tiles', defaultTiles(ctx)) === 'direct' ? 1 : 0;
  const modes = base.grad ? [0, 1, 2, 3] : [0];
  return [
    { entry: 'prepare', constants: { FLAGS } },
    { entry: 'combine', constants: { FLAGS } },
    ...modes.map((MODE) => ({ entry: 'tile', constants: { MODE, DIRECT, FLAGS } })),
    ...(base.grad && bias ? [{ entry: 'dbias', constants: { FLAGS } }] : []),
  ];
}
