// linearJsDivergence's shapes and options, checked once per call for the GPU kernel and the oracle.
import type { LinearJSDivergenceOptions, TeacherHead } from '../types';
import { ShapeError } from '../errors';
import { bool, finite, optionsObject } from '../options';
import { keysOf } from '../keys';
import { formatShape } from '../tensor';
import { parseJSDOptions, type JSDConfig } from './jsd';

export const LINEAR_JSD_KEYS = keysOf<LinearJSDivergenceOptions>()(['beta', 'temperature', 'labels', 'ignoreIndex', 'allIgnored', 'reduction', 'grad', 'bias', 'frozenHead', 'memoryBudget']);

/** Default bytes of student logits plus their gradient held at once. */
export const LINEAR_JSD_BUDGET = 64 * 2 ** 20;

export interface LinearJSDConfig extends JSDConfig {
  readonly frozenHead: boolean;
  readonly memoryBudget: number;
}

/** Sizes of a call: N rows, D features, V classes. */
export interface LinearJSDShapes {
  readonly n: number;
  readonly d: number;
  readonly v: number;
}

/** hidden [N, D], weight [V, D], teacher [N, V] (undefined: a TeacherHead, checked by teacherHeadShapes), bias [V] (argument names as the API's). */
export function linearJSDShapes(hidden: readonly number[], weight: readonly number[], teacher: readonly number[] | undefined, bias: readonly number[] | undefined): LinearJSDShapes {
  if (hidden.length !== 2) throw new ShapeError('hidden', `expected shape [N, D], got ${formatShape(hidden)}`, 'INVALID_SHAPE');
  if (weight.length !== 2) throw new ShapeError('weight', `expected shape [V, D], got ${formatShape(weight)}`, 'INVALID_SHAPE');
  const [n, d] = hidden;
  const [v, dw] = weight;
  if (n < 1 || d < 1) throw new ShapeError('hidden', `shape ${formatShape(hidden)} must hold dimensions >= 1`, 'INVALID_SHAPE');
  if (v < 1) throw new ShapeError('weight', `shape ${formatShape(weight)} must hold dimensions >= 1`, 'INVALID_SHAPE');
  if (dw !== d) throw new ShapeError('weight', `shape ${formatShape(weight)} must have D = ${d} columns, as hidden ${formatShape(hidden)}`);
  if (teacher && (teacher.length !== 2 || teacher[0] !== n || teacher[1] !== v)) throw new ShapeError('teacher', `shape ${formatShape(teacher)} must be [${n}, ${v}] (hidden's rows, weight's classes)`);
  if (bias && (bias.length !== 1 || bias[0] !== v)) throw new ShapeError('options.bias', `shape ${formatShape(bias)} must be [${v}] (one per class)`);
  return Object.freeze({ n, d, v });
}

export const TEACHER_HEAD_KEYS = keysOf<TeacherHead>()(['hidden', 'weight', 'bias']);

/**
 * Whether linearJsDivergence's `teacher` is a TeacherHead ({ hidden, weight, bias? }) rather than
 * logits: an object without a `shape` that names `hidden` or `weight`. Anything else is taken as
 * a tensor, whose checks then say what is wrong.
 */
export function isTeacherHead(t: unknown): t is TeacherHead<unknown> {
  if (typeof t !== 'object' || t === null) return false;
  try {
    return !('shape' in t) && ('hidden' in t || 'weight' in t);
  } catch {
    return false;
  }
}

/**
 * linearJsDivergence's teacher read once: a TeacherHead's fields (see teacherHeadFields), or
 * undefined for a tensor. An object that is neither (no `shape`, no `hidden` / `weight`) is
 * refused here, naming both forms, rather than as a tensor without a shape.
 */
export function teacherHeadOf<T>(t: T | TeacherHead<T>): TeacherHead<T> | undefined {
  if (isTeacherHead(t)) return teacherHeadFields(t as TeacherHead<T>);
  let keys: string[] | undefined;
  try {
    if (typeof t === 'object' && t !== null && !Array.isArray(t) && !ArrayBuffer.isView(t) && !('shape' in t)) keys = Object.keys(t);
  } catch {
    keys = undefined;
  }
  if (keys && keys.length > 0) {
    throw new ShapeError('teacher', `must be the teacher's logits { data, shape } or its head { hidden, weight, bias? }, got an object with ${keys.map((k) => `'${k}'`).join(', ')}`, 'INVALID_SHAPE');
  }
  return undefined;
}

/** A TeacherHead's fields read once (unknown fields refused, as options are), each named `teacher.<field>`. */
export function teacherHeadFields<T>(t: TeacherHead<T>): TeacherHead<T> {
  const o = optionsObject(t, TEACHER_HEAD_KEYS, 'teacher');
  return { hidden: o.hidden as T, weight: o.weight as T, ...(o.bias !== undefined ? { bias: o.bias as T } : {}) };
}

/** The teacher head's shapes against the student's N and V: hidden [N, Dt], weight [V, Dt], bias [V]. Returns Dt. */
export function teacherHeadShapes(s: LinearJSDShapes, hidden: readonly number[], weight: readonly number[], bias: readonly number[] | undefined): number {
  if (hidden.length !== 2 || hidden[0] !== s.n || hidden[1] < 1) {
    throw new ShapeError('teacher.hidden', `shape ${formatShape(hidden)} must be [${s.n}, Dt] (the student's rows, Dt >= 1 teacher features)`);
  }
  const dt = hidden[1];
  if (weight.length !== 2 || weight[0] !== s.v || weight[1] !== dt) {
    throw new ShapeError('teacher.weight', `shape ${formatShape(weight)} must be [${s.v}, ${dt}] (the student's classes, teacher.hidden's columns)`);
  }
  if (bias && (bias.length !== 1 || bias[0] !== s.v)) throw new ShapeError('teacher.bias', `shape ${formatShape(bias)} must be [${s.v}] (one per class)`);
  return dt;
}

/** Takes the options snapshot (optionsObject with LINEAR_JSD_KEYS): jsDivergence's, frozenHead, memoryBudget. */
export function parseLinearJSDOptions(o: Record<string, unknown>): LinearJSDConfig {
  const jsd = parseJSDOptions(o);
  const memoryBudget = finite(o.memoryBudget, 'options.memoryBudget', LINEAR_JSD_BUDGET,
    (x) => Number.isInteger(x) && x >= 1 && x <= Number.MAX_SAFE_INTEGER, 'a whole number of bytes >= 1');
  return Object.freeze({ ...jsd, frozenHead: bool(o.frozenHead, 'options.frozenHead'), memoryBudget });
}
