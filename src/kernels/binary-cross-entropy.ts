import type { BinaryCrossEntropyOptions } from '../contract/types';
import { ShapeError } from '../contract/errors';
import type { GpuTensor } from '../gpu/tensor';
import type { GpuContext, TensorLike, Dispatch } from '../gpu/context';
import { parseBinaryCrossEntropyOptions } from '../contract/configs/binary-cross-entropy';
import { formatShape, matrixShape, sameShape } from '../contract/tensor';
import { rowChunks, finishCall, freeOnThrow, type Temps, argShape, matrixArgShape, elementwisePlan } from './common';
import { bceWG } from './launch';
import { BINARY_CROSS_ENTROPY as BCE } from './layouts/binary-cross-entropy';
import type { LossOutputs } from './cross-entropy';
import { packedGrad } from './pack16';

// Host side of shaders/binary_cross_entropy.wgsl (+ reduce.wgsl): validate like the oracle, chunk
// rows past one storage binding, then elements (-> workgroup partials) -> reduce in one submit.

const F = BCE.F;

/**
 * Binary cross-entropy over a [rows, cols] input (logits or probabilities) and a target of the same
 * shape; see shaders/binary_cross_entropy.wgsl for the math and the rules for non-finite values.
 * `loss` has shape [] for 'sum' / 'mean' and [rows, cols] for 'none' (as the oracle's).
 */
export async function binaryCrossEntropyOp(ctx: GpuContext, inputArg: TensorLike, targetArg: TensorLike, opts: BinaryCrossEntropyOptions = {}): Promise<LossOutputs> {
  ctx.checkAlive();
  // The oracle's order: the input, then the options, then the target.
  const inShape = matrixArgShape(inputArg);
  const [rows, cols] = matrixShape(inShape, 'input');
  const cfg = parseBinaryCrossEntropyOptions(opts, cols);
  const tShape = argShape(targetArg, 'target');
  if (!sameShape(tShape, inShape)) throw new ShapeError('target', `shape ${formatShape(tShape)} must equal input shape ${formatShape(inShape)}`);

  const chunks = rowChunks(ctx, rows, cols);
  const temps: Temps = [];
  const made: GpuTensor[] = [];
  return freeOnThrow(temps, made, encode);

  async function encode(): Promise<LossOutputs> {
    const { t: input, temp: tmpIn } = ctx.floats(inputArg, 'input');
    if (tmpIn) temps.push(input);
    const { t: target, temp: tmpT } = ctx.floats(targetArg, 'target');
    if (tmpT) temps.push(target);

    // A number (or nothing) goes in the uniform block: no upload and no per-element load for the
    // common case, and no cols-long array for a single row of many columns. Arrays go per column.
    const pwCol = cfg.posWeightPerColumn;
    const wCol = cfg.weightPerColumn;
    const pw = pwCol ? ctx.tensor(Float32Array.from(cfg.posWeight), [cols], 'float32', 'options.posWeight') : undefined;
    if (pw) temps.push(pw);
    const w = wCol ? ctx.tensor(Float32Array.from(cfg.weight), [cols], 'float32', 'options.weight') : undefined;
    if (w) temps.push(w);

    const n = rows * cols;
    const sums = cfg.reduction !== 'none';
    // The loss and the gradient take the same factor: 1/ln 2 for bits, 1/n for the mean.
    const scale = (cfg.reduction === 'mean' ? 1 / n : 1) / cfg.divisor;
    const flags = (cfg.from === 'probs' ? F.PROBS : 0) | (pwCol ? F.PW_COL : 0) | (wCol ? F.W_COL : 0) | (cfg.grad ? F.GRAD : 0);

    const WG = bceWG(ctx);
    const plan = elementwisePlan(ctx, 'binaryCrossEntropy', input, target, inShape, rows, cols, chunks, sums, cfg.grad, WG, made, temps);
    const grad = plan.grad;

    const pwB = pw ? ctx.bind(pw).binding : ctx.dummy('read');
    const wB = w ? ctx.bind(w).binding : ctx.dummy('read');
    const loIn = float32Above(cfg.epsilon);
    const hiIn = float32Below(1 - cfg.epsilon);
    const constants = { WG, SUMS: sums ? 1 : 0, ...BCE.dtypes({ X: input.dtype, T: target.dtype }) };
    const dispatches: Dispatch[] = plan.chunks.map((c) => ({
      family: 'binaryCrossEntropy', entry: 'main', constants: { ...constants, FLAGS: flags },
      uniforms: BCE.uniforms({
        n: c.len, cols, x_base: c.x.base, t_base: c.t.base, out_base: c.outBase, g_base: c.g ? c.g.base : 0,
        pos_weight: cfg.posWeight[0], weight: cfg.weight[0], eps: cfg.epsilon, lo_in: loIn, hi_in: hiIn, scale,
      }),
      bindings: BCE.bindings({ X: c.x.binding, T: c.t.binding, PW: pwB, WT: wB, OUT: c.out.binding, G: c.g ? c.g.binding : ctx.dummy('grad') }),
      workgroups: c.workgroups,
    }));
    // The partials already carry 1/n (mean) and 1/ln 2 (bits): the reduction is a plain sum.
    const loss = plan.finish(dispatches);

    // gradDtype 'input': the float32 gradient, packed into the input's dtype in the same submit.
    const grad16 = packedGrad(ctx, cfg.gradDtype, input, grad, 'binaryCrossEntropy', dispatches, made, temps);
    const { done } = await ctx.run('binaryCrossEntropy', dispatches);
    const out: LossOutputs = { loss };
    if (grad) out.grad = grad16 ?? grad;
    finishCall(out, done, temps);
    return out;
  }
}


const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The smallest float32 strictly above v (0 < v < 1): x > v (float64) iff x >= it, for float32 x. */
function float32Above(v: number): number {
  f32[0] = v;
  if (f32[0] <= v) u32[0] += 1;
  return f32[0];
}

/** The largest float32 strictly below v (0 < v < 1). */
function float32Below(v: number): number {
  f32[0] = v;
  if (f32[0] >= v) u32[0] -= 1;
  return f32[0];
}
