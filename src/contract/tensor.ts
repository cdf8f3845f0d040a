// Tensor checks shared by the GPU kernels and the float64 oracle. Every check runs before any
// arithmetic or upload, and each error names the argument at fault (`'target'`, `'hidden'`), so
// both sides refuse the same inputs the same way.

import type { DType, HalfDType, HostTensor } from './types';
import { DTypeError, LabelRangeError, ShapeError, WebGPULossError } from './errors';
import { show, showShape, whyUnreadable } from './show';

/** A tensor seen as `[rows, cols]`, row-major. A 1-D tensor `[n]` is one row `[1, n]`. */
export interface Matrix {
  readonly data: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
}

export function formatShape(shape: readonly number[]): string {
  return showShape(shape);
}

function isBigIntArray(data: object): boolean {
  return data instanceof BigInt64Array || data instanceof BigUint64Array;
}

/**
 * Checks that `t` is `{ data, shape }` with non-negative integer dims of at least 1, numeric data and
 * `data.length` equal to the product of the dims. Returns the shape as a plain array. A tensor,
 * shape or data whose reads throw (a proxy, a getter) is refused like any other bad value.
 */
export function checkTensor(t: unknown, name: string): number[] {
  if (typeof t !== 'object' || t === null) {
    throw new ShapeError(name, `expected a tensor { data, shape }, got ${show(t)}`, 'INVALID_SHAPE');
  }
  let data: unknown;
  let shape: unknown;
  let dtype: unknown;
  try {
    ({ data, shape, dtype } = t as { data?: unknown; shape?: unknown; dtype?: unknown });
  } catch (e) {
    throw new ShapeError(name, `expected a tensor { data, shape }; it could not be read (${whyUnreadable(e)})`, 'INVALID_SHAPE');
  }
  const dims = readShape(shape, name);
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
      throw new ShapeError(name, `shape ${showShape(dims)} must hold integer dimensions >= 1`, 'INVALID_SHAPE');
    }
  }
  const size = (dims as number[]).reduce((a, b) => a * b, 1);
  const type = checkDType(dtype, name);
  const length = isHalf(type) ? halfBits(data, type, name).length : unreadableAsDType(name, () => {
    const values = numbers(data, name);
    // Plain arrays may hold anything; typed arrays (other than BigInt ones) always hold numbers.
    if (!ArrayBuffer.isView(values)) for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'number') throw notANumber(values[i], i, name);
    return values.length;
  });
  if (length !== size) {
    const message = `data has ${length} values but shape ${formatShape(dims as number[])} needs ${size}`;
    throw new ShapeError(name, message, 'INVALID_SHAPE');
  }
  return dims as number[];
}

/** A shape's sizes, copied (each read once); refuses a shape that is not an array or cannot be read. */
function readShape(shape: unknown, name: string): unknown[] {
  if (!Array.isArray(shape)) throw new ShapeError(name, `shape must be an array of dimensions, got ${show(shape)}`, 'INVALID_SHAPE');
  try {
    return Array.from(shape as unknown[]);
  } catch (e) {
    throw new ShapeError(name, `shape could not be read (${whyUnreadable(e)})`, 'INVALID_SHAPE');
  }
}

/** Data that can hold only numbers, or an array (whose items the caller checks): refuses anything else. */
function numbers(data: unknown, name: string): ArrayLike<unknown> {
  if (typeof data !== 'object' || data === null || typeof (data as { length?: unknown }).length !== 'number') {
    throw new DTypeError(name, `data must be an array or typed array of numbers, got ${show(data)}`);
  }
  if (isBigIntArray(data) || data instanceof DataView) {
    throw new DTypeError(name, `data must hold numbers, got ${data.constructor.name}`);
  }
  return data as ArrayLike<unknown>;
}

function notANumber(v: unknown, i: number, name: string): DTypeError {
  return new DTypeError(name, `data[${i}] is ${v === null ? 'null' : typeof v}, expected a number`);
}

/** Runs `read`; a throw other than the library's own (a proxy's trap, a getter) becomes a DTypeError. */
function unreadableAsDType<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof WebGPULossError) throw e;
    throw new DTypeError(name, `data could not be read (${whyUnreadable(e)})`);
  }
}

/**
 * A host tensor's data and shape, each read once (the shape's sizes copied), as a new object: a
 * getter or proxy cannot answer the checks one thing and the computation another. A value that
 * is not an object, or cannot be read, is returned as it is, for checkTensor to refuse.
 */
export function readOnce<T>(t: T): T {
  if (typeof t !== 'object' || t === null) return t;
  try {
    const { data, shape, dtype } = t as { data?: unknown; shape?: unknown; dtype?: unknown };
    const copy = { data, shape: Array.isArray(shape) ? Array.from(shape as unknown[]) : shape };
    return (dtype === undefined ? copy : { ...copy, dtype }) as T;
  } catch {
    return t;
  }
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
        `row ${i} has label ${show(y)}; labels must be integers in [0, ${classes}) or equal to ignoreIndex (${ignoreIndex})`,
      );
    }
  }
}

/** [rows, classes] of a matrix shape; a 1-D shape is one row. */
export function matrixShape(shape: readonly number[], name: string): [number, number] {
  if (shape.length === 2) return [shape[0], shape[1]];
  if (shape.length === 1) return [1, shape[0]];
  throw new ShapeError(name, `expected shape [rows, classes] (or [classes]), got ${formatShape(shape)}`, 'INVALID_SHAPE');
}

/**
 * The shape of a tensor made or wrapped on the GPU, copied (each size read once) and checked:
 * non-negative integers (a 0 makes an empty tensor), with an element count a u32 index reaches.
 */
export function copyDims(shape: unknown, name: string): number[] {
  const dims = readShape(shape, name);
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) throw new ShapeError(name, `shape ${showShape(dims)} must hold non-negative integers`, 'INVALID_SHAPE');
  }
  const size = (dims as number[]).reduce((a, b) => a * b, 1);
  if (size * 4 > Number.MAX_SAFE_INTEGER || size >= 2 ** 32) throw new ShapeError(name, `shape ${showShape(dims)} has ${size} elements, more than a u32 index reaches`, 'INVALID_SHAPE');
  return dims as number[];
}

export function checkDims(shape: readonly number[], name: string): void {
  copyDims(shape, name);
}

/**
 * Host data as the GPU uploads them: float32 or int32, by what the argument holds. Typed arrays
 * say which they are: an Int32Array is not taken for floats, nor a Float32Array or Float64Array
 * for labels (plain arrays of integers are).
 */
export function checkElementType(data: unknown, name: string, dtype: DType): void {
  if (dtype === 'float32' && data instanceof Int32Array) throw new DTypeError(name, 'expected float data (Float32Array), got Int32Array');
  if (dtype === 'int32' && (data instanceof Float32Array || data instanceof Float64Array)) {
    throw new DTypeError(name, `expected integer labels (Int32Array or an array of integers), got ${data.constructor.name}`);
  }
}

/**
 * Float data without a dtype: not an Int32Array (see checkElementType), nor a Uint16Array, whose
 * values are as likely 16-bit float patterns as numbers: it must say which (`dtype`).
 */
export function checkFloatData(t: HostTensor, name: string): void {
  checkElementType(t.data, name, 'float32');
  if (t.data instanceof Uint16Array && declaredDType(t, name) === undefined) throw bareUint16(name);
}

/** The error for a Uint16Array with no dtype where floats are read. */
export function bareUint16(name: string): DTypeError {
  return new DTypeError(name, "got a Uint16Array without a dtype: give dtype 'float16' or 'bfloat16' for 16-bit float patterns, or 'float32' to read its numbers");
}

// ---- 16-bit floats ------------------------------------------------------------------------------

/** The runtime's Float16Array, where it has one (Node 20 and some browsers lack it). */
const Float16: (abstract new (...args: never[]) => ArrayBufferView & ArrayLike<number>) | undefined =
  (globalThis as { Float16Array?: abstract new (...args: never[]) => ArrayBufferView & ArrayLike<number> }).Float16Array;

export const isHalf = (d: unknown): d is HalfDType => d === 'float16' || d === 'bfloat16';

/** Bytes per element: 2 for the 16-bit floats, else 4. */
export const elementBytes = (d: DType): number => (isHalf(d) ? 2 : 4);

const DTYPES: readonly DType[] = ['float32', 'int32', 'float16', 'bfloat16'];

/** A host tensor's `dtype` (absent, or one of the DTypes); `name` is the tensor's argument. */
export function checkDType(dtype: unknown, name: string): DType | undefined {
  if (dtype === undefined || DTYPES.includes(dtype as DType)) return dtype as DType | undefined;
  throw new DTypeError(`${name}.dtype`, `must be ${DTYPES.map((d) => `'${d}'`).join(', ')} or absent, got ${show(dtype)}`);
}

/** The dtype host data declare, or that a Float16Array implies; undefined for plain float32 or int32 data. */
export function hostDType(t: HostTensor, name: string): DType | undefined {
  return checkDType(t.dtype, name) ?? (Float16 && t.data instanceof Float16 ? 'float16' : undefined);
}

/**
 * The 16-bit patterns of float16 / bfloat16 host data, viewed (not copied): a `Uint16Array`, or
 * for float16 a `Float16Array`. Anything else is refused: numbers would be ambiguous (values or bits?).
 */
export function halfBits(data: unknown, dtype: HalfDType, name: string): Uint16Array {
  if (data instanceof Uint16Array) return data;
  if (dtype === 'float16' && Float16 && data instanceof Float16) return new Uint16Array(data.buffer, data.byteOffset, data.length);
  const got = typeof data === 'object' && data !== null ? (data.constructor?.name ?? 'an object') : show(data);
  const want = dtype === 'float16' ? 'a Uint16Array of float16 bit patterns (or a Float16Array)' : 'a Uint16Array of bfloat16 bit patterns';
  throw new DTypeError(name, `dtype '${dtype}' needs ${want}, got ${got}`);
}

/** Arguments that take no 16-bit floats (labels; linearCrossEntropy's tensors): such data are refused. */
export function refuseHalf(t: HostTensor, name: string, expected: string): void {
  const dtype = declaredDType(t, name);
  if (isHalf(dtype)) throw new DTypeError(name, `expected ${expected}, got ${dtype} data`);
}

/** The dtype a tensor declares; undefined for what cannot be read (checkTensor refuses it then). */
export function declaredDType(t: HostTensor, name: string): DType | undefined {
  if (typeof t !== 'object' || t === null) return undefined;
  try {
    return hostDType(t, name);
  } catch (e) {
    if (e instanceof WebGPULossError) throw e;
    return undefined;
  }
}

/** Host data for a tensor: the values as a typed array of its dtype (16-bit floats: their bits), with its shape. */
export interface HostValues {
  readonly shape: number[];
  readonly dtype: DType;
  readonly values: Float32Array | Int32Array | Uint16Array;
}

/**
 * `tensor(data, shape, dtype)`'s arguments, checked whole and read once: the shape, the dtype
 * (by default 'int32' for an Int32Array, 'float16' for a Float16Array, else 'float32'), and the
 * data, an array or typed array of numbers (int32 data: integers in int32; float16 / bfloat16
 * data: their bit patterns, see halfBits) of the shape's size, converted in the same pass. `names` says what errors call each argument.
 */
export function hostValues(data: unknown, shape: unknown, dtype: unknown, names: { data: string; shape: string; dtype: string }): HostValues {
  const dims = copyDims(shape, names.shape);
  if (dtype === undefined && data instanceof Uint16Array) throw bareUint16(names.data);
  const type = dtype ?? (data instanceof Int32Array ? 'int32' : Float16 && data instanceof Float16 ? 'float16' : 'float32');
  if (!DTYPES.includes(type as DType)) throw new DTypeError(names.dtype, `must be ${DTYPES.map((d) => `'${d}'`).join(', ')}, got ${show(dtype)}`);
  const values = isHalf(type) ? halfBits(data, type, names.data) : unreadableAsDType(names.data, () => convert(numbers(data, names.data), type as 'float32' | 'int32', names.data));
  const size = dims.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new ShapeError(names.data, `data has ${values.length} values but shape ${formatShape(dims)} needs ${size}`, 'INVALID_SHAPE');
  return { shape: dims, dtype: type as DType, values };
}

/** The values as float32 or int32, each item read once (an int32 must be an integer in int32). */
function convert(data: ArrayLike<unknown>, dtype: 'float32' | 'int32', name: string): Float32Array | Int32Array {
  if (dtype === 'float32' && data instanceof Float32Array) return data;
  if (dtype === 'int32' && data instanceof Int32Array) return data;
  const typed = ArrayBuffer.isView(data);
  const out = dtype === 'int32' ? new Int32Array(data.length) : new Float32Array(data.length);
  for (let i = 0; i < out.length; i++) {
    const v = data[i];
    if (!typed && typeof v !== 'number') throw notANumber(v, i, name);
    if (dtype === 'int32' && !(Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31)) {
      throw new DTypeError(name, `value ${show(v)} at index ${i} is not a 32-bit integer`);
    }
    out[i] = v as number;
  }
  return out;
}
