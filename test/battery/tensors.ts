// Bad tensor arguments: every kind of bad tensor, dimension, data and element type, put in turn
// into every tensor argument of every operation (the others valid).
import type { Case } from './case';
import { answer, slotTitle, SLOTS, tensorAt, withTensor, type Answers, type Slot } from './args';
import { T, type TypedName } from './make';

/** How a row spoils the slot's valid tensor. */
type Change =
  | { tensor: unknown }
  | { shape: unknown }
  | { shapeAs: TypedName }
  | { dim: unknown }
  | { data: unknown }
  | { kind: TypedName | 'detached' | 'shared Float32Array' | 'shared Int32Array' | 'shared Float64Array' }
  | { at: [number, unknown] }
  | { hole: number }
  | { trim: number }
  | { extend: number };

interface Row {
  label: string;
  change: Change;
  /** The answer in a float argument, and in a labels argument (default: the same). */
  float: Answers;
  labels?: Answers;
  /** Answers for particular arguments (by their error name). */
  slots?: Record<string, Answers>;
}

// Typed arrays hold numbers, so the oracle (float64 arithmetic on any numbers) takes every kind;
// the GPU uploads float32 or int32, and refuses float data for labels and int32 data for floats
// rather than guess, and the CPU fallback, standing in for it, refuses what it refuses.
const FLOAT_ONLY: Answers = { all: 'dtype', oracle: 'ok' };

const ROWS: Row[] = [
  // not a tensor
  { label: 'null instead of a tensor', change: { tensor: null }, float: 'shape', slots: {} },
  { label: 'undefined instead of a tensor', change: { tensor: T.undefined() }, float: 'shape', slots: { 'options.bias': 'ok', 'teacher.bias': 'ok' } },
  { label: 'a number instead of a tensor', change: { tensor: 5 }, float: 'shape' },
  { label: 'a string instead of a tensor', change: { tensor: 'x' }, float: 'shape' },
  { label: 'a plain array instead of a tensor', change: { tensor: [0, 1] }, float: 'shape' },
  { label: 'an empty object', change: { tensor: {} }, float: 'shape' },
  { label: 'a Float32Array instead of a tensor', change: { tensor: T.typed('Float32Array', [0, 1]) }, float: 'shape' },
  { label: 'a function instead of a tensor', change: { tensor: T.fn() }, float: 'shape' },
  // shapes
  { label: 'no shape', change: { shape: T.undefined() }, float: 'shape' },
  { label: 'shape null', change: { shape: null }, float: 'shape' },
  { label: 'shape a string', change: { shape: '2,3' }, float: 'shape' },
  { label: 'shape an Int32Array', change: { shapeAs: 'Int32Array' }, float: 'shape' },
  { label: 'shape [] for data of more than one value', change: { shape: [] }, float: 'shape' },
  // dimensions
  { label: 'a 0 dimension', change: { dim: 0 }, float: 'shape' },
  { label: 'a negative dimension', change: { dim: -2 }, float: 'shape' },
  { label: 'a -0 dimension', change: { dim: -0 }, float: 'shape' },
  { label: 'a fractional dimension', change: { dim: 1.5 }, float: 'shape' },
  { label: 'a NaN dimension', change: { dim: NaN }, float: 'shape' },
  { label: 'an Infinity dimension', change: { dim: Infinity }, float: 'shape' },
  { label: 'a -Infinity dimension', change: { dim: -Infinity }, float: 'shape' },
  { label: 'a dimension of 2^40', change: { dim: 2 ** 40 }, float: 'shape' },
  { label: 'a dimension of 2^53', change: { dim: 2 ** 53 }, float: 'shape' },
  { label: 'a string dimension', change: { dim: '2' }, float: 'shape' },
  { label: 'a Symbol dimension', change: { dim: T.symbol('n') }, float: 'shape' },
  { label: 'a BigInt dimension', change: { dim: T.bigint(2) }, float: 'shape' },
  { label: 'a null dimension', change: { dim: null }, float: 'shape' },
  { label: 'a boolean dimension', change: { dim: true }, float: 'shape' },
  // data that is not an array of numbers
  { label: 'data null', change: { data: null }, float: 'dtype' },
  { label: 'no data', change: { data: T.undefined() }, float: 'dtype' },
  { label: 'data a string', change: { data: 'abcdef' }, float: 'dtype' },
  { label: 'data a number', change: { data: 6 }, float: 'dtype' },
  { label: 'data an object without length', change: { data: {} }, float: 'dtype' },
  { label: 'data an ArrayBuffer', change: { data: T.arrayBuffer(24) }, float: 'dtype' },
  { label: 'data a DataView', change: { data: T.dataView(24) }, float: 'dtype' },
  { label: 'data a BigInt64Array', change: { kind: 'BigInt64Array' }, float: 'dtype' },
  { label: 'data a BigUint64Array', change: { kind: 'BigUint64Array' }, float: 'dtype' },
  { label: 'a string among the numbers', change: { at: [1, '1'] }, float: 'dtype' },
  { label: 'null among the numbers', change: { at: [1, null] }, float: 'dtype' },
  { label: 'undefined among the numbers', change: { at: [1, T.undefined()] }, float: 'dtype' },
  { label: 'a BigInt among the numbers', change: { at: [1, T.bigint(1)] }, float: 'dtype' },
  { label: 'a boolean among the numbers', change: { at: [1, true] }, float: 'dtype' },
  { label: 'a hole among the numbers', change: { hole: 1 }, float: 'dtype' },
  // data of the wrong length (a detached buffer reads as length 0)
  { label: 'data one value short', change: { trim: 1 }, float: 'shape' },
  { label: 'data one value long', change: { extend: 1 }, float: 'shape' },
  { label: 'data in a detached buffer', change: { kind: 'detached' }, float: 'shape' },
  // element types
  { label: 'a Float64Array', change: { kind: 'Float64Array' }, float: 'ok', labels: FLOAT_ONLY },
  { label: 'a Float32Array', change: { kind: 'Float32Array' }, float: 'ok', labels: FLOAT_ONLY },
  { label: 'an Int32Array', change: { kind: 'Int32Array' }, float: FLOAT_ONLY, labels: 'ok' },
  { label: 'a Uint32Array', change: { kind: 'Uint32Array' }, float: 'ok', labels: 'ok' },
  { label: 'an Int16Array', change: { kind: 'Int16Array' }, float: 'ok', labels: 'ok' },
  // 16-bit float patterns or numbers? Where floats are read, a Uint16Array must carry a dtype.
  { label: 'a Uint16Array without a dtype', change: { kind: 'Uint16Array' }, float: FLOAT_ONLY, labels: 'ok' },
  { label: 'a Uint8Array', change: { kind: 'Uint8Array' }, float: 'ok', labels: 'ok' },
  { label: 'an Int8Array', change: { kind: 'Int8Array' }, float: 'ok', labels: 'ok' },
  { label: 'a Uint8ClampedArray', change: { kind: 'Uint8ClampedArray' }, float: 'ok', labels: 'ok' },
  { label: 'a Float32Array over a SharedArrayBuffer', change: { kind: 'shared Float32Array' }, float: 'ok', labels: FLOAT_ONLY },
  { label: 'a Float64Array over a SharedArrayBuffer', change: { kind: 'shared Float64Array' }, float: 'ok', labels: FLOAT_ONLY },
  { label: 'an Int32Array over a SharedArrayBuffer', change: { kind: 'shared Int32Array' }, float: FLOAT_ONLY, labels: 'ok' },
];

function spoil(t: { data: number[]; shape: number[] }, change: Change): unknown {
  const c = change as Record<string, unknown>;
  if ('tensor' in c) return c.tensor;
  if ('shape' in c) return { data: t.data, shape: c.shape };
  if ('shapeAs' in c) return { data: t.data, shape: T.typed(c.shapeAs as TypedName, t.shape) };
  if ('dim' in c) return { data: t.data, shape: [c.dim, ...t.shape.slice(1)] };
  if ('data' in c) return { data: c.data, shape: t.shape };
  if ('at' in c) {
    const [i, v] = c.at as [number, unknown];
    return { data: t.data.map((x, j) => (j === i ? v : x)), shape: t.shape };
  }
  if ('hole' in c) return { data: T.sparse(t.data.length, Object.fromEntries(t.data.map((x, j) => [j, x]).filter(([j]) => j !== c.hole))), shape: t.shape };
  if ('trim' in c) return { data: t.data.slice(0, -(c.trim as number)), shape: t.shape };
  if ('extend' in c) return { data: [...t.data, ...new Array(c.extend as number).fill(0)], shape: t.shape };
  const kind = c.kind as string;
  if (kind === 'detached') return { data: T.detached('Float32Array', t.data), shape: t.shape };
  if (kind.startsWith('shared ')) return { data: T.shared(kind.slice(7) as TypedName, t.data), shape: t.shape };
  return { data: T.typed(kind as TypedName, t.data), shape: t.shape };
}

function casesOf(s: Slot): Case[] {
  return ROWS.map((r) => {
    const a = r.slots?.[s.argument] ?? (s.kind === 'labels' ? r.labels ?? r.float : r.float);
    return { name: `${slotTitle(s)}: ${r.label}`, call: s.op, args: withTensor(s, spoil(tensorAt(s), r.change)), ...answer(a, s.argument) };
  });
}

export const TENSOR_CASES: Case[] = SLOTS.flatMap(casesOf);
