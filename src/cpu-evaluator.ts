// CpuLoss's streaming evaluator: the oracle's, behind the GPU evaluator's asynchronous face.
import type { HostTensor } from './contract/types';
import { DeviceError } from './contract/errors';
import { DISPOSE } from './contract/dispose';
import type { EvaluationResult, Evaluator, EvaluatorOptions } from './contract/configs/evaluator';
import { evaluator, type RefEvaluator } from './reference/evaluator';

/** Host data, or anything with `toHost()` (a CpuTensor). */
type CpuArg = HostTensor | { toHost(): HostTensor };

const host = (t: CpuArg): HostTensor => (typeof (t as { toHost?: unknown }).toHost === 'function' ? (t as { toHost(): HostTensor }).toHost() : (t as HostTensor));

/**
 * The streaming evaluator on the CPU (float64 sums), as `WebGPULoss.evaluator`'s.
 * @example
 * const ev = wl.evaluator({ topK: 5 });
 * await ev.add({ data: logits, shape: [rows, classes] }, { data: labels, shape: [rows] });
 * const { nll, accuracy } = await ev.read();
 */
export class CpuEvaluator implements Evaluator {
  #ev: RefEvaluator | null;

  constructor(opts: EvaluatorOptions | undefined) {
    this.#ev = evaluator(opts);
  }

  #alive(): RefEvaluator {
    if (!this.#ev) throw new DeviceError('DISPOSED', 'this evaluator was disposed', 'evaluator');
    return this.#ev;
  }

  async add(logits: CpuArg, labels: CpuArg): Promise<void> {
    this.#alive().add(host(logits), host(labels));
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

  [DISPOSE](): void {
    this.dispose();
  }
}
