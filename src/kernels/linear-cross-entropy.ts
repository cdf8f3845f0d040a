import { BufferError, OptionError } from '../contract/errors';
import type { GpuContext, TensorLike, Dispatch } from '../gpu/context';
import { GpuTensor } from '../gpu/tensor';
import { LINEAR_KEYS, linearShapes, parseLinearOptions } from '../contract/configs/linear-cross-entropy';
import type { LinearConfig } from '../contract/configs/linear-cross-entropy';
import { oneOf, optionsObject } from '../contract/options';
import type { HalfDType, LinearOptions } from '../contract/types';
import { checkLabels, refuseHalf } from '../contract/tensor';
import { uploadsTo, reduceDispatch, finishCall, freeOnThrow, argShape, type Temps } from './common';
import { defaultTiles, forwardGroups, forwardSplitsWanted, lineGroups, tileGroups } from './launch';
import { LINEAR_CROSS_ENTROPY as LCE } from './layouts/linear-cross-entropy';
import type { BoundRegion } from './layouts/layout';
import { REDUCE } from './layouts/reduce';

// Host side of shaders/linear_cross_entropy/ (+ reduce.wgsl): validate, size the forward's
// vocabulary splits and the backward's vocabulary chunks, then prepare -> forward tiles ->
// combine -> reduce -> (per chunk: logit gradient, dH, dW, db) in one submit. No buffer of N×V
// elements is made: the forward keeps 4 words per (row, split), the backward one [N, vc] chunk.
// frozenHead drops dW and db (no buffers, no dispatches); extras (8 words per (row, split)) are
// written by combine into a [5, N] staging buffer and copied out, one tensor each; shift is the
// kernel's label(); memoryBudget sizes the splits and the chunk (linearScratch).

/** linearCrossEntropy options: crossEntropy's for sparse labels from logits, plus the bias. */
export interface LinearCrossEntropyOptions extends LinearOptions {
  /** Classifier bias, shape [V] (host data or a GpuTensor). */
  bias?: TensorLike;
  /**
   * @internal Tile kernel: 'staged' (workgroup memory, the GPU choice) or 'direct' (no barriers,
   * the CPU-adapter choice). Default: by adapter. Tests use it to run both on one adapter.
   */
  tiles?: 'staged' | 'direct';
  /** @internal With gradFilter: also return `gradFilterLive`, the tile mask (tests count the skipped tiles). */
  filterMask?: boolean;
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
  /** d loss / d weight, [V, D], with `grad` (not with `frozenHead`). */
  gradWeight?: GpuTensor<'float32'>;
  /** d loss / d bias, [V], with `grad` and a bias (not with `frozenHead`). */
  gradBias?: GpuTensor<'float32'>;
  /** With `extras`: ln p of the scored label per row, in nats (0 on ignored rows), [N]. */
  labelLogProb?: GpuTensor<'float32'>;
  /** With `extras`: per-row log-sum-exp of the (capped) logits, in nats, [N]. */
  lse?: GpuTensor<'float32'>;
  /** With `extras`: per-row argmax (int32, first maximum of the uncapped logits), [N]. */
  argmax?: GpuTensor<'int32'>;
  /** With `extras`: per-row 1 where argmax is the scored label, 0 otherwise and on ignored rows (int32), [N]. */
  correct?: GpuTensor<'int32'>;
  /** With `extras`: per-row entropy of the softmax, in the call's base, [N]. */
  entropy?: GpuTensor<'float32'>;
  /** With labels on the GPU: labels outside [0, V) and not ignored (int32, shape []). */
  invalidLabels?: GpuTensor<'int32'>;
  /** @internal With gradFilter and `filterMask`: 1 per live 32×32 tile of the logit gradient, 0 per skipped one, [⌈N/32⌉, ⌈V/32⌉]. */
  gradFilterLive?: GpuTensor<'int32'>;
  /** Bytes of the call's own scratch buffers (partials, row stats, the gradient chunk, uploads excluded); at most `memoryBudget`. */
  scratchBytes: number;
}

/** The GPU adds the choice of tile kernel (tests run both on one adapter). */
const GPU_LINEAR_KEYS = [...LINEAR_KEYS, 'tiles', 'filterMask'];

const F = LCE.F;
const { TILE, META_WORDS, ROW_WORDS, PART_WORDS, PART_WORDS_X, EXTRA_WORDS } = LCE.C;
/** The backward's vocabulary chunk is at most 1/CHUNKS_MIN of V (memory) and at least MIN_CHUNK classes (work per dispatch). */
const CHUNKS_MIN = 32;
const MIN_CHUNK = 512;

const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;
/** Bytes of a buffer of `words` 4-byte words as the engine allocates it (TensorStore.empty). */
const bufferBytes = (words: number) => Math.max(16, roundUp(words * 4, 16));
/** Words of the gradient filter's tile mask (after the chunk in its buffer), 0 without the filter. */
const maskWords = (n: number, v: number, cfg: LinearConfig) => (cfg.grad && cfg.gradFilter > 0 ? Math.ceil(n / TILE) * Math.ceil(v / TILE) : 0);

/**
 * Vocabulary splits of the forward: as many as the launch policy wants (forwardSplitsWanted), each
 * whole tiles, and few enough for the scratch buffer to fit one binding.
 */
export function forwardSplits(ctx: GpuContext, n: number, v: number, direct: boolean, partWords = PART_WORDS, budget = Infinity): { nsplit: number; splitW: number } {
  // The scratch buffer (META, row stats, partials) is bound whole: its splits must fit one binding.
  const metaBytes = 4 * META_WORDS;
  const bytes = (splits: number) => bufferBytes(META_WORDS + ROW_WORDS * n + partWords * n * splits);
  let fit = Math.floor((ctx.maxBindingBytes - metaBytes - 4 * ROW_WORDS * n) / (4 * partWords * n));
  if (fit < 1) throw new BufferError('hidden', `${n} rows need ${metaBytes + 4 * (ROW_WORDS + partWords) * n} bytes of row statistics in one storage binding; this device's limit is ${ctx.maxBindingBytes} bytes. Split the rows across calls`, 'TOO_LARGE');
  while (fit > 1 && bytes(fit) > budget) fit = Math.max(1, Math.min(fit - 1, Math.floor(fit * (budget / bytes(fit)))));
  const want = Math.max(1, Math.min(forwardSplitsWanted(ctx, n, direct), Math.ceil(v / TILE), fit));
  const splitW = roundUp(Math.ceil(v / want), TILE);
  return { nsplit: Math.ceil(v / splitW), splitW };
}

/**
 * Classes per backward chunk: V/32 (so the [N, vc] gradient chunk is ≥ 32× smaller than the
 * logits would be), at least 512, and small enough for one storage binding.
 */
export function backwardChunk(ctx: GpuContext, n: number, v: number, budget?: number, mask = 0): number {
  // The filter's mask shares the chunk's buffer (and binding).
  const fit = Math.floor((ctx.maxBindingBytes - ctx.limits.minStorageBufferOffsetAlignment - 4 * mask) / (4 * n) / TILE) * TILE;
  if (fit < TILE) throw new BufferError('hidden', `${n} rows are too many for one gradient chunk of ${TILE} classes within the binding limit (${ctx.maxBindingBytes} bytes)`, 'TOO_LARGE');
  // With a budget: the largest chunk it holds (buffer sizes are multiples of 16 bytes).
  const want = budget === undefined ? roundUp(Math.max(MIN_CHUNK, Math.ceil(v / CHUNKS_MIN)), TILE) : Math.floor((Math.floor(budget / 16) * 4 - mask) / n / TILE) * TILE;
  return Math.min(want, roundUp(v, TILE), fit);
}

/**
 * Sizes of a call's scratch: forward splits, backward chunk (0 without a gradient) and the bytes
 * they take with the fixed buffers (the unreduced losses, the extras' staging). Without a budget:
 * the default chunking; with one, the forward keeps what it wants of the budget but the smallest
 * chunk, and the backward chunk takes the rest.
 */
export function linearScratch(ctx: GpuContext, n: number, v: number, direct: boolean, cfg: LinearConfig): { nsplit: number; splitW: number; vc: number; fixedBytes: number } {
  const pw = cfg.extras ? PART_WORDS_X : PART_WORDS;
  const fixedBytes = (cfg.reduction !== 'none' ? bufferBytes(n) : 0) + (cfg.extras ? bufferBytes(EXTRA_WORDS * n) : 0);
  const budget = cfg.memoryBudget;
  const mask = maskWords(n, v, cfg);
  if (budget === undefined) {
    const vc = cfg.grad ? backwardChunk(ctx, n, v, undefined, mask) : 0;
    return { ...forwardSplits(ctx, n, v, direct, pw), vc, fixedBytes };
  }
  const minChunk = cfg.grad ? bufferBytes(n * Math.min(TILE, roundUp(v, TILE)) + mask) : 0;
  const minForward = bufferBytes(META_WORDS + (ROW_WORDS + pw) * n);
  const least = fixedBytes + minForward + minChunk;
  if (budget < least) throw new OptionError('options.memoryBudget', `is ${budget} bytes; ${n} rows need at least ${least} bytes of scratch (row statistics${cfg.grad ? `, a gradient chunk of ${TILE} classes` : ''}${mask ? ', the gradient filter\'s tile mask' : ''})`);
  const fwd = forwardSplits(ctx, n, v, direct, pw, budget - fixedBytes - minChunk);
  const fwdBytes = bufferBytes(META_WORDS + ROW_WORDS * n + pw * n * fwd.nsplit);
  const vc = cfg.grad ? Math.max(Math.min(TILE, roundUp(v, TILE)), backwardChunk(ctx, n, v, budget - fixedBytes - fwdBytes, mask)) : 0;
  return { ...fwd, vc, fixedBytes };
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
  const cfg = parseLinearOptions(o, V, ['tiles', 'filterMask'], N);
  const wantMask = o.filterMask === true && cfg.gradFilter > 0;
  if (!(labelsArg instanceof GpuTensor)) {
    refuseHalf(labelsArg, 'labels', 'integer labels (Int32Array)');
    checkLabels(labelsArg.data, V, cfg.ignoreIndex, 'labels');
  }
  // hidden and weight are bound whole: each must fit one storage binding.
  const bindMax = ctx.maxBindingBytes - ctx.limits.minStorageBufferOffsetAlignment;
  for (const [name, bytes] of [['hidden', N * D * 4], ['weight', V * D * 4]] as const) {
    if (bytes > bindMax) throw new BufferError(name, `${bytes} bytes exceed one storage binding (${ctx.maxBindingBytes} bytes); split the ${name === 'hidden' ? 'rows' : 'vocabulary'} across calls`, 'TOO_LARGE');
  }
  // The extras are staged in one [5, N] buffer, bound whole.
  if (cfg.extras && 4 * EXTRA_WORDS * N > bindMax) throw new BufferError('options.extras', `${N} rows need ${4 * EXTRA_WORDS * N} bytes of per-row outputs in one storage binding (${ctx.maxBindingBytes} bytes); split the rows across calls`, 'TOO_LARGE');
  const tiles = oneOf(o.tiles, ['staged', 'direct'] as const, 'options.tiles', defaultTiles(ctx));
  const direct = tiles === 'direct';
  const DIRECT = direct ? 1 : 0;
  const { nsplit, splitW, vc } = linearScratch(ctx, N, V, direct, cfg);
  const trainHead = cfg.grad && !cfg.frozenHead;

  const temps: Temps = [];
  const made: GpuTensor[] = [];
  return freeOnThrow(temps, made, encode);

  async function encode(): Promise<LinearCrossEntropyOutputs> {
    const own = uploadsTo(temps);
    const input = (arg: TensorLike, name: string, dtype: 'float32' | 'int32') => own(ctx.input(arg, name, dtype));
    // hidden states and weights: float32, float16 or bfloat16 (read through load_H / load_Wm).
    const floatInput = (arg: TensorLike, name: string) => own(ctx.floats(arg, name));
    const hidden = floatInput(hiddenArg, 'hidden');
    const weight = floatInput(weightArg, 'weight');
    const labels = input(labelsArg, 'labels', 'int32');
    const bias = biasArg !== undefined ? input(biasArg, 'options.bias', 'float32') : undefined;
    const classW = cfg.weighted ? ctx.tensor(Float32Array.from(cfg.weight), [V], 'float32', 'options.weight') : undefined;
    if (classW) temps.push(classW);

    const partBase = META_WORDS + ROW_WORDS * N;
    const scratch = ctx.empty([partBase + (cfg.extras ? PART_WORDS_X : PART_WORDS) * N * nsplit], 'int32', 'linearCrossEntropy:scratch');
    temps.push(scratch);
    // GPU labels: META[2] (bad labels) is copied out at the end, so the scratch buffer is not
    // kept alive by a 4-byte counter.
    const invalid = labelsArg instanceof GpuTensor ? ctx.empty([], 'int32', 'linearCrossEntropy:invalidLabels') : undefined;
    if (invalid) made.push(invalid);
    const perRow = ctx.empty([N], 'float32', 'linearCrossEntropy:loss');
    made.push(perRow);
    // With gradFilter, the tile mask follows the chunk (zero on creation; MODE 1 marks live tiles).
    const mask = maskWords(N, V, cfg);
    const gChunk = cfg.grad ? ctx.empty([N * vc + mask], 'float32', 'linearCrossEntropy:gradChunk') : undefined;
    if (gChunk) temps.push(gChunk);
    const gradHidden = cfg.grad ? ctx.empty([N, D], 'float32', 'linearCrossEntropy:gradHidden') : undefined;
    const gradWeight = trainHead ? ctx.empty([V, D], 'float32', 'linearCrossEntropy:gradWeight') : undefined;
    const gradBias = trainHead && bias ? ctx.empty([V], 'float32', 'linearCrossEntropy:gradBias') : undefined;
    for (const t of [gradHidden, gradWeight, gradBias]) if (t) made.push(t);
    // Extras: combine writes [5, N] into a staging buffer, copied out into one tensor each.
    const staged = cfg.extras ? ctx.empty([EXTRA_WORDS * N], 'int32', 'linearCrossEntropy:extras') : undefined;
    if (staged) temps.push(staged);
    const extraNames = ['labelLogProb', 'lse', 'entropy', 'argmax', 'correct'] as const;
    const extras = staged
      ? extraNames.map((name, i) => ctx.empty([N], i < 3 ? 'float32' : 'int32', `linearCrossEntropy:${name}`))
      : [];
    made.push(...extras);

    const FLAGS = linearFlags(cfg, bias !== undefined);
    const hB = ctx.bind(hidden);
    const wB = ctx.bind(weight);
    const bB = bias ? ctx.bind(bias) : undefined;
    const lB = ctx.bind(labels);
    const uniforms = (v0 = 0, chunk = 0, accumulate = 0) => LCE.uniforms({
      n: N, v: V, d: D, ignore_index: cfg.ignoreIndex, v0, vc: chunk, gstride: vc, nsplit, split_w: splitW, accumulate,
      h_base: hB.base, w_base: wB.base, b_base: bB ? bB.base : 0, l_base: lB.base, part_base: partBase, seq: cfg.sequenceLength,
      smoothing: cfg.smoothing, zloss: cfg.zLoss, softcap: cfg.softcap, out_scale: 1 / cfg.divisor, filter_eps: cfg.gradFilter,
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
      { family: fam, entry: 'combine', constants: { FLAGS }, uniforms: uniforms(), bindings: bindings(staged, perRow),
        workgroups: lineGroups(ctx, N) },
    ];
    let loss = perRow;
    if (cfg.reduction !== 'none') {
      loss = ctx.empty([], 'float32', 'linearCrossEntropy:reduced');
      made.push(loss);
      dispatches.push(reduceDispatch(ctx, perRow, scratch, loss, cfg.reduction === 'mean' ? REDUCE.C.MODE_MEAN_META : REDUCE.C.MODE_SUM, cfg.allIgnored === 'zero'));
      temps.push(perRow);
    }
    if (gChunk && gradHidden) {
      for (let v0 = 0; v0 < V; v0 += vc) {
        const chunk = Math.min(vc, V - v0);
        const u = (acc = 0) => uniforms(v0, chunk, acc);
        dispatches.push(
          { family: fam, entry: 'tile', constants: { MODE: 1, DIRECT, FLAGS }, uniforms: u(), bindings: bindings(gChunk, undefined), workgroups: tiles(N, chunk) },
          { family: fam, entry: 'tile', constants: { MODE: 2, DIRECT, FLAGS }, uniforms: u(v0 > 0 ? 1 : 0), bindings: bindings(gChunk, gradHidden), workgroups: tiles(N, D) },
        );
        if (gradWeight) {
          dispatches.push({ family: fam, entry: 'tile', constants: { MODE: 3, DIRECT, FLAGS }, uniforms: u(), bindings: bindings(gChunk, gradWeight), workgroups: tiles(chunk, D) });
        }
        if (gradBias) {
          dispatches.push({ family: fam, entry: 'dbias', constants: { FLAGS }, uniforms: u(), bindings: bindings(gChunk, gradBias), workgroups: lineGroups(ctx, chunk) });
        }
      }
    }

    const liveOut = wantMask && gChunk ? ctx.empty([Math.ceil(N / TILE), Math.ceil(V / TILE)], 'int32', 'linearCrossEntropy:gradFilterLive') : undefined;
    if (liveOut) made.push(liveOut);
    const dtypes = LCE.dtypes({ H: hidden.dtype, Wm: weight.dtype });
    const typed = dispatches.map((d) => (d.family === fam ? { ...d, constants: { ...d.constants, ...dtypes } } : d));
    const { done } = await ctx.run('linearCrossEntropy', typed, undefined, invalid || staged || liveOut ? (enc) => {
      if (invalid) enc.copyBufferToBuffer(scratch.buffer, scratch.offset + 8, invalid.buffer, 0, 4);
      if (liveOut && gChunk) enc.copyBufferToBuffer(gChunk.buffer, gChunk.offset + 4 * N * vc, liveOut.buffer, 0, 4 * mask);
      if (staged) extras.forEach((t, i) => enc.copyBufferToBuffer(staged.buffer, staged.offset + 4 * N * i, t.buffer, 0, 4 * N));
    } : undefined);
    const scratchBytes = scratch.buffer.size + (gChunk ? gChunk.buffer.size : 0) + (cfg.reduction !== 'none' ? perRow.buffer.size : 0)
      + (staged ? staged.buffer.size : 0);
    const out: LinearCrossEntropyOutputs = { loss, scratchBytes };
    if (gradHidden) out.gradHidden = gradHidden;
    if (gradWeight) out.gradWeight = gradWeight;
    if (gradBias) out.gradBias = gradBias;
    if (invalid) out.invalidLabels = invalid;
    if (liveOut) out.gradFilterLive = liveOut;
    if (staged) {
      const [labelLogProb, lse, entropy, argmax, correct] = extras;
      Object.assign(out, { labelLogProb, lse, entropy, argmax, correct });
    }
    finishCall(out, done, temps);
    return out;
  }
}

/** The kernel's feature flags (override constants: each combination compiles once). */
function linearFlags(cfg: LinearConfig, bias: boolean): number {
  return (cfg.weighted ? F.WEIGHT : 0) | (bias ? F.BIAS : 0) | (cfg.softcap > 0 ? F.SOFTCAP : 0)
    | (cfg.smoothing > 0 ? F.LINEAR : 0) | (cfg.reduction === 'mean' ? F.MEAN : 0)
    | (cfg.shift ? F.SHIFT : 0) | (cfg.extras ? F.EXTRAS : 0) | (cfg.grad && cfg.gradFilter > 0 ? F.FILTER : 0);
}

/** Pipelines of a linearCrossEntropy call with these options (for warmup). */
export function linearPipelines(ctx: GpuContext, opts: Omit<LinearCrossEntropyOptions, 'bias'>, bias: boolean, dtype?: HalfDType): { entry: string; constants: Record<string, number> }[] {
  // No class count here: the weights' presence sets the flag, their length is not checked.
  const o = optionsObject(opts, GPU_LINEAR_KEYS);
  const base = parseLinearOptions({ ...o, weight: undefined }, 2, ['tiles', 'filterMask']);
  const FLAGS = linearFlags({ ...base, weighted: o.weight !== undefined }, bias);
  const DIRECT = oneOf(o.tiles, ['staged', 'direct'] as const, 'options.tiles', defaultTiles(ctx)) === 'direct' ? 1 : 0;
  const trainHead = base.grad && !base.frozenHead;
  const modes = base.grad ? (trainHead ? [0, 1, 2, 3] : [0, 1, 2]) : [0];
  const dtypes = LCE.dtypes({ H: dtype, Wm: dtype });
  return [
    { entry: 'prepare', constants: { FLAGS, ...dtypes } },
    { entry: 'combine', constants: { FLAGS, ...dtypes } },
    ...modes.map((MODE) => ({ entry: 'tile', constants: { MODE, DIRECT, FLAGS, ...dtypes } })),
    ...(trainHead && bias ? [{ entry: 'dbias', constants: { FLAGS, ...dtypes } }] : []),
  ];
}
