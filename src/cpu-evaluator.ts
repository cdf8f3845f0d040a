// CpuLoss's streaming evaluator: the oracle's, behind the GPU evaluator's asynchronous face.
import type { HostTensor } from './contract/types';
import { DeviceError } from './contract/errors';
import { DISPOSE } from './contract/dispose';
import type { EvaluationResult, Evaluator, EvaluatorOptions } from './contract/configs/evaluator';
import { evaluator, type RefEvaluator } from './reference/evaluator';


/**
 * The streaming evaluator on the CPU (float64 sums), as `WebGPULoss.evaluator`'s.
 * @example
 * const ev = wl.evaluator({ topK: 5 });
 * await ev.add({ data: logits, shape: [rows, classes] }, { data: labels, shape: [rows] });
 * const { nll, accuracy } = await ev.read();
 */
export class CpuEvaluator implements Evaluator {
  #ev: RefEvaluator | null;
  readonly #host: (t: unknown) => HostTensor;

  /** `host`: an argument's host data (CpuLoss's: a CpuTensor's values, or the data as given). */
  constructor(opts: EvaluatorOptions | undefined, host: (t: unknown) => HostTensor) {
    this.#ev = evaluator(opts);
    this.#host = host;
  }

  #alive(): RefEvaluator {
    if (!this.#ev) throw new DeviceError('DISPOSED', 'this evaluator was disposed', 'evaluator');
    return this.#ev;
  }

  async add(logits: unknown, labels: unknown): Promise<void> {
    this.#alive().add(this.#host(logits), this.#host(labels));
  }

  async read(): Promise<EvaluationResult> {
    return this.#alive().read();
  }

  async reset(): Promise<void> {
    this.#alive().reset();
  }

  dispose(): void {
    this.#ev = null;
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
    Object.defineProperty(CpuEvaluator.prototype, DISPOSE, { value(this: CpuEvaluator) { this.dispose(); } });
  }
}
