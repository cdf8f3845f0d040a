import type { BinaryFocalLossOptions, FocalLossOptions } from '../contract/types';
import { ShapeError } from '../contract/errors';
import type { GpuContext, TensorLike, Dispatch } from '../gpu/context';
import { GpuTensor } from '../gpu/tensor';
import { parseBinaryFocalOptions, parseFocalOptions } from '../contract/configs/focal';
import { checkLabels, formatShape, matrixShape, refuseHalf, sameShape } from '../contract/tensor';
import { rowChunks, reduceDispatch, finishCall, freeOnThrow, type Temps, argShape, matrixArgShape, checkRowBinding, elementwisePlan } from './common';
import { bceWG, prepareShape, rowLaunch } from './launch';
import { BINARY_FOCAL, FOCAL } from './layouts/focal';
import { REDUCE } from './layouts/reduce';
import type { LossOutputs } from './cross-entropy';
import { packedGrad } from './pack16';

// Host side of shaders/focal/: binary focal loss (elementwise, as binary cross-entropy: elements
// -> workgroup partials -> reduce) and softmax focal loss (prepare -> rows -> reduce, rows shaped
// by rowLaunch: a thread per row for short rows, else a workgroup per row), in one submit each.

/**
 * Binary focal loss over a [rows, cols] logits input and targets of its shape; see
 * shaders/focal/binary.wgsl. `loss` has shape [] for 'sum' / 'mean' and [rows, cols] for 'none'.
 */
export async function binaryFocalOp(ctx: GpuContext, inputArg: TensorLike, targetArg: TensorLike, opts: BinaryFocalLossOptions = {}): Promise<LossOutputs> {
  ctx.checkAlive();
  // The oracle's order: the input, then the options, then the target.
  const inShape = matrixArgShape(inputArg);
  const [rows, cols] = matrixShape(inShape, 'input');
  const cfg = parseBinaryFocalOptions(opts);
  const tShape = argShape(targetArg, 'target');
  if (!sameShape(tShape, inShape)) throw new ShapeError('target', `shape ${formatShape(tShape)} must equal input shape ${formatShape(inShape)}`);
  const F = BINARY_FOCAL.F;

  const chunks = rowChunks(ctx, rows, cols);
  const temps: Temps = [];
  const made: GpuTensor[] = [];
  return freeOnThrow(temps, made, async () => {
    const { t: input, temp: tmpIn } = ctx.floats(inputArg, 'input');
    if (tmpIn) temps.push(input);
    const { t: target, temp: tmpT } = ctx.floats(targetArg, 'target');
    if (tmpT) temps.push(target);

    const n = rows * cols;
    const sums = cfg.reduction !== 'none';
    const scale = (cfg.reduction === 'mean' ? 1 / n : 1) / cfg.divisor;
    const flags = (cfg.alpha >= 0 ? F.ALPHA : 0) | (cfg.grad ? F.GRAD : 0);
    const WG = bceWG(ctx);
    const plan = elementwisePlan(ctx, 'binaryFocalLoss', input, target, inShape, rows, cols, chunks, sums, cfg.grad, WG, made, temps);
    const grad = plan.grad;
    const dispatches: Dispatch[] = plan.chunks.map((c) => ({
      family: 'binaryFocal', entry: 'main', constants: { WG, SUMS: sums ? 1 : 0, ...BINARY_FOCAL.dtypes({ X: input.dtype, T: target.dtype }), FLAGS: flags },
      uniforms: BINARY_FOCAL.uniforms({
        n: c.len, x_base: c.x.base, t_base: c.t.base, out_base: c.outBase, g_base: c.g ? c.g.base : 0,
        alpha: Math.max(cfg.alpha, 0), gamma: cfg.gamma, scale,
      }),
      bindings: BINARY_FOCAL.bindings({ X: c.x.binding, T: c.t.binding, OUT: c.out.binding, G: c.g ? c.g.binding : ctx.dummy('grad') }),
      workgroups: c.workgroups,
    }));
    // The partials already carry 1/n (mean): the reduction is a plain sum.
    const loss = plan.finish(dispatches);
    const grad16 = packedGrad(ctx, cfg.gradDtype, input, grad, 'binaryFocalLoss', dispatches, made, temps);
    const { done } = await ctx.run('binaryFocalLoss', dispatches);
    const out: LossOutputs = { loss };
    if (grad) out.grad = grad16 ?? grad;
    finishCall(out, done, temps);
    return out;
  });
}

/**
 * Softmax focal loss of [rows, V] logits against sparse labels [rows] (int32) or dense targets of
 * the input's shape; see shaders/focal/main.wgsl. `loss` has shape [] for 'sum' / 'mean', [rows] for 'none'.
 */
export async function focalOp(ctx: GpuContext, inputArg: TensorLike, targetArg: TensorLike, opts: FocalLossOptions = {}): Promise<LossOutputs> {
  ctx.checkAlive();
  const inShape = matrixArgShape(inputArg);
  const [rows, cols] = matrixShape(inShape, 'input');
  const cfg = parseFocalOptions(opts, cols);
  const tShape = argShape(targetArg, 'target');
  // Labels drop the class axis: [rows] for a [rows, V] input, [] for a [V] input (as crossEntropy).
  const sparse = tShape.length === inShape.length - 1;
  if (sparse) {
    if (tShape.length === 1 && tShape[0] !== rows) throw new ShapeError('target', `labels shape [${tShape.join(', ')}] must be [${rows}] (one label per input row)`);
  } else if (!sameShape(tShape, inShape)) {
    throw new ShapeError('target', `dense target shape [${tShape.join(', ')}] must equal input shape [${inShape.join(', ')}]`);
  }
  // Host labels are range-checked here; GPU-resident ones by prepare (invalidLabels).
  if (sparse && !(targetArg instanceof GpuTensor)) {
    refuseHalf(targetArg, 'target', 'integer labels (Int32Array)');
    checkLabels(targetArg.data, cols, cfg.ignoreIndex, 'target');
  }
  const chunks = rowChunks(ctx, rows, cols);
  checkRowBinding(ctx, rows, 1, sparse ? 'target' : 'input');
  const F = FOCAL.F;

  const temps: Temps = [];
  const made: GpuTensor[] = [];
  return freeOnThrow(temps, made, async () => {
    const { t: input, temp: tmpIn } = ctx.floats(inputArg, 'input');
    if (tmpIn) temps.push(input);
    const { t: target, temp: tmpT } = sparse ? ctx.input(targetArg, 'target', 'int32') : ctx.floats(targetArg, 'target');
    if (tmpT) temps.push(target);
    const alpha = cfg.alphaPerClass ? ctx.tensor(Float32Array.from(cfg.alpha), [cols], 'float32', 'options.alpha') : undefined;
    if (alpha) temps.push(alpha);

    const meta = ctx.empty([4], 'int32', 'focalLoss:meta');
    made.push(meta);
    const perRow = ctx.empty([rows], 'float32', 'focalLoss:loss');
    made.push(perRow);
    const grad = cfg.grad ? ctx.empty(inShape, 'float32', 'focalLoss:grad') : undefined;
    if (grad) made.push(grad);
    const mean = cfg.reduction === 'mean';
    const flags = (sparse ? F.SPARSE : 0) | (alpha ? F.ALPHA_COL : 0) | (cfg.grad ? F.GRAD : 0) | (mean ? F.MEAN : 0);
    const dtypes = FOCAL.dtypes({ X: input.dtype, T: sparse ? undefined : target.dtype });
    const alB = alpha ? ctx.bind(alpha).binding : ctx.dummy('read');
    const metaB = ctx.bind(meta).binding;
    const lossB = ctx.bind(perRow).binding;
    const uniforms = (row0: number, count: number, xBase: number, tBase: number, gBase: number) => FOCAL.uniforms({
      rows: count, cols, x_base: xBase, t_base: tBase, g_base: gBase, row0, total_rows: rows,
      ignore_index: cfg.ignoreIndex, gamma: cfg.gamma, alpha: cfg.alpha[0], out_scale: 1 / cfg.divisor,
    });

    const dispatches: Dispatch[] = [];
    {
      // prepare: labels bound whole (sparse); a dense target is not read by it.
      const tb = sparse ? ctx.bind(target) : ctx.bind(target, 0, Math.min(target.size, chunks[0].count * cols));
      const xb = ctx.bind(input, 0, Math.min(input.size, chunks[0].count * cols));
      dispatches.push({
        family: 'focal', entry: 'prepare', constants: { ...prepareShape(ctx), ...dtypes, FLAGS: flags },
        uniforms: uniforms(0, rows, xb.base, tb.base, 0),
        bindings: FOCAL.bindings({ X: xb.binding, T: tb.binding, AL: alB, META: metaB, LOSS: lossB, G: ctx.dummy('grad') }),
        workgroups: 1,
      });
    }
    for (const { row0, count } of chunks) {
      if (count === 0) continue;
      const xb = ctx.bind(input, row0 * cols, count * cols);
      const tb = sparse ? ctx.bind(target) : ctx.bind(target, row0 * cols, count * cols);
      const gb = grad ? ctx.bind(grad, row0 * cols, count * cols) : undefined;
      const l = rowLaunch(ctx, cols, count);
      dispatches.push({
        family: 'focal', entry: 'main', constants: { ...l.constants, ...dtypes, FLAGS: flags }, workgroups: l.workgroups,
        uniforms: uniforms(row0, count, xb.base, sparse ? tb.base + row0 : tb.base, gb ? gb.base : 0),
        bindings: FOCAL.bindings({ X: xb.binding, T: tb.binding, AL: alB, META: metaB, LOSS: lossB, G: gb ? gb.binding : ctx.dummy('grad') }),
      });
    }
    let loss = perRow;
    if (cfg.reduction !== 'none') {
      loss = ctx.empty([], 'float32', 'focalLoss:reduced');
      made.push(loss);
      dispatches.push(reduceDispatch(ctx, perRow, meta, loss, mean ? REDUCE.C.MODE_MEAN_META : REDUCE.C.MODE_SUM, false));
      temps.push(perRow);
    }

    const grad16 = packedGrad(ctx, cfg.gradDtype, input, grad, 'focalLoss', dispatches, made, temps);
    const { done } = await ctx.run('focalLoss', dispatches);
    const out: LossOutputs = { loss };
    if (grad) out.grad = grad16 ?? grad;
    // META[2]: labels out of range, reported only for labels on the GPU (host ones were checked).
    const [invalid] = ctx.split(meta, [{ elemOffset: 2, shape: [], dtype: 'int32' }]);
    if (sparse && targetArg instanceof GpuTensor) out.invalidLabels = invalid as GpuTensor<'int32'>;
    else invalid.destroy();
    finishCall(out, done, temps);
    return out;
  });
}
