import type { CrossEntropyOptions, HalfDType } from '../contract/types';
import { BufferError, OptionError, ShapeError } from '../contract/errors';
import type { GpuContext, TensorLike, Dispatch } from '../gpu/context';
import { GpuTensor } from '../gpu/tensor';
import { CROSS_ENTROPY_KEYS, parseCrossEntropyOptions, type CrossEntropyConfig } from '../contract/configs/cross-entropy';
import { bool, optionsObject } from '../contract/options';
import { checkLabels, matrixShape, refuseHalf } from '../contract/tensor';
import { rowChunks, reduceDispatch, finishCall, freeOnThrow, type Temps, argShape, matrixArgShape, checkRowBinding } from './common';
import { ceRowShapes, ceSlicing, crossEntropyLaunch, foldPrepare, prepareShape, SPLIT_SHAPE, splitLaunch, splitParts } from './launch';
import { CROSS_ENTROPY } from './layouts/cross-entropy';
import type { BoundRegion } from './layouts/layout';
import { REDUCE } from './layouts/reduce';
import { packedGrad } from './pack16';

// Host side of shaders/cross_entropy/ (+ reduce.wgsl): validate, choose the row kernel's
// shape, chunk rows past one storage binding, then prepare -> rows -> reduce in one submit.

/** GPU-only options on top of the shared ones. */
export interface GpuCrossEntropyOptions extends CrossEntropyOptions {
  /** Write the gradient over the input's own buffer (no extra rows×classes buffer). Input must be a GpuTensor. */
  inPlace?: boolean;
  /** Write the gradient here (a float32 tensor of the input's shape) instead of a new tensor. */
  gradOut?: GpuTensor;
}

/**
 * The tensors a loss call returns (crossEntropy, binaryCrossEntropy, entropy, klDivergence): the
 * loss, and the gradient and extras when asked. `WebGPULoss`'s calls also give it `dispose()`,
 * which frees them all.
 */
export interface LossOutputs {
  /** Shape [] for 'sum' / 'mean', [rows] for 'none'. */
  loss: GpuTensor<'float32'>;
  /**
   * d loss / d input, when `grad` was asked; the input tensor itself when `inPlace`. float32, or
   * with `gradDtype: 'input'` the input's dtype.
   */
  grad?: GpuTensor<'float32' | 'float16' | 'bfloat16'>;
  /** Per-row log-sum-exp in nats (logits input), with `extras`. */
  lse?: GpuTensor<'float32'>;
  /** Per-row argmax (int32), with `extras`. */
  argmax?: GpuTensor<'int32'>;
  /** Per-row 1 where argmax hits the label (int32, sparse labels), with `extras`. */
  correct?: GpuTensor<'int32'>;
  /** Per-row ln p of the label in nats (logits, sparse labels; 0 for ignored rows), with `extras`. */
  labelLogProb?: GpuTensor<'float32'>;
  /** Per-row entropy of the softmax in the call's base (logits), with `extras`. */
  entropy?: GpuTensor<'float32'>;
  /** Per-row 1 where fewer than k classes rank above the label (int32), with `extras` and `topK`. */
  topKHit?: GpuTensor<'int32'>;
  /** Labels on the GPU only: how many were outside [0, classes) and not ignored (int32, shape []). */
  invalidLabels?: GpuTensor<'int32'>;
}

const F = CROSS_ENTROPY.F;
const { META_WORDS, STATS_WORDS } = CROSS_ENTROPY.C;

// test/gpu/page.ts takes it from here.

/** The call's config: the shared one plus where the gradient goes. */
export interface GpuCrossEntropyConfig extends CrossEntropyConfig {
  readonly inPlace: boolean;
  readonly gradOut: GpuTensor | undefined;
  /** A gradient is written: `grad`, `inPlace` or `gradOut`. */
  readonly wantGrad: boolean;
}

/** Resolves the options once: the shared ones (as the oracle does) and the GPU-only ones. */
const GPU_ONLY_KEYS = ['inPlace', 'gradOut'];
const GPU_CE_KEYS = [...CROSS_ENTROPY_KEYS, ...GPU_ONLY_KEYS];

export function parseGpuCrossEntropyOptions(opts: GpuCrossEntropyOptions | undefined, classes: number): GpuCrossEntropyConfig {
  const o = optionsObject(opts, GPU_CE_KEYS);
  const cfg = parseCrossEntropyOptions(o, classes, GPU_ONLY_KEYS);
  const inPlace = bool(o.inPlace, 'options.inPlace');
  const gradOut = o.gradOut;
  if (gradOut !== undefined && !(gradOut instanceof GpuTensor)) throw new OptionError('options.gradOut', 'must be a GpuTensor');
  if (inPlace && gradOut) throw new OptionError('options.gradOut', 'cannot be combined with inPlace');
  return Object.freeze({ ...cfg, inPlace, gradOut, wantGrad: cfg.grad || inPlace || gradOut !== undefined });
}

export async function crossEntropyOp(ctx: GpuContext, inputArg: TensorLike, targetArg: TensorLike, opts: GpuCrossEntropyOptions = {}): Promise<LossOutputs> {
  ctx.checkAlive();
  const inShape = matrixArgShape(inputArg);
  const [rows, cols] = matrixShape(inShape, 'input');
  const cfg = parseGpuCrossEntropyOptions(opts, cols);
  const { gradOut } = cfg;
  const tShape = argShape(targetArg, 'target');
  // Labels drop the class axis: [rows] for a [rows, V] input, [] for a [V] input (PyTorch's rule).
  const sparse = tShape.length === inShape.length - 1;
  if (sparse) {
    if (tShape.length === 1 && tShape[0] !== rows) throw new ShapeError('target', `labels shape [${tShape.join(', ')}] must be [${rows}] (one label per input row)`);
  } else if (tShape.length !== inShape.length || tShape.some((d, i) => d !== inShape[i])) {
    throw new ShapeError('target', `dense target shape [${tShape.join(', ')}] must equal input shape [${inShape.join(', ')}]`);
  }
  if (cfg.topK > 0 && !sparse) throw new OptionError('options.topK', 'needs sparse labels (a label per row to rank), not dense targets');
  if (cfg.inPlace && !(inputArg instanceof GpuTensor)) throw new OptionError('options.inPlace', 'needs the input as a GpuTensor (host data has no GPU buffer to overwrite)');
  // The gradient is float32: it cannot overwrite 16-bit values in place.
  if (cfg.inPlace && inputArg.dtype !== 'float32') throw new OptionError('options.inPlace', `needs a float32 input (the gradient is float32), got ${inputArg.dtype}`);
  if (gradOut && cfg.gradDtype === 'input' && inputArg.dtype !== undefined && inputArg.dtype !== 'float32') {
    throw new OptionError('options.gradOut', "is a float32 tensor; with gradDtype 'input' the gradient is made in the input's dtype (leave gradOut out)");
  }
  if (gradOut && gradOut === inputArg) throw new OptionError('options.gradOut', 'is the input itself; use inPlace: true to write the gradient over the input');
  if (gradOut) {
    // Same checks as any GPU argument: device, not destroyed, float32, STORAGE usage, large enough.
    ctx.input(gradOut, 'options.gradOut', 'float32');
    const tb = targetArg instanceof GpuTensor ? targetArg.buffer : undefined;
    if (gradOut.buffer === tb) throw new OptionError('options.gradOut', "shares the target's buffer; the gradient needs a buffer of its own");
  }
  // Host labels are range-checked here; GPU-resident ones by the kernel (invalidLabels).
  if (sparse && !(targetArg instanceof GpuTensor)) {
    refuseHalf(targetArg, 'target', 'integer labels (Int32Array)');
    checkLabels(targetArg.data, cols, cfg.ignoreIndex, 'target');
  }
  // Labels, per-row losses and extras are bound whole.
  checkRowBinding(ctx, rows, 1, sparse ? 'target' : 'input');
  // extras: lse, argmax, correct; from logits ln p_y and entropy; the top-k hits.
  const extraWords = !cfg.extras ? 0 : cfg.from === 'probs' ? 3 : cfg.topK > 0 ? 6 : 5;
  if (cfg.extras) checkRowBinding(ctx, rows, extraWords, 'options.extras');
  if (gradOut) {
    const g = gradOut;
    if (g.shape.length !== inShape.length || g.shape.some((d, i) => d !== inShape[i])) throw new ShapeError('options.gradOut', `must have the input's shape [${inShape.join(', ')}], got [${g.shape.join(', ')}]`);
  }

  const temps: Temps = [];
  const made: GpuTensor[] = [];
  return freeOnThrow(temps, made, encodeCrossEntropy);

  async function encodeCrossEntropy(): Promise<LossOutputs> {
    const { t: input, temp: tmpIn } = ctx.floats(inputArg, 'input');
    if (tmpIn) temps.push(input);
    let { t: target, temp: tmpT } = sparse ? ctx.input(targetArg, 'target', 'int32') : ctx.floats(targetArg, 'target');
    if (tmpT) temps.push(target);
    let copyTarget: GpuTensor | undefined;
    if (target.buffer === input.buffer) {
      // Buffer copies move whole words.
      if (target.offset % 4 !== 0 || target.byteLength % 4 !== 0) throw new BufferError('target', `shares the input's buffer and is copied out of it, which needs whole 4-byte words (offset ${target.offset}, ${target.byteLength} bytes)`, 'BUFFER_USAGE');
      // The input is bound writable (for in-place gradients); a target sharing its buffer is read
      // from a copy made in the same submit.
      copyTarget = ctx.empty(target.shape, target.dtype, 'crossEntropy:targetCopy');
      temps.push(copyTarget);
    }
    const weight = cfg.weighted ? ctx.tensor(Float32Array.from(cfg.weight), [cols], 'float32', 'options.weight') : undefined;
    if (weight) temps.push(weight);

    const meta = ctx.empty([META_WORDS], 'int32', 'crossEntropy:meta');
    made.push(meta);
    const perRow = ctx.empty([rows], 'float32', 'crossEntropy:loss');
    made.push(perRow);
    const grad = !cfg.wantGrad ? undefined : cfg.inPlace ? input as GpuTensor<'float32'> : (gradOut as GpuTensor<'float32'> | undefined) ?? ctx.empty(inShape, 'float32', 'crossEntropy:grad');
    if (grad && grad !== input && grad.buffer === input.buffer) throw new OptionError('options.gradOut', 'shares the input\'s buffer; use inPlace instead');
    const extras = cfg.extras ? ctx.empty([extraWords * rows], 'int32', 'crossEntropy:extras') : undefined;
    if (extras) made.push(extras);
    if (grad && grad !== input && grad !== gradOut) made.push(grad);

    const flags = crossEntropyFlags(cfg, sparse);
    const dtypes = CROSS_ENTROPY.dtypes({ X: input.dtype, T: sparse ? undefined : target.dtype });
    const withFlags = (c: Record<string, number>) => ({ ...c, ...dtypes, FLAGS: flags });
    const tSrc = copyTarget ?? target;
    const wBind = weight ? ctx.bind(weight).binding : ctx.dummy('read');
    const metaB = ctx.bind(meta).binding;
    const lossB = ctx.bind(perRow).binding;
    const exB = extras ? ctx.bind(extras).binding : ctx.dummy('extras');
    const slicing = ceSlicing(ctx);
    const uniforms = (row0: number, count: number, xBase: number, tBase: number, gBase: number, split = 1, foldPrep = 0) => CROSS_ENTROPY.uniforms({
      rows: count, cols, x_base: xBase, t_base: tBase, g_base: gBase, row0, total_rows: rows, slicing,
      ignore_index: cfg.ignoreIndex, smoothing: cfg.smoothing, zloss: cfg.zLoss, softcap: cfg.softcap, eps: cfg.epsilon,
      out_scale: 1 / cfg.divisor, split, fold_prep: foldPrep, topk: cfg.topK,
    });

    const chunks = rowChunks(ctx, rows, cols);
    // Not in place: a split row's columns are written by other workgroups while part 0 still
    // reads the label's logit.
    const split = cfg.from === 'logits' && !cfg.inPlace ? splitParts(ctx, chunks[0].count, cols) : 1;
    const part = split > 1 ? ctx.empty([chunks[0].count * split * STATS_WORDS], 'int32', 'crossEntropy:parts') : undefined;
    if (part) temps.push(part);
    const partB = part ? ctx.bind(part).binding : ctx.dummy('parts');
    const bindings = (X: BoundRegion, T: BoundRegion, G: BoundRegion | undefined) => CROSS_ENTROPY.bindings({
      X, T, Wt: wBind, META: metaB, LOSS: lossB, G: G ?? ctx.dummy('grad'), EXTRA: exB, PART: partB,
    });
    const dispatches: Dispatch[] = [];
    // Without the gradient and without F_LINEAR no row reads META, so the first chunk's `main`
    // runs prepare in its workgroup 0 (one dispatch less; split rows keep their own dispatches).
    const foldPrep = !cfg.wantGrad && !(flags & F.LINEAR) && split === 1 && chunks[0].count > 0
      && foldPrepare(ctx, rows, chunks[0].count, cols);
    if (!foldPrep) {
      // prepare: labels bound whole (sparse); dense targets are not read by it.
      const tb = sparse ? ctx.bind(tSrc) : ctx.bind(tSrc, 0, Math.min(tSrc.size, chunks[0].count * cols));
      const xb = ctx.bind(input, 0, Math.min(input.size, chunks[0].count * cols));
      dispatches.push({
        family: 'crossEntropy', entry: 'prepare', constants: withFlags(prepareShape(ctx)),
        uniforms: uniforms(0, rows, xb.base, tb.base, 0), bindings: bindings(xb.binding, tb.binding, undefined), workgroups: 1,
      });
    }
    for (const { row0, count } of chunks) {
      if (count === 0) continue;
      const xb = ctx.bind(input, row0 * cols, count * cols);
      const tb = sparse ? ctx.bind(tSrc) : ctx.bind(tSrc, row0 * cols, count * cols);
      const gb = grad && grad !== input ? ctx.bind(grad, row0 * cols, count * cols) : undefined;
      const u = uniforms(row0, count, xb.base, sparse ? tb.base + row0 : tb.base, gb ? gb.base : 0, split, foldPrep && row0 === 0 ? 1 : 0);
      const b = bindings(xb.binding, tb.binding, gb?.binding);
      if (split > 1) {
        // Few long rows: each row's parts go to separate workgroups, twice (stats, then the rest).
        const l = splitLaunch(ctx, count, split);
        const launch = { constants: withFlags(l.constants), workgroups: l.workgroups };
        dispatches.push({ family: 'crossEntropy', entry: 'partial', ...launch, uniforms: u, bindings: b });
        dispatches.push({ family: 'crossEntropy', entry: 'main', ...launch, uniforms: u, bindings: b });
      } else {
        const l = crossEntropyLaunch(ctx, cols, count);
        dispatches.push({ family: 'crossEntropy', entry: 'main', constants: withFlags(l.constants), workgroups: l.workgroups, uniforms: u, bindings: b });
      }
    }
    let loss = perRow;
    if (cfg.reduction !== 'none') {
      loss = ctx.empty([], 'float32', 'crossEntropy:reduced');
      made.push(loss);
      dispatches.push(reduceDispatch(ctx, perRow, meta, loss, cfg.reduction === 'mean' ? REDUCE.C.MODE_MEAN_META : REDUCE.C.MODE_SUM, cfg.allIgnored === 'zero'));
      temps.push(perRow);
    }

    // gradDtype 'input': the float32 gradient, packed into the input's dtype in the same submit.
    const grad16 = packedGrad(ctx, cfg.gradDtype, input, grad, 'crossEntropy', dispatches, made, temps);
    const { done } = await ctx.run('crossEntropy', dispatches, copyTarget ? (enc) => enc.copyBufferToBuffer(target.buffer, target.offset, copyTarget.buffer, 0, target.byteLength) : undefined);
    const out: LossOutputs = { loss };
    if (grad) out.grad = grad16 ?? grad;
    if (extras) {
      const dtypes = ['float32', 'int32', 'int32', 'float32', 'float32', 'int32'] as const;
      const [lse, argmax, correct, labelLogProb, entropy, topKHit] = ctx.split(extras, dtypes.slice(0, extraWords).map((dtype, i) => ({ elemOffset: i * rows, shape: [rows], dtype })));
      if (cfg.from === 'logits') out.lse = lse as GpuTensor<'float32'>;
      else lse.destroy();
      out.argmax = argmax as GpuTensor<'int32'>;
      if (sparse) out.correct = correct as GpuTensor<'int32'>;
      else correct.destroy();
      if (entropy) out.entropy = entropy as GpuTensor<'float32'>;
      if (labelLogProb && sparse) out.labelLogProb = labelLogProb as GpuTensor<'float32'>;
      else labelLogProb?.destroy();
      if (topKHit) out.topKHit = topKHit as GpuTensor<'int32'>;
    }
    // META[2]: the labels out of range (shaders/label_scan.wgsl).
    // Only labels on the GPU can be out of range here (host labels were checked before anything ran).
    const [invalid] = ctx.split(meta, [{ elemOffset: 2, shape: [], dtype: 'int32' }]);
    if (sparse && targetArg instanceof GpuTensor) out.invalidLabels = invalid as GpuTensor<'int32'>;
    else invalid.destroy();
    finishCall(out, done, temps);
    return out;
    }
  }

/**
 * The kernel's feature flags for a call: override constants, so each feature combination compiles
 * once and its row loops carry no branch for features it does not use.
 */
export function crossEntropyFlags(cfg: GpuCrossEntropyConfig, sparse: boolean): number {
  return (sparse ? F.SPARSE : 0) | (cfg.from === 'probs' ? F.PROBS : 0) | (cfg.weighted ? F.WEIGHT : 0)
    | (cfg.wantGrad ? F.GRAD : 0) | (cfg.inPlace ? F.INPLACE : 0) | (cfg.extras ? F.EXTRAS : 0)
    | (cfg.normalize ? F.NORMALIZE : 0) | (cfg.reduction === 'mean' ? F.MEAN : 0)
    | (cfg.softcap > 0 ? F.SOFTCAP : 0) | (cfg.smoothing > 0 || !sparse ? F.LINEAR : 0);
}

/** Pipelines of a cross-entropy call with these options (for warmup). */
export function crossEntropyPipelines(ctx: GpuContext, opts: GpuCrossEntropyOptions, sparse: boolean, dtype?: HalfDType): { entry: string; constants: Record<string, number> }[] {
  // No class count here: the weights' presence sets the flag, their length is not checked.
  const o = optionsObject(opts, GPU_CE_KEYS);
  const cfg = parseGpuCrossEntropyOptions({ ...o, weight: undefined }, 2);
  const FLAGS = crossEntropyFlags({ ...cfg, weighted: o.weight !== undefined }, sparse);
  const dtypes = CROSS_ENTROPY.dtypes({ X: dtype, T: sparse ? undefined : dtype });
  return [
    { entry: 'prepare', constants: { ...prepareShape(ctx), ...dtypes, FLAGS } },
    { entry: 'partial', constants: { ...SPLIT_SHAPE, ...dtypes, FLAGS } },
    ...ceRowShapes(ctx).map((c) => ({ entry: 'main', constants: { ...c, ...dtypes, FLAGS } })),
  ];
}
