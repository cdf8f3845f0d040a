// warmup() for the operations without a pipeline list of their own: each option set is warmed by
// the call itself, on a few rows of zeros at the shapes that pick each of the launch policy's row
// kernels (a thread per row, a workgroup per row), so whatever pipelines the call uses, and only
// those, are compiled. Zeros are valid data for every operation; the results are freed.
import type { BinaryCrossEntropyOptions, BinaryFocalLossOptions, EntropyOptions, FocalLossOptions, HalfDType, HostTensor, JSDivergenceOptions, KLDivergenceOptions, LinearJSDivergenceOptions, SoftmaxOptions } from './contract/types';
import { OptionError } from './contract/errors';
import { bool, oneOf, optionsObject } from './contract/options';
import { show } from './contract/show';
import { SOFTMAX_KEYS, parseSoftmaxOptions } from './contract/configs/softmax';
import { ENTROPY_KEYS, KL_DIVERGENCE_KEYS, parseEntropyOptions, parseKLDivergenceOptions } from './contract/configs/entropy';
import { BINARY_CROSS_ENTROPY_KEYS, parseBinaryCrossEntropyOptions } from './contract/configs/binary-cross-entropy';
import { BINARY_FOCAL_KEYS, FOCAL_KEYS, parseBinaryFocalOptions, parseFocalOptions } from './contract/configs/focal';
import { JSD_KEYS, parseJSDOptions } from './contract/configs/jsd';
import { LINEAR_JSD_KEYS, parseLinearJSDOptions } from './contract/configs/linear-jsd';
import { EVALUATOR_KEYS, parseEvaluatorOptions, type EvaluatorOptions } from './contract/configs/evaluator';
import type { WebGPULoss } from './loss';

/**
 * Option sets per operation for warmup(); tensors in options (labels, bias) count by their
 * presence, `dtype: 'float16' | 'bfloat16'` stands for 16-bit inputs and targets (default float32).
 */
export interface WarmCallOptions {
  /** softmax option sets; `log: true` for logSoftmax. */
  softmax?: (SoftmaxOptions & { log?: boolean } & { dtype?: 'float32' | HalfDType })[];
  entropy?: (EntropyOptions & { dtype?: 'float32' | HalfDType })[];
  klDivergence?: (KLDivergenceOptions & { dtype?: 'float32' | HalfDType })[];
  /** Per-column `weight` / `posWeight` count by their kind (a number or per column), not their length. */
  binaryCrossEntropy?: (BinaryCrossEntropyOptions & { dtype?: 'float32' | HalfDType })[];
  binaryFocalLoss?: (BinaryFocalLossOptions & { dtype?: 'float32' | HalfDType })[];
  /** `target: 'dense'` for dense targets (default `'labels'`); a per-class `alpha` counts by its kind. */
  focalLoss?: (FocalLossOptions & { target?: 'labels' | 'dense' } & { dtype?: 'float32' | HalfDType })[];
  /** `labels: true` stands for "with labels". */
  jsDivergence?: (Omit<JSDivergenceOptions, 'labels'> & { labels?: boolean } & { dtype?: 'float32' | HalfDType })[];
  /**
   * `labels: true` / `bias: true` stand for "with labels" / "with a bias"; `teacherHead: true` for a
   * teacher given as its hidden states and head; `dtype` is hidden's, weight's and the teacher's.
   */
  linearJsDivergence?: (Omit<LinearJSDivergenceOptions, 'labels' | 'bias'> & { labels?: boolean; bias?: boolean; teacherHead?: boolean; dtype?: 'float32' | HalfDType })[];
  /** evaluator() option sets (warmed by an `add` and a `read`). */
  evaluator?: (EvaluatorOptions & { dtype?: 'float32' | HalfDType })[];
}

type Set = Record<string, unknown>;
type Shape = readonly [rows: number, cols: number];
// Rows of at most 32 classes get a thread each; one longer row a workgroup (launch.ts threadPerRow).
const ROW_SHAPES: Shape[] = [[2, 4], [1, 33]];
const ELEMENT_SHAPES: Shape[] = [[2, 4]];

const zeros = (rows: number, cols: number, dtype: unknown): HostTensor =>
  dtype === 'float16' || dtype === 'bfloat16'
    ? { data: new Uint16Array(rows * cols), shape: [rows, cols], dtype }
    : { data: new Float32Array(rows * cols), shape: [rows, cols] };
const labels = (rows: number): HostTensor => ({ data: new Int32Array(rows), shape: [rows] });
/** A per-class (per-column) array option, resized to `cols` ones; a number or nothing as it is. */
const perClass = (v: unknown, cols: number) => (typeof v === 'object' && v !== null ? new Array<number>(cols).fill(1) : v);
/** The class count a per-class array option implies, for checking the set (2 without one). */
const classesOf = (...vs: unknown[]) => {
  const a = vs.find((v) => typeof v === 'object' && v !== null) as ArrayLike<number> | undefined;
  return a && typeof a.length === 'number' && a.length > 0 ? a.length : 2;
};
const dtypeOf = (v: unknown) => oneOf(v, ['float32', 'float16', 'bfloat16'] as const, 'options.dtype', 'float32');
const presence = (v: unknown, name: string) => bool(v, `options.${name}`);

interface WarmCall {
  keys: readonly string[];
  shapes: Shape[];
  /** Throws the typed error a call with these options would (named within the set). */
  check: (s: Set) => void;
  /** The call on zeros of [rows, cols]; resolves once its results are freed. */
  run: (wl: WebGPULoss, s: Set, rows: number, cols: number) => Promise<void>;
}

const free = async (r: Promise<{ dispose(): void }>) => (await r).dispose();

/** Each operation warmed by its own call: option names (the call's and the warm-only ones), shapes, check, call. */
export const WARM_CALLS: Record<keyof WarmCallOptions, WarmCall> = {
  softmax: {
    keys: [...SOFTMAX_KEYS, 'log', 'dtype'],
    shapes: ROW_SHAPES,
    check: ({ log, dtype, ...o }) => (presence(log, 'log'), dtypeOf(dtype), parseSoftmaxOptions(o)),
    run: async (wl, { log, dtype, ...o }, r, c) => (await (log ? wl.logSoftmax(zeros(r, c, dtype), o) : wl.softmax(zeros(r, c, dtype), o))).destroy(),
  },
  entropy: {
    keys: [...ENTROPY_KEYS, 'dtype'],
    shapes: ROW_SHAPES,
    check: ({ dtype, ...o }) => (dtypeOf(dtype), parseEntropyOptions(o)),
    run: (wl, { dtype, ...o }, r, c) => free(wl.entropy(zeros(r, c, dtype), o)),
  },
  klDivergence: {
    keys: [...KL_DIVERGENCE_KEYS, 'dtype'],
    shapes: ROW_SHAPES,
    check: ({ dtype, ...o }) => (dtypeOf(dtype), parseKLDivergenceOptions(o)),
    run: (wl, { dtype, ...o }, r, c) => free(wl.klDivergence(zeros(r, c, dtype), zeros(r, c, dtype), o)),
  },
  binaryCrossEntropy: {
    keys: [...BINARY_CROSS_ENTROPY_KEYS, 'dtype'],
    shapes: ELEMENT_SHAPES,
    check: ({ dtype, ...o }) => (dtypeOf(dtype), parseBinaryCrossEntropyOptions(o, classesOf(o.weight, o.posWeight))),
    run: (wl, { dtype, weight, posWeight, ...o }, r, c) =>
      free(wl.binaryCrossEntropy(zeros(r, c, dtype), zeros(r, c, dtype), { ...o, weight: perClass(weight, c), posWeight: perClass(posWeight, c) } as BinaryCrossEntropyOptions)),
  },
  binaryFocalLoss: {
    keys: [...BINARY_FOCAL_KEYS, 'dtype'],
    shapes: ELEMENT_SHAPES,
    check: ({ dtype, ...o }) => (dtypeOf(dtype), parseBinaryFocalOptions(o)),
    run: (wl, { dtype, ...o }, r, c) => free(wl.binaryFocalLoss(zeros(r, c, dtype), zeros(r, c, dtype), o)),
  },
  focalLoss: {
    keys: [...FOCAL_KEYS, 'target', 'dtype'],
    shapes: ROW_SHAPES,
    check: ({ target, dtype, ...o }) => (oneOf(target, ['labels', 'dense'] as const, 'options.target', 'labels'), dtypeOf(dtype), parseFocalOptions(o, classesOf(o.alpha))),
    run: (wl, { target, dtype, alpha, ...o }, r, c) =>
      free(wl.focalLoss(zeros(r, c, dtype), target === 'dense' ? zeros(r, c, dtype) : labels(r), { ...o, alpha: perClass(alpha, c) } as FocalLossOptions)),
  },
  jsDivergence: {
    keys: [...JSD_KEYS, 'dtype'],
    shapes: ROW_SHAPES,
    check: ({ labels: l, dtype, ...o }) => (presence(l, 'labels'), dtypeOf(dtype), parseJSDOptions(o)),
    run: (wl, { labels: l, dtype, ...o }, r, c) => free(wl.jsDivergence(zeros(r, c, dtype), zeros(r, c, dtype), { ...o, labels: l ? labels(r) : undefined })),
  },
  linearJsDivergence: {
    keys: [...LINEAR_JSD_KEYS, 'teacherHead', 'dtype'],
    shapes: ROW_SHAPES,
    check: ({ labels: l, bias, teacherHead, dtype, ...o }) =>
      (presence(l, 'labels'), presence(bias, 'bias'), presence(teacherHead, 'teacherHead'), dtypeOf(dtype), parseLinearJSDOptions(o)),
    run: (wl, { labels: l, bias, teacherHead, dtype, ...o }, r, c) =>
      free(wl.linearJsDivergence(zeros(r, 4, dtype), zeros(c, 4, dtype), teacherHead ? { hidden: zeros(r, 4, dtype), weight: zeros(c, 4, dtype) } : zeros(r, c, dtype),
        { ...o, labels: l ? labels(r) : undefined, bias: bias ? { data: new Float32Array(c), shape: [c] } : undefined })),
  },
  evaluator: {
    keys: [...EVALUATOR_KEYS, 'dtype'],
    shapes: ROW_SHAPES,
    check: ({ dtype, ...o }) => (dtypeOf(dtype), parseEvaluatorOptions(o)),
    run: async (wl, { dtype, ...o }, r, c) => {
      const ev = wl.evaluator(o);
      try {
        await ev.add(zeros(r, c, dtype), labels(r));
        await ev.read();
      } finally {
        ev.dispose();
      }
    },
  },
};

/**
 * The option sets of one operation, checked: an array of objects of its option names, each valid
 * as a call's would be. An error names the set by its place: `options.focalLoss[1].gamma`.
 */
export function warmSets(list: unknown, key: string, keys: readonly string[], check: (s: Set) => void): Set[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw new OptionError(`options.${key}`, `must be an array of option sets, got ${show(list)}`);
  return list.map((set: unknown, i) => {
    const name = `options.${key}[${i}]`;
    if (set === undefined) throw new OptionError(name, 'must be an object of options, got undefined');
    const s = optionsObject(set, keys, name);
    try {
      check(s);
    } catch (e) {
      const arg = e instanceof OptionError ? e.argument : undefined;
      if (!arg?.startsWith('options')) throw e;
      throw new OptionError(`${name}${arg.slice('options'.length)}`, (e as OptionError).message.slice(arg.length + 2));
    }
    return s;
  });
}

/** Runs the checked option sets' calls, one after another (each at every shape of its operation). */
export async function warmCalls(wl: WebGPULoss, sets: Partial<Record<keyof WarmCallOptions, Set[]>>): Promise<void> {
  for (const [op, list] of Object.entries(sets) as [keyof WarmCallOptions, Set[] | undefined][]) {
    for (const s of list ?? []) for (const [rows, cols] of WARM_CALLS[op].shapes) await WARM_CALLS[op].run(wl, s, rows, cols);
  }
}
