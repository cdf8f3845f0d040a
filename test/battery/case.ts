// A bad-input case as data: which entry point, with which arguments (hostile values written as
// tokens, test/battery/make.ts), and what each implementation must answer. The same rows run on
// the GPU (the test page, Dawn), the CPU fallback and the float64 oracle, and cross to the page
// through the wire codec.

/** Who runs a case: WebGPULoss, CpuLoss, the oracle's functions, or an adapter's area. */
export type Target = 'gpu' | 'cpu' | 'oracle' | 'tfjs' | 'onnxruntime' | 'node';

/** An error as [class name, code, argument], or 'ok' for a call that must succeed. */
export type Want = readonly [name: string, code: string, argument: string | undefined] | 'ok';

export interface Case {
  /** Unique within its table; the test's title. */
  name: string;
  /** The entry point, a key of the target's entry map (test/battery/entries.ts). */
  call: string;
  args: unknown[];
  want: Want;
  /** Targets that answer otherwise, each with the reason in `why`. */
  on?: Partial<Record<Target, Want>>;
  why?: string;
  /** Text the error's message must hold. */
  says?: string;
  /** The most reads each counted getter or proxy (by its token's id) may see. */
  reads?: Record<string, number>;
  /** Only these targets run the case (default: every target that has `call`). */
  targets?: readonly Target[];
}

export const OK = 'ok' as const;
export const shape = (argument: string, code: 'INVALID_SHAPE' | 'SHAPE_MISMATCH' = 'INVALID_SHAPE'): Want => ['ShapeError', code, argument];
export const dtype = (argument: string): Want => ['DTypeError', 'INVALID_DTYPE', argument];
export const option = (argument: string): Want => ['OptionError', 'INVALID_OPTION', argument];
export const label = (argument: string): Want => ['LabelRangeError', 'LABEL_OUT_OF_RANGE', argument];
export const buffer = (argument: string, code: 'BUFFER_TOO_SMALL' | 'BUFFER_USAGE' | 'TOO_LARGE' = 'BUFFER_USAGE'): Want => ['BufferError', code, argument];
export const device = (code: string, argument?: string): Want => ['DeviceError', code, argument];

/** The entry points each target has (a case whose call a target lacks does not run there). */
const OPS = ['softmax', 'logSoftmax', 'crossEntropy', 'binaryCrossEntropy', 'entropy', 'klDivergence', 'linearCrossEntropy', 'focalLoss', 'binaryFocalLoss', 'jsDivergence', 'linearJsDivergence'];
export const CALLS: Record<Target, readonly string[]> = {
  gpu: [...OPS, 'tensor', 'wrap', 'empty', 'fromInt64', 'checkLabels', 'warmup', 'read', 'create', 'createLoss', 'evaluator', 'evaluatorAdd'],
  cpu: [...OPS, 'tensor', 'checkLabels', 'warmup', 'read', 'createLoss', 'evaluator', 'evaluatorAdd'],
  oracle: [...OPS, 'evaluator', 'evaluatorAdd'],
  tfjs: [],
  onnxruntime: [],
  node: ['createNodeLoss'],
};

export function appliesTo(c: Case, target: Target): boolean {
  return c.targets ? c.targets.includes(target) : CALLS[target].includes(c.call);
}

export function wantOn(c: Case, target: Target): Want {
  return c.on?.[target] ?? c.want;
}
