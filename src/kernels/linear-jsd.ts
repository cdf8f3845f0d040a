import type { LinearJSDivergenceOptions, TeacherHead } from '../contract/types';
import { BufferError, OptionError, ShapeError } from '../contract/errors';
import { optionsObject } from '../contract/options';
import { checkJSDLabels } from '../contract/configs/jsd';
import { LINEAR_JSD_KEYS, linearJSDShapes, parseLinearJSDOptions, teacherHeadOf, teacherHeadShapes } from '../contract/configs/linear-jsd';
import { formatShape } from '../contract/tensor';
import type { GpuContext, TensorLike, Dispatch } from '../gpu/context';
import { GpuTensor } from '../gpu/tensor';
import { uploadsTo, finishCall, freeOnThrow, argShape, checkRowBinding, type Temps } from './common';
import { defaultTiles, grid, rowLaunch, tileGroups } from './launch';
import { jsdCall } from './jsd';
import { JSD } from './layouts/jsd';
import { LINEAR_JSD as LJ } from './layouts/linear-jsd';

// Host side of linearJsDivergence: the student's logits z = hidden·weightᵀ (+ bias) are formed
// one row chunk at a time (shaders/linear_jsd.wgsl `logits`), jsd's `main` turns the chunk into
// its rows' losses and d loss / d z, and the chunk's share of dH, dW, db follows (dhidden,
// dweight, dbias), all in one submit. logits, dhidden and dweight are tiled products
// (shaders/matmul_tile.wgsl, staged or direct as linear cross-entropy's: defaultTiles). hidden, weight and teacher may be
// float32, float16 or bfloat16 (read exactly; the bias and every output float32). The chunk's
// rows are as many as memoryBudget holds of logits plus their gradient (8·V bytes a row; 4·V
// without grad): the student's [N, V] logits exist whole only when the budget holds them. A
// TeacherHead teacher's logits are formed the same way (the `logits` entry on the teacher's
// hidden and head) into a chunk of their own, 4·V bytes a row more.

/** linearJsDivergence options on the GPU: labels and bias are host data or GpuTensors. */
export type GpuLinearJSDivergenceOptions = LinearJSDivergenceOptions<TensorLike>;

/** linearJsDivergence's teacher on the GPU: its logits [N, V], or its hidden states and head. */
export type GpuLinearJSDTeacher = TensorLike | TeacherHead<TensorLike>;

/** What `linearJsDivergence` returns. `WebGPULoss.linearJsDivergence` also gives it `dispose()`. */
export interface LinearJSDivergenceOutputs {
  /** Shape [] for 'sum' / 'mean', [N] for 'none'. */
  loss: GpuTensor<'float32'>;
  /** d loss / d hidden, [N, D], with `grad` ('none': of the sum of the rows' losses). */
  gradHidden?: GpuTensor<'float32'>;
  /** d loss / d weight, [V, D], with `grad` (not with `frozenHead`). */
  gradWeight?: GpuTensor<'float32'>;
  /** d loss / d bias, [V], with `grad` and a bias (not with `frozenHead`). */
  gradBias?: GpuTensor<'float32'>;
  /** Rows of student logits formed at once (the chunk; N when the budget holds them all). */
  chunkRows: number;
  /**
   * Bytes of the call's own scratch buffers (uploads excluded): the chunk's logits, their gradient
   * and a teacher head's logits, which `memoryBudget` bounds, plus 4·N bytes of per-row losses
   * for 'mean' / 'sum' and a few bytes of call metadata.
   */
  scratchBytes: number;
}

export async function linearJsDivergenceOp(ctx: GpuContext, hiddenArg: TensorLike, weightArg: TensorLike, teacherIn: GpuLinearJSDTeacher,
  opts: GpuLinearJSDivergenceOptions = {}): Promise<LinearJSDivergenceOutputs> {
  ctx.checkAlive();
  const headArg = teacherHeadOf(teacherIn);
  const teacherArg = teacherIn as TensorLike;
  const hShape = argShape(hiddenArg, 'hidden');
  const wShape = argShape(weightArg, 'weight');
  const tShape = headArg ? undefined : argShape(teacherArg, 'teacher');
  const thShapes = headArg && [argShape(headArg.hidden, 'teacher.hidden'), argShape(headArg.weight, 'teacher.weight'),
    headArg.bias !== undefined ? argShape(headArg.bias, 'teacher.bias') : undefined] as const;
  const o = optionsObject(opts, LINEAR_JSD_KEYS);
  const biasArg = o.bias as TensorLike | undefined;
  const shapes = linearJSDShapes(hShape, wShape, tShape, biasArg !== undefined ? argShape(biasArg, 'options.bias') : undefined);
  const { n: N, d: D, v: V } = shapes;
  const DT = thShapes ? teacherHeadShapes(shapes, ...thShapes) : 0;
  const cfg = parseLinearJSDOptions(o);
  const labelsArg = o.labels as TensorLike | undefined;
  if (labelsArg !== undefined) {
    const lShape = argShape(labelsArg, 'options.labels');
    if (lShape.length !== 1 || lShape[0] !== N) throw new ShapeError('options.labels', `shape ${formatShape(lShape)} must be [${N}] (one label per row)`);
    if (!(labelsArg instanceof GpuTensor)) checkJSDLabels(labelsArg.data, 'options.labels');
  }
  // hidden and weight are bound whole; the chunk's logits (and gradient) are one binding each.
  const bindMax = ctx.maxBindingBytes - ctx.limits.minStorageBufferOffsetAlignment;
  const whole: [string, number][] = [['hidden', N * D * 4], ['weight', V * D * 4]];
  if (headArg) whole.push(['teacher.hidden', N * DT * 4], ['teacher.weight', V * DT * 4]);
  for (const [name, bytes] of whole) {
    if (bytes > bindMax) throw new BufferError(name, `${bytes} bytes exceed one storage binding (${ctx.maxBindingBytes} bytes); split the ${name.endsWith('hidden') ? 'rows' : 'vocabulary'} across calls`, 'TOO_LARGE');
  }
  if (V * 4 > bindMax) throw new BufferError('weight', `one row of ${V} logits (${V * 4} bytes) exceeds the storage binding limit (${ctx.maxBindingBytes} bytes)`, 'TOO_LARGE');
  checkRowBinding(ctx, N, 1, 'hidden');
  const rowBytes = (cfg.grad ? 8 : 4) * V + (headArg ? 4 * V : 0);
  if (cfg.memoryBudget < rowBytes) {
    const what = `${V} student logits${cfg.grad ? ' and their gradient' : ''}${headArg ? ' and teacher logits' : ''}`;
    throw new OptionError('options.memoryBudget', `is ${cfg.memoryBudget} bytes; one row of ${what} needs ${rowBytes}`);
  }
  const chunkRows = Math.min(N, Math.floor(cfg.memoryBudget / rowBytes), Math.floor(bindMax / (4 * V)));
  const trainHead = cfg.grad && !cfg.frozenHead;

  const temps: Temps = [];
  const made: GpuTensor[] = [];
  return freeOnThrow(temps, made, encode);

  async function encode(): Promise<LinearJSDivergenceOutputs> {
    const own = uploadsTo(temps);
    const input = (arg: TensorLike, name: string, dtype: 'float32' | 'int32') => own(ctx.input(arg, name, dtype));
    const floats = (arg: TensorLike, name: string) => own(ctx.floats(arg, name));
    const hidden = floats(hiddenArg, 'hidden');
    const weight = floats(weightArg, 'weight');
    const teacher = headArg ? undefined : floats(teacherArg, 'teacher');
    const th = headArg && {
      hidden: floats(headArg.hidden, 'teacher.hidden'),
      weight: floats(headArg.weight, 'teacher.weight'),
      bias: headArg.bias !== undefined ? input(headArg.bias, 'teacher.bias', 'float32') : undefined,
    };
    const bias = biasArg !== undefined ? input(biasArg, 'options.bias', 'float32') : undefined;
    const labels = labelsArg !== undefined ? input(labelsArg, 'options.labels', 'int32') : undefined;

    const z = ctx.empty([chunkRows * V], 'float32', 'linearJsDivergence:logits');
    temps.push(z);
    const g = cfg.grad ? ctx.empty([chunkRows * V], 'float32', 'linearJsDivergence:gradChunk') : undefined;
    if (g) temps.push(g);
    const zt = th ? ctx.empty([chunkRows * V], 'float32', 'linearJsDivergence:teacherLogits') : undefined;
    if (zt) temps.push(zt);
    const perRow = ctx.empty([N], 'float32', 'linearJsDivergence:loss');
    made.push(perRow);
    const gradHidden = cfg.grad ? ctx.empty([N, D], 'float32', 'linearJsDivergence:gradHidden') : undefined;
    const gradWeight = trainHead ? ctx.empty([V, D], 'float32', 'linearJsDivergence:gradWeight') : undefined;
    const gradBias = trainHead && bias ? ctx.empty([V], 'float32', 'linearJsDivergence:gradBias') : undefined;
    for (const t of [gradHidden, gradWeight, gradBias]) if (t) made.push(t);
    const { meta, flags: jFlags, common, bound: jBound, count, reduce } = jsdCall(ctx, cfg, V, N, labels, perRow, 'linearJsDivergence');
    if (meta) temps.push(meta);

    type Bound = ReturnType<GpuContext['bind']>;
    /** A head: hidden [N, d] and weight [V, d] (+ bias) bound for the `linearJsd` entry points. */
    const bindHead = (x: GpuTensor, w: GpuTensor, b: GpuTensor | undefined, d: number) => ({
      hB: ctx.bind(x), wB: ctx.bind(w), bB: b ? ctx.bind(b) : undefined, d, dtypes: LJ.dtypes({ H: x.dtype, Wm: w.dtype }),
    });
    const student = bindHead(hidden, weight, bias, D);
    const teacherHead = th && bindHead(th.hidden, th.weight, th.bias, DT);
    const zB = ctx.bind(z);
    const gB = g ? ctx.bind(g) : undefined;
    const ztB = zt ? ctx.bind(zt) : undefined;
    const DIRECT = defaultTiles(ctx) === 'direct' ? 1 : 0;
    const MODES: Record<string, number> = { logits: LJ.C.MODE_LOGITS, dhidden: LJ.C.MODE_DHIDDEN, dweight: LJ.C.MODE_DWEIGHT };
    // `chunk`: the logits' destination (logits) or the gradient chunk read (the backward). A
    // product's [m, n] output in tiles; dbias a column per thread.
    const head = (entry: string, rows: number, row0: number, accumulate: number, chunk: Bound, out: GpuTensor | undefined, m: number, n: number, hd = student): Dispatch => {
      const { hB, wB, bB, d, dtypes } = hd;
      const FLAGS = bB ? LJ.F.BIAS : 0;
      const oB = out ? ctx.bind(out) : undefined;
      const product = entry in MODES;
      return {
        family: 'linearJsd', entry, constants: product ? { FLAGS, MODE: MODES[entry], DIRECT, ...dtypes } : { FLAGS },
        workgroups: product ? tileGroups(ctx, m, n, DIRECT === 1) : grid(ctx, Math.ceil(n / LJ.C.WG)),
        uniforms: LJ.uniforms({
          rows, v: V, d, row0, h_base: hB.base, w_base: wB.base, b_base: bB ? bB.base : 0, g_base: chunk.base, o_base: oB ? oB.base : 0, accumulate,
        }),
        bindings: LJ.bindings({
          H: hB.binding, Wm: wB.binding, Bv: bB ? bB.binding : ctx.dummy('read'), G: chunk.binding, O: oB ? oB.binding : ctx.dummy('out'),
        }),
      };
    };

    const teacherType = JSD.dtypes({ TE: teacher ? teacher.dtype : 'float32' });
    const dispatches: Dispatch[] = [...count];
    for (let row0 = 0, i = 0; row0 < N; row0 += chunkRows, i++) {
      const rows = Math.min(chunkRows, N - row0);
      dispatches.push(head('logits', rows, row0, 0, zB, undefined, rows, V));
      if (teacherHead) dispatches.push(head('logits', rows, row0, 0, ztB!, undefined, rows, V, teacherHead));
      const tb = teacher ? ctx.bind(teacher, row0 * V, rows * V) : ztB!;
      const l = rowLaunch(ctx, V, rows);
      dispatches.push({
        family: 'jsd', entry: 'main', constants: { ...l.constants, ...teacherType, FLAGS: jFlags }, workgroups: l.workgroups,
        uniforms: JSD.uniforms({ ...common, rows, s_base: zB.base, t_base: tb.base, g_base: gB ? gB.base : 0, row0 }),
        bindings: JSD.bindings({ S: zB.binding, TE: tb.binding, G: gB ? gB.binding : ctx.dummy('grad'), ...jBound }),
      });
      if (!gradHidden) continue;
      dispatches.push(head('dhidden', rows, row0, 0, gB!, gradHidden, rows, D));
      if (gradWeight) dispatches.push(head('dweight', rows, row0, i > 0 ? 1 : 0, gB!, gradWeight, V, D));
      if (gradBias) dispatches.push(head('dbias', rows, row0, i > 0 ? 1 : 0, gB!, gradBias, 1, V));
    }
    const loss = reduce(dispatches, made, temps);

    const { done } = await ctx.run('linearJsDivergence', dispatches);
    const scratchBytes = [z, g, zt, meta, cfg.reduction !== 'none' ? perRow : undefined].reduce((a, t) => a + (t ? t.buffer.size : 0), 0);
    const out: LinearJSDivergenceOutputs = { loss, chunkRows, scratchBytes };
    if (gradHidden) out.gradHidden = gradHidden;
    if (gradWeight) out.gradWeight = gradWeight;
    if (gradBias) out.gradBias = gradBias;
    finishCall(out, done, temps);
    return out;
  }
}
