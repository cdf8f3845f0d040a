// A plain JavaScript loop: per row, the max, then the sum of exp(x - max) in float64, then
// loss = max + log(sum) - x[label]; the mean over rows. What one writes without a library.
import type { Inputs } from '../data';
import type { ImplSpec, Instance } from './types';

export function plainLoss(x: Float32Array, labels: Int32Array, rows: number, V: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * V;
    let m = -Infinity;
    for (let c = 0; c < V; c++) if (x[off + c] > m) m = x[off + c];
    let s = 0;
    for (let c = 0; c < V; c++) s += Math.exp(x[off + c] - m);
    total += m + Math.log(s) - x[off + labels[r]];
  }
  return total / rows;
}

async function setupJs(inp: Inputs): Promise<Instance> {
  let last = NaN;
  return {
    async call() {
      last = plainLoss(inp.logits, inp.labels, inp.rows, inp.classes);
    },
    async result() {
      return { value: last };
    },
    dispose() {},
  };
}

export const JS: ImplSpec[] = [
  { id: 'js', label: 'plain JavaScript loop (float64)', backend: 'js', work: 'forward', slow: true, setup: (_e, i) => setupJs(i) },
];
