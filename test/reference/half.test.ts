// The oracle's 16-bit decoders, exact on every pattern, against decoders written another way:
// float16 by rebuilding float32 bits (bit manipulation), bfloat16 by Math.pow from its fields.
// Then the oracle on 16-bit inputs equals the oracle on the decoded values, and refuses 16-bit
// data where none is taken.
import { describe, expect, it } from 'vitest';
import * as ref from '../../src/reference/index';
import { bfloat16Value, decodeHalf, float16Value } from '../../src/reference/index';
import { CpuLoss, DTypeError } from '../../src/index';
import { toBfloat16Bits, toFloat16Bits, toHalfBits } from '../util/half';

const word = new Uint32Array(1);
const asF32 = new Float32Array(word.buffer);

/** float16 → float32 by bits: rebias the exponent, normalise subnormals by shifting. */
function float16ByBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  let e = (h >> 10) & 0x1f;
  let m = h & 0x3ff;
  if (e === 0x1f) word[0] = sign | 0x7f800000 | (m << 13);
  else if (e === 0 && m === 0) word[0] = sign;
  else {
    if (e === 0) {
      e = 1;
      while ((m & 0x400) === 0) {
        m <<= 1;
        e--;
      }
      m &= 0x3ff;
    }
    word[0] = (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
  }
  return asF32[0];
}

/** bfloat16 by its fields: (−1)^s · 2^(e − 127) · (1 + m/128), subnormals 2^−126 · m/128. */
function bfloat16ByPow(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 7) & 0xff;
  const m = h & 0x7f;
  if (e === 0xff) return m === 0 ? s * Infinity : NaN;
  if (e === 0) return s * Math.pow(2, -126) * (m / 128);
  return s * Math.pow(2, e - 127) * (1 + m / 128);
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('16-bit decoders', () => {
  it('float16: all 65536 patterns agree with the bit-manipulation decoder (−0, subnormals, ±Inf, NaN)', () => {
    const bad: string[] = [];
    for (let h = 0; h < 65536; h++) if (!same(float16Value(h), float16ByBits(h))) bad.push(`0x${h.toString(16)}: ${float16Value(h)} vs ${float16ByBits(h)}`);
    expect(bad.slice(0, 5)).toEqual([]);
    expect(float16Value(0x7bff)).toBe(65504);
    expect(float16Value(0x0001)).toBe(2 ** -24);
    expect(Object.is(float16Value(0x8000), -0)).toBe(true);
    expect(float16Value(0xfc00)).toBe(-Infinity);
    expect(float16Value(0x7e00)).toBeNaN();
  });

  it('bfloat16: all 65536 patterns agree with the Math.pow decoder', () => {
    const bad: string[] = [];
    for (let h = 0; h < 65536; h++) if (!same(bfloat16Value(h), bfloat16ByPow(h))) bad.push(`0x${h.toString(16)}: ${bfloat16Value(h)} vs ${bfloat16ByPow(h)}`);
    expect(bad.slice(0, 5)).toEqual([]);
    expect(bfloat16Value(0x3f80)).toBe(1);
    expect(bfloat16Value(0x0001)).toBe(2 ** -133);
    expect(Object.is(bfloat16Value(0x8000), -0)).toBe(true);
  });

  it('the test encoders round-trip every non-NaN pattern', () => {
    const bad: string[] = [];
    for (let h = 0; h < 65536; h++) {
      const f = float16Value(h);
      if (!Number.isNaN(f) && toFloat16Bits(f) !== h) bad.push(`float16 0x${h.toString(16)}`);
      const b = bfloat16Value(h);
      if (!Number.isNaN(b) && toBfloat16Bits(b) !== h) bad.push(`bfloat16 0x${h.toString(16)}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    // Ties to even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10.
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toFloat16Bits(65520)).toBe(0x7c00);
    expect(toFloat16Bits(65519)).toBe(0x7bff);
  });
});

describe('the oracle on 16-bit inputs', () => {
  const x = [0.5, -2, 3.25, 1e-3, 7, -0.125];
  for (const dtype of ['float16', 'bfloat16'] as const) {
    const bits = toHalfBits(x, dtype);
    const h = { data: bits, shape: [2, 3], dtype };
    const d = { data: decodeHalf(bits, dtype), shape: [2, 3] };
    it(`${dtype}: every operation equals the oracle on the decoded values`, () => {
      expect(ref.softmax(h)).toEqual(ref.softmax(d));
      expect(ref.logSoftmax(h)).toEqual(ref.logSoftmax(d));
      const y = { data: new Int32Array([2, 0]), shape: [2] };
      expect(ref.crossEntropy(h, y, { grad: true })).toEqual(ref.crossEntropy(d, y, { grad: true }));
      const p = { data: toHalfBits([0.2, 0.3, 0.5, 0.6, 0.1, 0.3], dtype), shape: [2, 3], dtype };
      const pd = { data: decodeHalf(p.data, dtype), shape: [2, 3] };
      expect(ref.crossEntropy(h, p, { grad: true })).toEqual(ref.crossEntropy(d, pd, { grad: true }));
      expect(ref.binaryCrossEntropy(h, p, { grad: true })).toEqual(ref.binaryCrossEntropy(d, pd, { grad: true }));
      expect(ref.entropy(p, { grad: true })).toEqual(ref.entropy(pd, { grad: true }));
      expect(ref.klDivergence(h, p, { grad: true })).toEqual(ref.klDivergence(d, pd, { grad: true }));
      const w = { data: toHalfBits([1, -0.5, 0.25, 2, 0.75, -1, 0.5, 0.125, -2], dtype), shape: [3, 3], dtype };
      const wd = { data: decodeHalf(w.data, dtype), shape: [3, 3] };
      expect(ref.linearCrossEntropy(h, w, y, { grad: true })).toEqual(ref.linearCrossEntropy(d, wd, y, { grad: true }));
    });

    it(`${dtype}: focal losses, jsDivergence and the evaluator equal the oracle on the decoded values`, () => {
      const y = { data: new Int32Array([2, -100]), shape: [2] };
      const p = { data: toHalfBits([0.2, 0.3, 0.5, 0.6, 0.1, 0.3], dtype), shape: [2, 3], dtype };
      const pd = { data: decodeHalf(p.data, dtype), shape: [2, 3] };
      expect(ref.focalLoss(h, y, { grad: true })).toEqual(ref.focalLoss(d, y, { grad: true }));
      expect(ref.focalLoss(h, p, { grad: true, gamma: 1.5 })).toEqual(ref.focalLoss(d, pd, { grad: true, gamma: 1.5 }));
      expect(ref.binaryFocalLoss(h, p, { grad: true })).toEqual(ref.binaryFocalLoss(d, pd, { grad: true }));
      // A 16-bit student, a 16-bit teacher, or both.
      const o = { grad: true, temperature: 2, labels: y };
      const want = ref.jsDivergence(d, pd, o);
      expect(ref.jsDivergence(h, p, o)).toEqual(want);
      expect(ref.jsDivergence(d, p, o)).toEqual(want);
      expect(ref.jsDivergence(h, pd, o)).toEqual(want);
      const a = ref.evaluator({ topK: 2 });
      const b = ref.evaluator({ topK: 2 });
      a.add(h, { data: new Int32Array([2, 0]), shape: [2] });
      b.add(d, { data: new Int32Array([2, 0]), shape: [2] });
      expect(a.read()).toEqual(b.read());
    });
  }

  it('refuses 16-bit data that is not a Uint16Array, labels in 16 bits and a dtype it does not know', () => {
    const y = { data: new Int32Array([0]), shape: [1] };
    expect(() => ref.softmax({ data: new Float32Array([1, 2]), shape: [1, 2], dtype: 'float16' })).toThrow(DTypeError);
    expect(() => ref.softmax({ data: [1, 2], shape: [1, 2], dtype: 'bfloat16' })).toThrow(/Uint16Array/);
    expect(() => ref.softmax({ data: [1, 2], shape: [1, 2], dtype: 'float64' as never })).toThrow(/input\.dtype/);
    expect(() => ref.crossEntropy({ data: [1, 2], shape: [1, 2] }, { data: new Uint16Array([0]), shape: [1], dtype: 'float16' })).toThrow(/integer labels/);
    expect(() => ref.linearCrossEntropy({ data: [1, 2], shape: [1, 2] }, { data: [1, 2], shape: [1, 2] }, y, { bias: { data: new Uint16Array(1), shape: [1], dtype: 'float16' } })).toThrow(DTypeError);
    expect(() => ref.softmax({ data: new Uint16Array(3), shape: [1, 2], dtype: 'float16' })).toThrow(/3 values/);
    const x2 = { data: [1, 2], shape: [1, 2] };
    const y16 = { data: new Uint16Array([0]), shape: [1], dtype: 'float16' as const };
    expect(() => ref.focalLoss(x2, y16)).toThrow(/target: .*integer labels/);
    expect(() => ref.jsDivergence(x2, x2, { labels: y16 })).toThrow(/options\.labels: .*integer labels/);
    expect(() => ref.evaluator().add(x2, y16)).toThrow(/labels: .*integer labels/);
  });
});

describe('the CPU fallback on 16-bit inputs', () => {
  it('computes with the oracle on the decoded values, from host data and from its own 16-bit tensors', async () => {
    const cpu = new CpuLoss('test');
    const bits = toHalfBits([0.5, -2, 3.25, 1e-3, 7, -0.125], 'bfloat16');
    const d = { data: decodeHalf(bits, 'bfloat16'), shape: [2, 3] };
    const y = { data: new Int32Array([1, 2]), shape: [2] };
    const p = await cpu.softmax({ data: bits, shape: [2, 3], dtype: 'bfloat16' });
    expect(Array.from(await p.read())).toEqual(Array.from(Float32Array.from(ref.softmax(d))));
    const t = cpu.tensor(bits, [2, 3], 'bfloat16');
    expect(t.dtype).toBe('bfloat16');
    const out = await cpu.crossEntropy(t, y, { grad: true });
    const want = ref.crossEntropy(d, y, { grad: true });
    expect(Array.from(await out.loss.read())).toEqual(Array.from(Float32Array.from(want.loss)));
    expect(Array.from(await out.grad!.read())).toEqual(Array.from(Float32Array.from(want.grad!)));
    await expect(cpu.crossEntropy(d, { data: new Uint16Array([1, 2]), shape: [2], dtype: 'float16' })).rejects.toThrow(DTypeError);
    // gradDtype 'input': the oracle's gradient rounded to float32, then to the input's dtype.
    const g16 = await cpu.crossEntropy(t, y, { grad: true, gradDtype: 'input' });
    expect(g16.grad!.dtype).toBe('bfloat16');
    expect(Array.from(await g16.grad!.read())).toEqual(Array.from(toHalfBits(want.grad!, 'bfloat16')));
    const e16 = await cpu.entropy({ data: toHalfBits([0.25, 0.75], 'float16'), shape: [1, 2], dtype: 'float16' }, { grad: true, gradDtype: 'input' });
    const e32 = ref.entropy({ data: [0.25, 0.75], shape: [1, 2] }, { grad: true });
    expect(Array.from(await e16.grad!.read())).toEqual(Array.from(toHalfBits(e32.grad!, 'float16')));
    // The same for the focal losses and jsDivergence (the student's dtype).
    const q = { data: toHalfBits([0.2, 0.3, 0.5, 0.6, 0.1, 0.3], 'bfloat16'), shape: [2, 3], dtype: 'bfloat16' as const };
    const qd = { data: decodeHalf(q.data, 'bfloat16'), shape: [2, 3] };
    const g16s: [string, Promise<{ grad?: { dtype: string; read(): Promise<ArrayLike<number>> } }>, Float64Array][] = [
      ['focalLoss', cpu.focalLoss(t, y, { grad: true, gradDtype: 'input' }), ref.focalLoss(d, y, { grad: true }).grad!],
      ['binaryFocalLoss', cpu.binaryFocalLoss(t, q, { grad: true, gradDtype: 'input' }), ref.binaryFocalLoss(d, qd, { grad: true }).grad!],
      ['jsDivergence', cpu.jsDivergence(t, q, { grad: true, gradDtype: 'input' }), ref.jsDivergence(d, qd, { grad: true }).grad!],
    ];
    for (const [name, got, g] of g16s) {
      const r = await got;
      expect([name, r.grad!.dtype]).toEqual([name, 'bfloat16']);
      expect(Array.from(await r.grad!.read())).toEqual(Array.from(toHalfBits(g, 'bfloat16')));
    }
    const ev = cpu.evaluator({ topK: 2 });
    await ev.add(t, y);
    const evRef = ref.evaluator({ topK: 2 });
    evRef.add(d, y);
    expect(await ev.read()).toEqual(evRef.read());
    // A float32 input keeps a float32 gradient.
    expect((await cpu.entropy({ data: [0.25, 0.75], shape: [1, 2] }, { grad: true, gradDtype: 'input' })).grad!.dtype).toBe('float32');
  });
});
