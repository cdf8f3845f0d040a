// float16 / bfloat16 host data in every tensor argument: 16-bit patterns in a Uint16Array are
// taken where floats are read (not as labels, not as a bias); other data under a 16-bit dtype, a
// short array and an unknown dtype are refused, naming the argument.
import type { Case } from './case';
import { answer, slotTitle, SLOTS, tensorAt, withTensor, type Answers, type Slot } from './args';
import { T } from './make';
import { dtype, OK, shape } from './case';

/** Arguments that read 16-bit floats: every float argument but the biases (float32 only). */
const takesHalf = (s: Slot) => s.kind === 'float' && s.argument !== 'options.bias' && s.argument !== 'teacher.bias';

interface Row {
  label: string;
  tensor: (t: { data: number[]; shape: number[] }) => unknown;
  /** The answer where 16-bit floats are read, and elsewhere. */
  half: Answers;
  other: Answers;
  /** The argument errors name, from the slot's (default: the slot's own). */
  names?: (argument: string) => string;
}

// Patterns of small numbers: 0x3c00 is 1.0 in float16, 0x3f80 in bfloat16; any pattern will do.
const bits = (t: { data: number[] }) => t.data.map((_, i) => 0x3800 + i);

const ROWS: Row[] = [
  { label: 'float16 patterns in a Uint16Array', tensor: (t) => ({ data: T.typed('Uint16Array', bits(t)), shape: t.shape, dtype: 'float16' }), half: 'ok', other: 'dtype' },
  { label: 'bfloat16 patterns in a Uint16Array', tensor: (t) => ({ data: T.typed('Uint16Array', bits(t)), shape: t.shape, dtype: 'bfloat16' }), half: 'ok', other: 'dtype' },
  { label: "dtype 'float16' on a Float32Array", tensor: (t) => ({ data: T.typed('Float32Array', t.data), shape: t.shape, dtype: 'float16' }), half: 'dtype', other: 'dtype' },
  { label: "dtype 'bfloat16' on a plain array", tensor: (t) => ({ data: t.data, shape: t.shape, dtype: 'bfloat16' }), half: 'dtype', other: 'dtype' },
  { label: 'float16 patterns one short', tensor: (t) => ({ data: T.typed('Uint16Array', bits(t).slice(1)), shape: t.shape, dtype: 'float16' }), half: 'shape', other: 'shape' },
  { label: "an unknown dtype 'float64'", tensor: (t) => ({ data: t.data, shape: t.shape, dtype: 'float64' }), half: 'dtype', other: 'dtype', names: (a) => `${a}.dtype` },
];

function casesOf(s: Slot): Case[] {
  return ROWS.map((r) => ({
    name: `${slotTitle(s)}: ${r.label}`, call: s.op, args: withTensor(s, r.tensor(tensorAt(s))),
    ...answer(takesHalf(s) ? r.half : r.other, r.names ? r.names(s.argument) : s.argument),
  }));
}

const U16 = (n: number) => T.typed('Uint16Array', Array.from({ length: n }, (_, i) => 0x3c00 + i));

/** tensor(data, shape, dtype) with 16-bit dtypes. */
const TENSOR: Case[] = [
  { name: "tensor: a Uint16Array as 'float16'", call: 'tensor', args: [U16(3), [3], 'float16'], want: OK },
  { name: "tensor: a Uint16Array as 'bfloat16'", call: 'tensor', args: [U16(4), [2, 2], 'bfloat16'], want: OK },
  { name: "tensor: a Float32Array as 'float16'", call: 'tensor', args: [T.typed('Float32Array', [1, 2, 3]), [3], 'float16'], want: dtype('data') },
  { name: 'tensor: a Uint16Array without a dtype (patterns or numbers?)', call: 'tensor', args: [U16(3), [3]], want: dtype('data') },
  { name: "tensor: a Uint16Array as 'float32' (its numbers)", call: 'tensor', args: [U16(3), [3], 'float32'], want: OK },
  { name: "tensor: an odd count of bfloat16 patterns for an even shape", call: 'tensor', args: [U16(3), [4], 'bfloat16'], want: shape('data') },
];

export const HALF_CASES: Case[] = [...SLOTS.flatMap(casesOf), ...TENSOR];
