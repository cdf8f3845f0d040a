import type { EntropyOptions, KLDivergenceOptions } from '../contract/types';
import { ShapeError } from '../contract/errors';
import type { GpuContext, TensorLike, Dispatch } from '../gpu/context';
import { GpuTensor } from '../gpu/tensor';
import { parseEntropyOptions, parseKLDivergenceOptions, type RowLossConfig } from '../contract/configs/entropy';
import { formatShape, matrixShape, sameShape } from '../contract/tensor';
import { rowChunks, reduceDispatch, finishCall, freeOnThrow, type Temps, argShape, matrixArgShape, checkRowBinding } from './common';
import { rowLaunch } from './launch';
import { ENTROPY } from './layouts/entropy';
import { packedGrad } from './pack16';
import { REDUCE } from './layouts/reduce';
import type { LossOutputs } from './cross-entropy';

// Host side of shaders/entropy/ (+ reduce.wgsl): validate as the oracle does, choose the row
// kernel's shape (rowLaunch: a thread per row for short rows, else a workgroup per row), chunk rows past one storage binding, then rows -> reduce in one submit.

const F = ENTROPY.F;

/**
 * Entropy of each row of `input` (probabilities by default, or logits); see shaders/entropy/main.wgsl.
 * `loss` has shape [] for 'sum' / 'mean' (over rows) and [rows] for 'none'.
 */
export async function entropyOp(ctx: GpuContext, inputArg: TensorLike, opts: EntropyOptions = {}): Promise<LossOutputs> {
  ctx.checkAlive();
  const inShape = matrixArgShape(inputArg);
  const cfg = parseEntropyOptions(opts);
  const flags = cfg.from === 'probs' ? F.X_PROBS : 0;
  return rowsOp(ctx, 'entropy', inputArg, undefined, inShape, flags, cfg);
}

/**
 * KL(P‖Q) of each row for a prediction Q (`input`, logits by default) and a target P (`target`,
 * probabilities by default), with the gradient with respect to the input.
 */
export async function klDivergenceOp(ctx: GpuContext, inputArg: TensorLike, targetArg: TensorLike, opts: KLDivergenceOptions = {}): Promise<LossOutputs> {
  ctx.checkAlive();
  // The oracle's order: the input, then the options, then the target.
  const inShape = matrixArgShape(inputArg);
  const cfg = parseKLDivergenceOptions(opts);
  const tShape = argShape(targetArg, 'target');
  if (!sameShape(tShape, inShape)) throw new ShapeError('target', `shape ${formatShape(tShape)} must equal input shape ${formatShape(inShape)}`);
  const flags = F.KL | (cfg.from === 'probs' ? F.X_PROBS : 0) | (cfg.targetFrom === 'probs' ? F.T_PROBS : 0);
  return rowsOp(ctx, 'klDivergence', inputArg, targetArg, inShape, flags, cfg);
}

async function rowsOp(ctx: GpuContext, label: string, inputArg: TensorLike, targetArg: TensorLike | undefined,
  inShape: readonly number[], opFlags: number, cfg: RowLossConfig): Promise<LossOutputs> {
  const [rows, cols] = matrixShape(inShape, 'input');
  // Every size check before the first upload.
  const chunks = rowChunks(ctx, rows, cols);
  checkRowBinding(ctx, rows, 1, 'input');
  const temps: Temps = [];
  const made: GpuTensor[] = [];
  return freeOnThrow(temps, made, encode);

  async function encode(): Promise<LossOutputs> {
    const { t: input, temp: tmpIn } = ctx.floats(inputArg, 'input');
    if (tmpIn) temps.push(input);
    let target: GpuTensor | undefined;
    if (targetArg) {
      const r = ctx.floats(targetArg, 'target');
      target = r.t;
      if (r.temp) temps.push(target);
    }

    const perRow = ctx.empty([rows], 'float32', `${label}:loss`);
    made.push(perRow);
    const grad = cfg.grad ? ctx.empty(inShape, 'float32', `${label}:grad`) : undefined;
    if (grad) made.push(grad);
    const flags = opFlags | (cfg.grad ? F.GRAD : 0);
    const outScale = 1 / cfg.divisor;
    const gradScale = cfg.reduction === 'mean' ? outScale / rows : outScale;
    const lossB = ctx.bind(perRow).binding;

    const dtypes = ENTROPY.dtypes({ X: input.dtype, T: target?.dtype });
    const dispatches: Dispatch[] = [];
    for (const { row0, count } of chunks) {
      if (count === 0) continue;
      const xb = ctx.bind(input, row0 * cols, count * cols);
      const tb = target ? ctx.bind(target, row0 * cols, count * cols) : undefined;
      const gb = grad ? ctx.bind(grad, row0 * cols, count * cols) : undefined;
      dispatches.push({
        family: 'entropy', entry: 'main', ...launchWithFlags(rowLaunch(ctx, cols, count), flags, dtypes),
        uniforms: ENTROPY.uniforms({
          rows: count, cols, x_base: xb.base, t_base: tb ? tb.base : 0, g_base: gb ? gb.base : 0, row0,
          eps: cfg.epsilon, ln_eps: Math.log(cfg.epsilon), out_scale: outScale, grad_scale: gradScale,
        }),
        bindings: ENTROPY.bindings({ X: xb.binding, T: tb ? tb.binding : ctx.dummy('read'), LOSS: lossB, G: gb ? gb.binding : ctx.dummy('grad') }),
      });
    }
    let loss = perRow;
    if (cfg.reduction !== 'none') {
      loss = ctx.empty([], 'float32', `${label}:reduced`);
      made.push(loss);
      // Per-row values already carry 1/ln 2; 'mean' divides by the row count.
      dispatches.push(reduceDispatch(ctx, perRow, null, loss, cfg.reduction === 'mean' ? REDUCE.C.MODE_MEAN_N : REDUCE.C.MODE_SUM, false));
      temps.push(perRow);
    }

    // gradDtype 'input': the float32 gradient, packed into the input's dtype in the same submit.
    const grad16 = packedGrad(ctx, cfg.gradDtype, input, grad, label, dispatches, made, temps);
    const { done } = await ctx.run(label, dispatches);
    const out: LossOutputs = { loss };
    if (grad) out.grad = grad16 ?? grad;
    finishCall(out, done, temps);
    return out;
  }
}

/** Feature flags go in as an override constant (each combination compiles once, branch-free). */
function launchWithFlags(l: { constants: { WG: number; WG_PER_ROW: number }; workgroups: number }, flags: number, dtypes: Record<string, number>) {
  return { constants: { ...l.constants, ...dtypes, FLAGS: flags }, workgroups: l.workgroups };
}

/** Pipelines for warmup(): entropy of probabilities and KL from logits against probabilities, with and without gradients. */
export const ENTROPY_WARM_FLAGS = [F.X_PROBS, F.X_PROBS | F.GRAD, F.KL | F.T_PROBS, F.KL | F.T_PROBS | F.GRAD];
