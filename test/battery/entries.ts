// The entry points each target calls a case's `call` by: WebGPULoss's methods and statics,
// CpuLoss's, the oracle's functions.
import { createLoss, CpuLoss, WebGPULoss, type GpuTensor } from '../../src/index';
import * as ref from '../../src/reference/index';
import type { Entries, Entry } from './run';

const OPS = ['softmax', 'logSoftmax', 'crossEntropy', 'binaryCrossEntropy', 'entropy', 'klDivergence', 'linearCrossEntropy', 'focalLoss', 'binaryFocalLoss', 'jsDivergence', 'linearJsDivergence'] as const;

function methods(o: object, names: readonly string[]): Entries {
  const m = o as Record<string, Entry>;
  return Object.fromEntries(names.map((n) => [n, (...a: unknown[]) => m[n](...a)]));
}

/** evaluator(options), and add(logits, labels) on a fresh one (disposed after). */
function evaluatorEntries(make: (o?: unknown) => { add(x: unknown, y: unknown): unknown; dispose?(): void }): Entries {
  return {
    evaluator: (...a) => make(...(a as [unknown])),
    evaluatorAdd: async (x, y, o) => {
      const ev = make(o);
      try {
        await ev.add(x, y);
      } finally {
        ev.dispose?.();
      }
    },
  };
}

/** A tensor's read(), for tensors the case made (a GpuTensor or CpuTensor). */
const read: Entry = (t) => (t as GpuTensor).read();

export function gpuEntries(wl: WebGPULoss): Entries {
  return {
    ...methods(wl, [...OPS, 'tensor', 'wrap', 'empty', 'fromInt64', 'checkLabels', 'warmup']),
    read,
    create: (o) => WebGPULoss.create(o as never),
    createLoss: (o) => createLoss(o as never),
    ...evaluatorEntries((o) => wl.evaluator(o as never)),
  };
}

export function cpuEntries(cpu: CpuLoss): Entries {
  return { ...methods(cpu, [...OPS, 'tensor', 'checkLabels', 'warmup']), read, createLoss: (o) => createLoss(o as never), ...evaluatorEntries((o) => cpu.evaluator(o as never)) };
}

export const oracleEntries: Entries = { ...methods(ref, OPS), ...evaluatorEntries((o) => ref.evaluator(o as never)) };
