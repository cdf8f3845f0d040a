// Valid arguments of every operation, and where each tensor argument sits, for the tables to
// spoil one argument at a time.
import type { Target, Want } from './case';

/** Valid as logits, as probabilities and as binary targets. */
export const X = { data: [0.1, 0.2, 0.7, 0.3, 0.3, 0.4], shape: [2, 3] };
export const Y = { data: [0, 2], shape: [2] };
/** linearCrossEntropy: hidden [N=2, D=2], weight [V=3, D], bias [V]. */
export const H = { data: [0.5, -1, 2, 0.25], shape: [2, 2] };
export const W = { data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], shape: [3, 2] };
export const B = { data: [0, 0.1, -0.1], shape: [3] };

/** Each operation's valid arguments, options last. */
export const VALID: Record<string, unknown[]> = {
  softmax: [X, {}],
  logSoftmax: [X, {}],
  crossEntropy: [X, Y, {}],
  binaryCrossEntropy: [X, X, {}],
  entropy: [X, {}],
  klDivergence: [X, X, {}],
  linearCrossEntropy: [H, W, Y, {}],
  focalLoss: [X, Y, {}],
  binaryFocalLoss: [X, X, {}],
  jsDivergence: [X, X, {}],
  linearJsDivergence: [H, W, X, {}],
};
export const OPERATIONS = Object.keys(VALID);

type TeacherField = 'teacher.hidden' | 'teacher.weight' | 'teacher.bias';
/** linearJsDivergence with the teacher as its hidden states and head (Dt = 2). */
const TEACHER_HEAD = [H, W, { hidden: H, weight: W, bias: B }, {}];

/** A tensor argument: the operation, the name errors give it, what it holds, and where it goes. */
export interface Slot {
  op: string;
  argument: string;
  kind: 'float' | 'labels';
  /**
   * Its index in the arguments, 'bias' for linearCrossEntropy's (and linearJsDivergence's)
   * options.bias, or a field of linearJsDivergence's teacher given as a head (the third argument).
   */
  at: number | 'bias' | TeacherField;
  /** The valid arguments it is put among. */
  args: unknown[];
}

export const SLOTS: Slot[] = [
  { op: 'softmax', argument: 'input', kind: 'float', at: 0, args: VALID.softmax },
  { op: 'logSoftmax', argument: 'input', kind: 'float', at: 0, args: VALID.logSoftmax },
  { op: 'crossEntropy', argument: 'input', kind: 'float', at: 0, args: VALID.crossEntropy },
  { op: 'crossEntropy', argument: 'target', kind: 'labels', at: 1, args: VALID.crossEntropy },
  { op: 'crossEntropy', argument: 'target', kind: 'float', at: 1, args: [X, X, {}] },
  { op: 'binaryCrossEntropy', argument: 'input', kind: 'float', at: 0, args: VALID.binaryCrossEntropy },
  { op: 'binaryCrossEntropy', argument: 'target', kind: 'float', at: 1, args: VALID.binaryCrossEntropy },
  { op: 'entropy', argument: 'input', kind: 'float', at: 0, args: VALID.entropy },
  { op: 'klDivergence', argument: 'input', kind: 'float', at: 0, args: VALID.klDivergence },
  { op: 'klDivergence', argument: 'target', kind: 'float', at: 1, args: VALID.klDivergence },
  { op: 'linearCrossEntropy', argument: 'hidden', kind: 'float', at: 0, args: VALID.linearCrossEntropy },
  { op: 'linearCrossEntropy', argument: 'weight', kind: 'float', at: 1, args: VALID.linearCrossEntropy },
  { op: 'linearCrossEntropy', argument: 'labels', kind: 'labels', at: 2, args: VALID.linearCrossEntropy },
  { op: 'linearCrossEntropy', argument: 'options.bias', kind: 'float', at: 'bias', args: [H, W, Y, { bias: B }] },
  { op: 'focalLoss', argument: 'input', kind: 'float', at: 0, args: VALID.focalLoss },
  { op: 'focalLoss', argument: 'target', kind: 'labels', at: 1, args: VALID.focalLoss },
  { op: 'focalLoss', argument: 'target', kind: 'float', at: 1, args: [X, X, {}] },
  { op: 'binaryFocalLoss', argument: 'input', kind: 'float', at: 0, args: VALID.binaryFocalLoss },
  { op: 'binaryFocalLoss', argument: 'target', kind: 'float', at: 1, args: VALID.binaryFocalLoss },
  { op: 'jsDivergence', argument: 'student', kind: 'float', at: 0, args: VALID.jsDivergence },
  { op: 'jsDivergence', argument: 'teacher', kind: 'float', at: 1, args: VALID.jsDivergence },
  { op: 'linearJsDivergence', argument: 'hidden', kind: 'float', at: 0, args: VALID.linearJsDivergence },
  { op: 'linearJsDivergence', argument: 'weight', kind: 'float', at: 1, args: VALID.linearJsDivergence },
  { op: 'linearJsDivergence', argument: 'teacher', kind: 'float', at: 2, args: VALID.linearJsDivergence },
  { op: 'linearJsDivergence', argument: 'options.bias', kind: 'float', at: 'bias', args: [H, W, X, { bias: B }] },
  { op: 'linearJsDivergence', argument: 'teacher.hidden', kind: 'float', at: 'teacher.hidden', args: TEACHER_HEAD },
  { op: 'linearJsDivergence', argument: 'teacher.weight', kind: 'float', at: 'teacher.weight', args: TEACHER_HEAD },
  { op: 'linearJsDivergence', argument: 'teacher.bias', kind: 'float', at: 'teacher.bias', args: TEACHER_HEAD },
];

const teacherKey = (at: TeacherField) => at.slice('teacher.'.length);

/** The valid tensor in a slot. */
export function tensorAt(s: Slot): { data: number[]; shape: number[] } {
  const at = s.at;
  const t = at === 'bias' ? (s.args[3] as { bias: unknown }).bias : typeof at === 'number' ? s.args[at] : (s.args[2] as Record<string, unknown>)[teacherKey(at)];
  return t as { data: number[]; shape: number[] };
}

/** The slot's arguments with its tensor replaced. */
export function withTensor(s: Slot, t: unknown): unknown[] {
  const args = [...s.args];
  const at = s.at;
  if (at === 'bias') args[3] = { ...(args[3] as object), bias: t };
  else if (typeof at === 'number') args[at] = t;
  else args[2] = { ...(args[2] as object), [teacherKey(at)]: t };
  return args;
}

/** A slot's title: 'crossEntropy target (labels)'. */
export function slotTitle(s: Slot): string {
  const dense = (s.op === 'crossEntropy' || s.op === 'focalLoss') && s.argument === 'target' ? (s.kind === 'labels' ? ' (labels)' : ' (dense)') : '';
  return `${s.op} ${s.argument}${dense}`;
}

/** Error classes by a short name, each naming the slot's argument. */
export const BY_NAME: Record<string, (argument: string) => Want> = {
  ok: () => 'ok',
  shape: (a) => ['ShapeError', 'INVALID_SHAPE', a],
  mismatch: (a) => ['ShapeError', 'SHAPE_MISMATCH', a],
  dtype: (a) => ['DTypeError', 'INVALID_DTYPE', a],
  label: (a) => ['LabelRangeError', 'LABEL_OUT_OF_RANGE', a],
  option: (a) => ['OptionError', 'INVALID_OPTION', a],
};
export type ErrorName = keyof typeof BY_NAME;

/** Per-target answers by short name: `{ all: 'dtype', oracle: 'ok' }`. */
export type Answers = ErrorName | ({ all: ErrorName } & Partial<Record<Target, ErrorName>>);

export function answer(a: Answers, argument: string): { want: Want; on?: Partial<Record<Target, Want>> } {
  if (typeof a === 'string') return { want: BY_NAME[a](argument) };
  const { all, ...rest } = a;
  const on = Object.fromEntries(Object.entries(rest).map(([t, n]) => [t, BY_NAME[n as ErrorName](argument)]));
  return { want: BY_NAME[all](argument), on };
}
