// Host side of shaders/evaluator.wgsl: the streaming evaluator. Each batch runs crossEntropy with
// extras (ln p_y, entropy, argmax hit, top-k hit per row), then one small dispatch adds the
// batch's kept rows into the running sums on the GPU. Nothing is read back until read().
import { DISPOSE } from '../contract/dispose';
import { DeviceError, LabelRangeError, ShapeError } from '../contract/errors';
import { evaluationResult, parseEvaluatorOptions, type EvaluationResult, type Evaluator, type EvaluatorConfig, type EvaluatorOptions } from '../contract/configs/evaluator';
import { checkLabels, formatShape, matrixShape, readOnce, refuseHalf } from '../contract/tensor';
import type { GpuContext, TensorLike } from '../gpu/context';
import { GpuTensor } from '../gpu/tensor';
import { argShape, matrixArgShape } from './common';
import { crossEntropyOp } from './cross-entropy';
import { EVALUATOR } from './layouts/evaluator';
import { reduceWG } from './launch';

/** Words of the running sums (shaders/evaluator.wgsl's ACC). */
const ACC_WORDS = 16;
const { FLAGS_WORD, NLL_NAN, NLL_INF, ENT_NAN } = EVALUATOR.C;

let make: (ctx: GpuContext, opts: EvaluatorOptions | undefined) => GpuEvaluator;

/** A new evaluator on this engine (WebGPULoss.evaluator). */
export function newGpuEvaluator(ctx: GpuContext, opts: EvaluatorOptions | undefined): GpuEvaluator {
  return make(ctx, opts);
}

/**
 * The streaming evaluator `WebGPULoss.evaluator()` returns: running sums on the GPU, added to by
 * `add()` in call order, read back once by `read()`.
 * @example
 * const ev = wl.evaluator({ topK: 5 });
 * for (const [logits, labels] of batches) await ev.add(logits, labels);
 * const { nll, perplexity, accuracy, topKAccuracy } = await ev.read();
 * ev.dispose();
 */
export class GpuEvaluator implements Evaluator {
  readonly #ctx: GpuContext;
  readonly #cfg: EvaluatorConfig;
  #acc: GpuTensor | null;
  // Calls run in call order (the sums are added in a fixed order, and read() sees every add).
  #queue: Promise<void> = Promise.resolve();

  static {
    make = (ctx, opts) => new GpuEvaluator(ctx, opts);
  }

  // Private: made by WebGPULoss.evaluator() (newGpuEvaluator), so the engine stays out of the public types.
  private constructor(ctx: GpuContext, opts: EvaluatorOptions | undefined) {
    ctx.checkAlive();
    this.#cfg = parseEvaluatorOptions(opts);
    this.#ctx = ctx;
    this.#acc = ctx.tensor(new Int32Array(ACC_WORDS), [ACC_WORDS], 'int32', 'evaluator');
  }

  #then<T>(step: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(step);
    this.#queue = p.then(() => {}, () => {});
    return p;
  }

  #alive(): GpuTensor {
    this.#ctx.checkAlive();
    if (!this.#acc || this.#acc.isDestroyed) throw new DeviceError('DISPOSED', 'this evaluator was disposed', 'evaluator');
    return this.#acc;
  }

  /**
   * Adds a batch: logits [rows, classes] (float32, float16 or bfloat16) and labels [rows] int32 (host data or GpuTensors).
   * Host labels are range-checked here; GPU labels out of range are counted and make read() throw.
   */
  add(logits: TensorLike, labels: TensorLike): Promise<void> {
    try {
      this.#alive();
      // Host data read once, now; its checks too, so a bad batch is refused at the call.
      const x = logits instanceof GpuTensor ? logits : readOnce(logits);
      const y = labels instanceof GpuTensor ? labels : readOnce(labels);
      const shape = matrixArgShape(x, 'logits');
      const [, cols] = matrixShape(shape, 'logits');
      const want = shape.slice(0, -1);
      const got = argShape(y, 'labels');
      if (got.length !== want.length || got.some((d, i) => d !== want[i])) throw new ShapeError('labels', `shape ${formatShape(got)} must be ${formatShape(want)} (one label per row)`);
      if (!(y instanceof GpuTensor)) {
        refuseHalf(y, 'labels', 'integer labels (Int32Array)');
        checkLabels(y.data, cols, this.#cfg.ignoreIndex, 'labels');
      }
      return this.#then(() => this.#add(x, y, cols));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async #add(logits: TensorLike, labels: TensorLike, cols: number): Promise<void> {
    const acc = this.#alive();
    const ctx = this.#ctx;
    const temps: GpuTensor[] = [];
    try {
      const { t: x, temp: tx } = ctx.floats(logits, 'logits');
      if (tx) temps.push(x);
      const { t: y, temp: ty } = ctx.input(labels, 'labels', 'int32');
      if (ty) temps.push(y);
      const out = await crossEntropyOp(ctx, x, y, { extras: true, topK: this.#cfg.topK, ignoreIndex: this.#cfg.ignoreIndex, reduction: 'none' });
      temps.push(...Object.values(out).filter((v): v is GpuTensor => v instanceof GpuTensor));
      const b = (t: GpuTensor | undefined) => ctx.bind(t!);
      const [T, C, L, E, H] = [b(y), b(out.correct), b(out.labelLogProb), b(out.entropy), b(out.topKHit)];
      const rows = y.size;
      const { done } = await ctx.run('evaluator', [{
        family: 'evaluator', entry: 'main', constants: { WG: reduceWG(ctx) }, workgroups: 1,
        uniforms: EVALUATOR.uniforms({ rows, cols, ignore_index: this.#cfg.ignoreIndex, t_base: T.base, c_base: C.base, l_base: L.base, e_base: E.base, h_base: H.base }),
        bindings: EVALUATOR.bindings({ T: T.binding, CORRECT: C.binding, LOGP: L.binding, ENT: E.binding, HIT: H.binding, ACC: ctx.bind(acc).binding }),
      }]);
      acc.ready = done;
    } finally {
      // WebGPU keeps a destroyed buffer alive until the submitted work using it has finished.
      for (const t of temps) t.destroy();
    }
  }

  /** The metrics over every batch added so far: one readback. */
  read(): Promise<EvaluationResult> {
    return this.#then(async () => {
      const w = await this.#alive().read();
      const u = new Uint32Array(w.buffer, w.byteOffset, ACC_WORDS);
      const f = new Float32Array(w.buffer, w.byteOffset, ACC_WORDS);
      const count = (i: number) => u[i] + u[i + 1] * 2 ** 32;
      const bad = count(10);
      if (bad > 0) throw new LabelRangeError('labels', `${bad} label(s) on the GPU were outside [0, classes) and not the ignore index; they were left out`);
      const flags = u[FLAGS_WORD];
      const nllSum = flags & NLL_NAN ? NaN : flags & NLL_INF ? Infinity : f[0] + f[1];
      const entropySum = flags & ENT_NAN ? NaN : f[2] + f[3];
      return evaluationResult({ tokens: count(4), nllSum, entropySum, hits: count(6), topKHits: count(8) });
    });
  }

  /** Starts over: the sums back to zero (after the batches already added). */
  reset(): Promise<void> {
    return this.#then(async () => {
      const acc = this.#alive();
      this.#ctx.device.queue.writeBuffer(acc.buffer, acc.offset, new Uint32Array(ACC_WORDS));
    });
  }

  /** Frees the running sums; later calls reject with DeviceError DISPOSED. */
  dispose(): void {
    this.#acc?.destroy();
    this.#acc = null;
  }

  /**
   * The same as `dispose()`, for `using ev = wl.evaluator()`.
   * @example
   * {
   *   using ev = wl.evaluator();
   *   await ev.add(logits, labels);
   *   console.log(await ev.read());
   * }   // ev is disposed here
   */
  declare [Symbol.dispose]: () => void;

  static {
    // Defined on the prototype under DISPOSE: Symbol.dispose, or where a runtime lacks it the
    // symbol TypeScript's `using` falls back to.
    Object.defineProperty(GpuEvaluator.prototype, DISPOSE, { value(this: GpuEvaluator) { this.dispose(); } });
  }
}
