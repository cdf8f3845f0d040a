// Argument checks shared by the reference functions. Every check runs before any arithmetic, and each
// error names the argument at fault (`'target'`, `'options.weight'`) so GPU and CPU paths can be
// held to the same contract.

import type { HostTensor } from '../types';
import { DTypeError, LabelRangeError, OptionError, ShapeError } from '../errors';

/** A tensor seen as `[rows, cols]`, row-major. A 1-D tensor `[n]` is one row `[1, n]`. */
export interface Matrix {
  readonly data: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function isBigIntArray(data: object): boolean {
  return data instanceof BigInt64Array || data instanceof BigUint64Array;
}

/**
 * Checks that `t` is `{ data, shape }` with non-negative integer dims of at least 1, numeric data and
 * `data.length` equal to the product of the dims. Returns the shape as a plain array.
 */
export function checkTensor(t: unknown, name: string): number[] {
  if (typeof t !== 'object' || t === null) {
    throw new ShapeError(name, 'expected a tensor { data, shape }', 'INVALID_SHAPE');
  }
  const { data, shape } = t as { data?: unknown; shape?: unknown };
  if (!Array.isArray(shape)) {
    throw new ShapeError(name, 'shape must be an array of dimensions', 'INVALID_SHAPE');
  }
  for (const d of shape as unknown[]) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
      throw new ShapeError(name, `shape ${String(shape)} must hold integer dimensions >= 1`, 'INVALID_SHAPE');
    }
  }
  const dims = shape as number[];
  if (typeof data !== 'object' || data === null || typeof (data as { length?: unknown }).length !== 'number') {
    throw new DTypeError(name, 'data must be an array or typed array of numbers');
  }
  if (isBigIntArray(data) || data instanceof DataView) {
    throw new DTypeError(name, `data must hold numbers, got ${data.constructor.name}`);
  }
  const values = data as ArrayLike<unknown>;
  if (!ArrayBuffer.isView(data)) {
    // Plain arrays may hold anything; typed arrays (other than BigInt ones) always hold numbers.
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== 'number') {
        throw new DTypeError(name, `data[${i}] is ${typeof values[i]}, expected a number`);
      }
    }
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (values.length !== size) {
    const message = `data has ${values.length} values but shape ${formatShape(dims)} needs ${size}`;
    throw new ShapeError(name, message, 'INVALID_SHAPE');
  }
  return dims.slice();
}

/** Checks a 1-D or 2-D tensor and returns it as `[rows, cols]` (a 1-D `[n]` is `[1, n]`). */
export function asMatrix(t: HostTensor, name: string): Matrix {
  const shape = checkTensor(t, name);
  if (shape.length === 1) return { data: t.data, rows: 1, cols: shape[0] };
  if (shape.length === 2) return { data: t.data, rows: shape[0], cols: shape[1] };
  throw new ShapeError(name, `expected shape [rows, classes] or [classes], got ${formatShape(shape)}`, 'INVALID_SHAPE');
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Checks that `t` has exactly the shape of the input (same rank too) and returns it as a matrix. */
export function matchingMatrix(t: HostTensor, name: string, input: HostTensor, inputName: string): Matrix {
  const shape = checkTensor(t, name);
  if (!sameShape(shape, input.shape)) {
    throw new ShapeError(name, `shape ${formatShape(shape)} must equal ${inputName} shape ${formatShape(input.shape)}`);
  }
  return asMatrix(t, name);
}

/**
 * Checks sparse labels: integers in [0, classes) or equal to `ignoreIndex`.
 * Called only after the label tensor's shape is known to be `[rows]`.
 */
export function checkLabels(labels: ArrayLike<number>, classes: number, ignoreIndex: number, name: string): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    const ok = Number.isInteger(y) && ((y >= 0 && y < classes) || y === ignoreIndex);
    if (!ok) {
      throw new LabelRangeError(
        name,
        `row ${i} has label ${y}; labels must be integers in [0, ${classes}) or equal to ignoreIndex (${ignoreIndex})`,
      );
    }
  }
}

// ---- options ----------------------------------------------------------------------------------

/** `undefined` means no options; anything else must be a plain object. Unknown keys are ignored. */
export function optionsObject(opts: unknown): Record<string, unknown> {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new OptionError('options', 'must be an object or undefined');
  }
  return opts as Record<string, unknown>;
}

/** One of a fixed set of values, or `def` when absent. */
export function oneOf<T extends string | number>(value: unknown, allowed: readonly T[], name: string, def: T): T {
  if (value === undefined) return def;
  if (!(allowed as readonly unknown[]).includes(value)) {
    const list = allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ');
    throw new OptionError(name, `must be one of ${list}, got ${String(value)}`);
  }
  return value as T;
}

export function bool(value: unknown, name: string, def = false): boolean {
  if (value === undefined) return def;
  if (typeof value !== 'boolean') throw new OptionError(name, `must be a boolean, got ${String(value)}`);
  return value;
}

/** A finite number accepted by `ok`, or `def` when absent; `expect` words the rule for the message. */
export function finite(value: unknown, name: string, def: number, ok: (x: number) => boolean, expect: string): number {
  if (value === undefined) return def;
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new OptionError(name, `must be ${expect}, got ${String(value)}`);
  }
  return value;
}

export function integer(value: unknown, name: string, def: number): number {
  if (value === undefined) return def;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new OptionError(name, `must be an integer, got ${String(value)}`);
  }
  return value;
}

/** Probability clip ε in (0, 0.5), default `def`. */
export function epsilonOption(value: unknown, name: string, def: number): number {
  return finite(value, name, def, (x) => x > 0 && x < 0.5, 'a number in (0, 0.5)');
}

/** Per-class weights: an array of `n` finite numbers >= 0, or `null` when absent. */
export function weightsOption(value: unknown, name: string, n: number): Float64Array | null {
  if (value === undefined) return null;
  return nonNegativeArray(value, name, n, 'classes');
}

/** A number for every column, or one per column (length `n`); finite and >= 0. */
export function perColumnOption(value: unknown, name: string, n: number, def: number): Float64Array {
  if (value === undefined || typeof value === 'number') {
    const v = finite(value, name, def, (x) => x >= 0, 'a finite number >= 0');
    return new Float64Array(n).fill(v);
  }
  return nonNegativeArray(value, name, n, 'columns');
}

function nonNegativeArray(value: unknown, name: string, n: number, what: string): Float64Array {
  if (typeof value !== 'object' || value === null || typeof (value as { length?: unknown }).length !== 'number') {
    throw new OptionError(name, `must be an array of ${n} numbers`);
  }
  const arr = value as ArrayLike<unknown>;
  if (arr.length !== n) throw new OptionError(name, `has length ${arr.length}, expected ${n} (the number of ${what})`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new OptionError(name, `[${i}] is ${String(v)}; entries must be finite numbers >= 0`);
    }
    out[i] = v;
  }
  return out;
}
