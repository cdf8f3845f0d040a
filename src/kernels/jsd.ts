import type { JSDivergenceOptions } from '../contract/types';
import { ShapeError } from '../contract/errors';
import { optionsObject } from '../contract/options';
import { JSD_KEYS, checkJSDLabels, parseJSDOptions, type JSDConfig } from '../contract/configs/jsd';
import { formatShape, matrixShape, refuseHalf, sameShape } from '../contract/tensor';
import type { GpuContext, TensorLike, Dispatch } from '../gpu/context';
import { GpuTensor } from '../gpu/tensor';
import { uploadsTo, rowChunks, reduceDispatch, finishCall, freeOnThrow, type Temps, argShape, matrixArgShape, checkRowBinding } from './common';
import { prepareShape, rowLaunch } from './launch';
import { JSD } from './layouts/jsd';
import { REDUCE } from './layouts/reduce';
import type { LossOutputs } from './cross-entropy';
import { packedGrad } from './pack16';

// Host side of shaders/jsd/ (+ reduce.wgsl): validate as the oracle does, count the kept rows on
// the GPU when labels may skip some ('mean'), chunk rows past one storage binding, choose the
// row kernel's shape (rowLaunch), then rows -> reduce in one submit.

const F = JSD.F;

/** jsDivergence's options on the GPU: labels are host data or an int32 GpuTensor. */
export type GpuJSDivergenceOptions = JSDivergenceOptions<TensorLike>;

/** Feature flags of a call (also warmup's pipeline keys). */
export function jsdFlags(cfg: Pick<JSDConfig, 'mode' | 'grad' | 'reduction'>, labels: boolean): number {
  return (cfg.mode === 'forward' ? F.FORWARD : cfg.mode === 'reverse' ? F.REVERSE : 0) | (cfg.grad ? F.GRAD : 0)
    | (labels ? F.LABELS : 0) | (labels && cfg.grad && cfg.reduction === 'mean' ? F.MEAN_KEPT : 0);
}

/**
 * What every jsd dispatch of a call shares, for jsDivergence and linearJsDivergence alike: the
 * uniforms but the rows' own, the label / kept-count / loss bindings, the `count` dispatch that
 * counts kept rows first ('mean' with labels), and the batch reduction of the per-row losses.
 */
export function jsdCall(ctx: GpuContext, cfg: JSDConfig, cols: number, rows: number, labels: GpuTensor | undefined, perRow: GpuTensor<'float32'>, label: string) {
  const meta = labels && cfg.reduction === 'mean' ? ctx.empty([4], 'int32', `${label}:kept`) : undefined;
  const flags = jsdFlags(cfg, labels !== undefined);
  const { beta, temperature: T } = cfg;
  const common = {
    cols, inv_t: 1 / T, beta, omb: 1 - beta,
    nlb: beta > 0 ? -Math.log(beta) : 0, nlomb: beta < 1 ? -Math.log1p(-beta) : 0,
    grad_scale: (1 / T) * (cfg.reduction === 'mean' && !labels ? 1 / rows : 1), ignore_index: cfg.ignoreIndex,
  };
  const bound = {
    LAB: labels ? ctx.bind(labels).binding : ctx.dummy('read'),
    META: meta ? ctx.bind(meta).binding : ctx.dummy('jsd:meta'),
    LOSS: ctx.bind(perRow).binding,
  };
  const count: Dispatch[] = meta ? [{
    family: 'jsd', entry: 'count', constants: { ...prepareShape(ctx), FLAGS: flags }, workgroups: 1,
    uniforms: JSD.uniforms({ ...common, rows, s_base: 0, t_base: 0, g_base: 0, row0: 0 }),
    bindings: JSD.bindings({ S: ctx.dummy('read'), TE: ctx.dummy('read'), G: ctx.dummy('grad'), ...bound }),
  }] : [];
  /** The loss: per row for 'none', else reduced by a dispatch appended to `dispatches`. */
  const reduce = (dispatches: Dispatch[], made: GpuTensor[], temps: GpuTensor[]): GpuTensor<'float32'> => {
    if (cfg.reduction === 'none') return perRow;
    const loss = ctx.empty([], 'float32', `${label}:reduced`);
    made.push(loss);
    const mode = cfg.reduction === 'sum' ? REDUCE.C.MODE_SUM : meta ? REDUCE.C.MODE_MEAN_META : REDUCE.C.MODE_MEAN_N;
    dispatches.push(reduceDispatch(ctx, perRow, meta ?? null, loss, mode, cfg.allIgnored === 'zero'));
    temps.push(perRow);
    return loss;
  };
  return { meta, flags, common, bound, count, reduce };
}

/**
 * Generalized JSD per row between the teacher and the student (both logits), with the gradient
 * with respect to the student; see shaders/jsd/main.wgsl. `loss` has shape [] for 'sum' / 'mean'
 * (over kept rows) and [rows] for 'none'.
 */
export async function jsDivergenceOp(ctx: GpuContext, studentArg: TensorLike, teacherArg: TensorLike, opts: GpuJSDivergenceOptions = {}): Promise<LossOutputs> {
  ctx.checkAlive();
  // The oracle's order: the student, the options, the teacher, the labels.
  const sShape = matrixArgShape(studentArg, 'student');
  const o = optionsObject(opts, JSD_KEYS);
  const cfg = parseJSDOptions(o);
  const tShape = argShape(teacherArg, 'teacher');
  if (!sameShape(tShape, sShape)) throw new ShapeError('teacher', `shape ${formatShape(tShape)} must equal student shape ${formatShape(sShape)}`);
  const [rows, cols] = matrixShape(sShape, 'student');
  const labelsArg = o.labels as TensorLike | undefined;
  if (labelsArg !== undefined) {
    const lShape = argShape(labelsArg, 'options.labels');
    if (lShape.length !== 1 || lShape[0] !== rows) throw new ShapeError('options.labels', `shape ${formatShape(lShape)} must be [${rows}] (one label per row)`);
    // Host labels are checked as the oracle checks them; a GpuTensor's are int32 by type.
    if (!(labelsArg instanceof GpuTensor)) {
      refuseHalf(labelsArg, 'options.labels', 'integer labels (Int32Array)');
      checkJSDLabels(labelsArg.data, 'options.labels');
    }
  }
  // Every size check before the first upload.
  const chunks = rowChunks(ctx, rows, cols);
  checkRowBinding(ctx, rows, 1, 'student');
  const temps: Temps = [];
  const made: GpuTensor[] = [];
  return freeOnThrow(temps, made, encode);

  async function encode(): Promise<LossOutputs> {
    const own = uploadsTo(temps);
    // Student and teacher each float32, float16 or bfloat16 (an ORT float16 teacher as it is).
    const student = own(ctx.floats(studentArg, 'student'));
    const teacher = own(ctx.floats(teacherArg, 'teacher'));
    const labels = labelsArg !== undefined ? own(ctx.input(labelsArg, 'options.labels', 'int32')) : undefined;
    const dtypes = JSD.dtypes({ S: student.dtype, TE: teacher.dtype });

    const perRow = ctx.empty([rows], 'float32', 'jsDivergence:loss');
    made.push(perRow);
    const grad = cfg.grad ? ctx.empty(sShape, 'float32', 'jsDivergence:grad') : undefined;
    if (grad) made.push(grad);
    // The kept-row count (for 'mean' with labels: its divisor, and the gradient's) is a temporary.
    const { meta, flags, common, bound, count, reduce } = jsdCall(ctx, cfg, cols, rows, labels, perRow, 'jsDivergence');
    if (meta) temps.push(meta);
    const dispatches: Dispatch[] = [...count];
    for (const { row0, count } of chunks) {
      if (count === 0) continue;
      const sb = ctx.bind(student, row0 * cols, count * cols);
      const tb = ctx.bind(teacher, row0 * cols, count * cols);
      const gb = grad ? ctx.bind(grad, row0 * cols, count * cols) : undefined;
      const l = rowLaunch(ctx, cols, count);
      dispatches.push({
        family: 'jsd', entry: 'main', constants: { ...l.constants, ...dtypes, FLAGS: flags }, workgroups: l.workgroups,
        uniforms: JSD.uniforms({ ...common, rows: count, s_base: sb.base, t_base: tb.base, g_base: gb ? gb.base : 0, row0 }),
        bindings: JSD.bindings({ S: sb.binding, TE: tb.binding, G: gb ? gb.binding : ctx.dummy('grad'), ...bound }),
      });
    }
    const loss = reduce(dispatches, made, temps);
    const grad16 = packedGrad(ctx, cfg.gradDtype, student, grad, 'jsDivergence', dispatches, made, temps);
    const { done } = await ctx.run('jsDivergence', dispatches);
    const out: LossOutputs = { loss };
    if (grad) out.grad = grad16 ?? grad;
    finishCall(out, done, temps);
    return out;
  }
}
