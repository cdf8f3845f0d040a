// Entropy and KL divergence on the GPU against the float64 oracle (src/reference/entropy.ts): a
// random grid over shapes and input kinds, every option, the seeds' worked examples, an edge
// battery with explicit data, row chunking, many rows, determinism, and validation errors.
import { describe, it, expect } from 'vitest';
import { useGpuPage } from './harness';
import * as ref from '../../src/reference/index';
import { assertClose } from '../util/allclose';
import { errorOf, type ErrorInfo } from '../util/errors';
import type { CheckSpec, DataSpec } from '../util/spec';
import { TOL, meanScale } from '../util/tolerances';

const gpu = useGpuPage();
const expectOk = gpu.check;
/** Runs `op` on host data in the page and returns its loss values (for quoted figures). */
const gpuLoss = (op: 'entropy' | 'klDivergence', args: unknown[]) => gpu.call<number[]>('loss', op, ...args);

// Losses at TOL.divergence (differences of terms of size ln V), gradients at TOL.grad scaled like
// the gradient (1/rows for 'mean'), so the floor never swallows a whole batch's mean gradient.
type Kind = 'logits' | 'probs';
const data = (kind: Kind): DataSpec => (kind === 'logits' ? { kind: 'logits', scale: 3 } : { kind: 'probs', scale: 2 });

/** The six ways to call the two ops: entropy from probs or logits, KL with each side either kind. */
const COMBOS: { op: 'entropy' | 'klDivergence'; from: Kind; targetFrom?: Kind }[] = [
  { op: 'entropy', from: 'probs' },
  { op: 'entropy', from: 'logits' },
  { op: 'klDivergence', from: 'logits', targetFrom: 'probs' },
  { op: 'klDivergence', from: 'logits', targetFrom: 'logits' },
  { op: 'klDivergence', from: 'probs', targetFrom: 'probs' },
  { op: 'klDivergence', from: 'probs', targetFrom: 'logits' },
];
const comboName = (c: (typeof COMBOS)[number]) => (c.op === 'entropy' ? `entropy(${c.from})` : `kl(Q ${c.from}, P ${c.targetFrom})`);

function spec(c: (typeof COMBOS)[number], rows: number, cols: number, seed: number, options: Record<string, unknown>): CheckSpec {
  const o = { ...options, from: c.from, ...(c.targetFrom ? { targetFrom: c.targetFrom } : {}) };
  return {
    op: c.op, rows, cols, seed,
    input: data(c.from), ...(c.targetFrom ? { target: data(c.targetFrom) } : {}),
    options: o, tol: TOL.divergence(cols), gradTol: TOL.grad(meanScale(rows, o)),
  };
}

const ROWS = [1, 3, 64, 1000];
const COLS = [1, 2, 3, 7, 63, 64, 65, 257, 4097];
// Products above this are left out (only [1000, 4097]) to keep the file near a minute on a
// 2-core CPU adapter; [64, 4097] and the many-rows shapes below cover its two dimensions.
const MAX_ELEMS = 300_000;
const REDUCTIONS = ['none', 'sum', 'mean'] as const;

describe('random grid: every input kind, reductions and bases cycled, grad on', () => {
  // Shape s and combination c get reduction (s + c) mod 3 and base s mod 2: each combination
  // meets every reduction and both bases across the shapes.
  let s = 0;
  for (const rows of ROWS) {
    for (const cols of COLS) {
      if (rows * cols > MAX_ELEMS) continue;
      s++;
      for (const [ci, c] of COMBOS.entries()) {
        const reduction = REDUCTIONS[(s + ci) % 3];
        const base = s % 2 === 0 ? 'e' : 2;
        it(`[${rows}, ${cols}] ${comboName(c)} ${reduction} base ${base}`, () =>
          expectOk(spec(c, rows, cols, rows * 7919 + cols, { reduction, base, grad: true })));
      }
    }
  }
});

describe('portable row reduction (subgroups off) on the workgroup-per-row shapes', () => {
  // The default context merges a row's partial sums with subgroup shuffles where the device has
  // them (SwiftShader does); this runs the workgroup-tree variant of the same kernel. Fewer than
  // 8 rows, so that a CPU adapter too gives each row a workgroup.
  for (const [rows, cols] of [[3, 63], [6, 257], [3, 4097]]) {
    for (const c of COMBOS) {
      it(`[${rows}, ${cols}] ${comboName(c)}`, () =>
        expectOk({ ...spec(c, rows, cols, rows + 3 * cols, { grad: true, reduction: 'mean' }), context: { subgroups: false }, determinism: true }));
    }
  }
  it('±3e38 and masks across a workgroup', () =>
    expectOk({
      op: 'entropy', rows: 2, cols: 65, context: { subgroups: false },
      input: { kind: 'data', data: Array.from({ length: 130 }, (_, i) => (i % 5 === 0 ? 3e38 : i % 5 === 1 ? -3e38 : i % 7 === 0 ? -Infinity : i)) },
      options: { from: 'logits', reduction: 'none', grad: true }, tol: TOL.divergence(65), gradTol: TOL.grad(),
    }));
});

describe('every option: each reduction, base 2, epsilon, grad off', () => {
  for (const c of COMBOS) {
    for (const [rows, cols] of [[3, 7], [64, 65]]) {
      for (const reduction of REDUCTIONS) {
        for (const base of ['e', 2] as const) {
          it(`${comboName(c)} [${rows}, ${cols}] ${reduction} base ${base}`, () =>
            expectOk(spec(c, rows, cols, 11, { reduction, base, grad: true })));
        }
      }
      it(`${comboName(c)} [${rows}, ${cols}] defaults (no options beyond the kinds)`, () => expectOk(spec(c, rows, cols, 12, {})));
      it(`${comboName(c)} [${rows}, ${cols}] epsilon 1e-3 (clips small probabilities)`, () =>
        expectOk(spec(c, rows, cols, 13, { epsilon: 1e-3, grad: true, reduction: 'none' })));
    }
  }
  it('entropy with no options at all defaults to probabilities', () =>
    expectOk({ op: 'entropy', rows: 5, cols: 9, seed: 3, input: { kind: 'probs' }, tol: TOL.divergence(9) }));
  it('klDivergence with no options: Q logits, P probs, mean', () =>
    expectOk({ op: 'klDivergence', rows: 5, cols: 9, seed: 3, input: { kind: 'logits' }, target: { kind: 'probs' }, tol: TOL.divergence(9) }));
});

// ---- the seeds' worked examples ------------------------------------------------------------------

describe('seeds: worked examples in bits', () => {
  const containers = [26 / 30, 4 / 30, 14 / 30, 16 / 30, 1, 0];
  it('three containers: 0.5665, 0.9968, 0 bits (GPU vs oracle, then the quoted figures)', async () => {
    await expectOk({
      op: 'entropy', rows: 3, cols: 2, input: { kind: 'data', data: containers },
      options: { base: 2, reduction: 'none', grad: true }, tol: TOL.fewTerms,
    });
    const v = await gpuLoss('entropy', [{ data: containers, shape: [3, 2] }, { base: 2, reduction: 'none' }]);
    assertClose(v, [0.5665, 0.9968, 0], TOL.quoted(4), 'quoted figures');
    expect(Math.abs(v[2])).toBe(0); // exactly 0 (the GPU may give -0)
    expect(v[0]).toBeLessThan(v[1]);
  });
  it('the same containers from logits ln p (softmax(ln p) = p; ln 0 = -Infinity is masked)', async () => {
    const logits = [Math.log(26 / 30), Math.log(4 / 30), Math.log(14 / 30), Math.log(16 / 30), 0, -Infinity];
    await expectOk({
      op: 'entropy', rows: 3, cols: 2, input: { kind: 'data', data: logits },
      options: { from: 'logits', base: 2, reduction: 'none', grad: true }, tol: TOL.divergence(2), gradTol: TOL.grad(),
    });
  });
  it('forecast 75% / 25%: 0.8113 bits', async () => {
    await expectOk({ op: 'entropy', rows: 1, cols: 2, input: { kind: 'data', data: [0.75, 0.25] }, options: { base: 2, grad: true }, tol: TOL.fewTerms });
    const [h] = await gpuLoss('entropy', [{ data: [0.75, 0.25], shape: [1, 2] }, { base: 2 }]);
    assertClose([h], [0.8113], TOL.quoted(4), 'quoted figure');
  });
  it('KL of the forecast from a 50/50 guess is 1 − H = 0.1887 bits', async () => {
    const args = [{ data: [0.5, 0.5], shape: [1, 2] }, { data: [0.75, 0.25], shape: [1, 2] }, { from: 'probs', base: 2 }];
    const [kl] = await gpuLoss('klDivergence', args);
    assertClose([kl], [1 - 0.8112781244591328], TOL.quoted(5), '1 − H');
  });
});

describe('API surface', () => {
  it('a 1-D input [V] is one row (same value as [1, V])', async () => {
    const [a] = await gpuLoss('entropy', [{ data: [0.75, 0.25], shape: [2] }, { base: 2, reduction: 'none' }]);
    const [b] = await gpuLoss('entropy', [{ data: [0.75, 0.25], shape: [1, 2] }, { base: 2, reduction: 'none' }]);
    expect(a).toBe(b);
    const [k] = await gpuLoss('klDivergence', [{ data: [1, 2, 3], shape: [3] }, { data: [0.2, 0.3, 0.5], shape: [3] }, {}]);
    assertClose([k], ref.klDivergence({ data: Float32Array.from([1, 2, 3]), shape: [3] }, { data: Float32Array.from([0.2, 0.3, 0.5]), shape: [3] }).loss, TOL.fewTerms, 'KL of one row');
  });
});

// ---- edge battery --------------------------------------------------------------------------------

const NAN = NaN;
const INF = Infinity;
const NINF = -Infinity;

function edge(name: string, op: 'entropy' | 'klDivergence', rows: number, cols: number, input: number[], target: number[] | null, options: Record<string, unknown>): void {
  for (const reduction of ['none', 'sum'] as const) {
    it(`${name} (${reduction})`, () =>
      expectOk({
        op, rows, cols, input: { kind: 'data', data: input }, ...(target ? { target: { kind: 'data', data: target } } : {}),
        options: { ...options, reduction, grad: true }, tol: TOL.divergence(cols), gradTol: TOL.grad(),
      }));
  }
}

describe('edge battery: entropy', () => {
  edge('probs with exact zeros, a one-hot row, -0', 'entropy', 3, 4, [0.5, 0, 0.5, 0, 1, 0, 0, 0, -0, 0.25, 0.75, 0], null, { from: 'probs' });
  edge('probs: NaN row, +Infinity (H = -Infinity), negative and -Infinity (H = NaN), tiny values', 'entropy', 5, 3,
    [0.2, NAN, 0.8, 0.5, INF, 0.5, -0.1, 0.6, 0.5, NINF, 0.5, 0.5, 1e-30, 1e-8, 1], null, { from: 'probs' });
  edge('probs: below-ε values in the gradient (clipped to ln ε)', 'entropy', 1, 4, [1e-9, 1e-7, 1e-6, 0.999998], null, { from: 'probs', epsilon: 1e-7 });
  edge('logits: masked classes, all-masked row (H = 0, grad 0), NaN row, +Infinity row', 'entropy', 4, 4,
    [1, NINF, 2, NINF, NINF, NINF, NINF, NINF, 1, NAN, 2, 3, 1, INF, 2, 3], null, { from: 'logits' });
  edge('logits: huge ±1e30, all equal, one finite class among masks', 'entropy', 4, 3,
    [1e30, -1e30, 0, -1e30, -1e30, -1e30, 7, 7, 7, NINF, 5, NINF], null, { from: 'logits' });
  edge('logits: a spread that underflows exp in float32 (z − m down to −200)', 'entropy', 1, 4, [0, -50, -100, -200], null, { from: 'logits' });
  // z − m overflows float32 to -Infinity here: the kernel must not form 0·Infinity.
  edge('logits: ±3e38, differences past the float32 range', 'entropy', 3, 3,
    [-3e38, 3e38, 0, 3e38, -3e38, 3e38, -3e38, -3e38, 1], null, { from: 'logits' });
  edge('logits: ±3e38 across a workgroup (the tree merge rescales by exp(-Infinity))', 'entropy', 1, 65,
    Array.from({ length: 65 }, (_, i) => (i % 5 === 0 ? 3e38 : i % 5 === 1 ? -3e38 : i)), null, { from: 'logits' });
  edge('rows of length 1: probs', 'entropy', 4, 1, [0.3, 0, 1, NAN], null, { from: 'probs' });
  edge('rows of length 1: logits', 'entropy', 4, 1, [5, NINF, 1e30, NAN], null, { from: 'logits' });
  edge('long row with masks (workgroup path): 100 classes, every other masked', 'entropy', 2, 100,
    Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? NINF : Math.sin(i) * 4)), null, { from: 'logits' });
});

describe('edge battery: klDivergence', () => {
  // Q logits (input), P probs (target).
  edge('Q logits masked where P = 0 (finite), where P > 0 (+Infinity), all-masked Q row (+Infinity, grad 0)', 'klDivergence', 3, 3,
    [1, NINF, 2, 1, NINF, 2, NINF, NINF, NINF], [0.5, 0, 0.5, 0.2, 0.3, 0.5, 0.3, 0.3, 0.4], { from: 'logits', targetFrom: 'probs' });
  edge('NaN in the target, NaN in the input, +Infinity logits in the input', 'klDivergence', 3, 3,
    [1, 2, 3, 1, NAN, 3, INF, 2, 3], [0.2, NAN, 0.8, 0.2, 0.3, 0.5, 0.2, 0.3, 0.5], { from: 'logits', targetFrom: 'probs' });
  edge('P probs with zeros, a one-hot P, P ≡ Q (KL = 0)', 'klDivergence', 3, 3,
    [0, 1, 2, 5, 5, 5, 0, 0, 0], [0, 0.5, 0.5, 0, 1, 0, 1 / 3, 1 / 3, 1 / 3], { from: 'logits', targetFrom: 'probs' });
  // The last row: Σ P = +Infinity times Q_1 ≈ e^−201, which float32 flushes to 0 but float64 keeps:
  // the oracle's gradient there is +Infinity, not 0·Infinity = NaN.
  edge('P probs that are not a distribution: +Infinity, -Infinity, negative, sum ≠ 1', 'klDivergence', 5, 3,
    [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 0, -200, 1], [0.2, INF, 0.3, 0.2, NINF, 0.3, -0.2, 0.7, 0.5, 0.4, 0.4, 0.4, INF, 0.3, 0.2],
    { from: 'logits', targetFrom: 'probs' });
  edge('huge logits ±1e30 in Q against P probs', 'klDivergence', 2, 3, [1e30, -1e30, 0, 0, 1e30, 1e30], [0.5, 0.5, 0, 0.2, 0.3, 0.5], { from: 'logits', targetFrom: 'probs' });
  // Both logits.
  edge('both logits: masks on either side, all-masked P (KL 0), all-masked Q (+Infinity)', 'klDivergence', 4, 3,
    [1, 2, NINF, 1, 2, 3, 1, NINF, 3, NINF, NINF, NINF], [1, 2, NINF, NINF, NINF, NINF, 1, 2, 3, 1, 2, 3], { from: 'logits', targetFrom: 'logits' });
  edge('both logits: Q masked where P is e^−700 (+Infinity) or e^−800 (0 in float64: finite)', 'klDivergence', 2, 2,
    [0, NINF, 0, NINF], [0, -700, 0, -800], { from: 'logits', targetFrom: 'logits' });
  edge('both logits: huge ±1e30 on both sides', 'klDivergence', 3, 3,
    [1e30, -1e30, 0, 0, 1e30, -1e30, 5, 5, 5], [1e30, -1e30, 0, 1e30, 0, -1e30, -1e30, 1e30, 0], { from: 'logits', targetFrom: 'logits' });
  edge('both logits: NaN / +Infinity in the target', 'klDivergence', 2, 3, [1, 2, 3, 1, 2, 3], [1, NAN, 3, 1, INF, 3], { from: 'logits', targetFrom: 'logits' });
  // Q probs.
  edge('Q probs with zeros (ln Q clipped at ε), Q +Infinity (KL -Infinity), Q negative', 'klDivergence', 3, 3,
    [0, 0.5, 0.5, 0.2, INF, 0.3, -0.1, 0.6, 0.5], [0.3, 0.3, 0.4, 0.2, 0.3, 0.5, 0.2, 0.3, 0.5], { from: 'probs', targetFrom: 'probs' });
  edge('Q probs against P +Infinity and Q +Infinity together (NaN), NaN in Q', 'klDivergence', 2, 3,
    [0.2, INF, 0.3, 0.2, NAN, 0.3], [0.2, INF, 0.3, 0.2, 0.3, 0.5], { from: 'probs', targetFrom: 'probs' });
  edge('Q probs, P logits with masks, all-masked P, Q +Infinity where P is 0', 'klDivergence', 3, 3,
    [0.2, 0.3, 0.5, 0.2, 0.3, 0.5, 0.2, INF, 0.5], [1, NINF, 2, NINF, NINF, NINF, 1, NINF, 2], { from: 'probs', targetFrom: 'logits' });
  edge('rows of length 1, every kind pair', 'klDivergence', 4, 1, [0.5, 3, NINF, 1], [1, 0.7, 0.5, NINF], { from: 'logits', targetFrom: 'probs' });
  edge('rows of length 1: Q probs, P logits', 'klDivergence', 3, 1, [0.5, 0, 1], [2, NINF, 0], { from: 'probs', targetFrom: 'logits' });
  edge('rows of length 1: both logits', 'klDivergence', 3, 1, [0.5, NINF, 1], [2, 0, NINF], { from: 'logits', targetFrom: 'logits' });
  edge('long rows (workgroup path) with masks in Q where P = 0', 'klDivergence', 2, 100,
    Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? NINF : Math.cos(i) * 3)),
    Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 0 : 1 / 66)), { from: 'logits', targetFrom: 'probs' });
});

// ---- chunks, many rows, determinism ------------------------------------------------------------

describe('row chunks past one storage binding (maxBindingBytes 4096), many rows, determinism', () => {
  for (const c of COMBOS) {
    for (const [rows, cols] of [[1000, 7], [40, 257], [3, 900]]) {
      it(`${comboName(c)} [${rows}, ${cols}] in chunks`, () =>
        expectOk({ ...spec(c, rows, cols, 21, { grad: true, reduction: 'mean' }), context: { maxBindingBytes: 4096 } }));
    }
  }
  it('70000 rows (more than 65535 workgroups of work), thread per row', () =>
    expectOk(spec(COMBOS[3], 70000, 5, 31, { grad: true, reduction: 'mean' })));
  it('70000 rows, workgroup per row', () => expectOk(spec(COMBOS[1], 70000, 33, 32, { grad: true, reduction: 'sum' })));
  it('a device with the spec default limits', () =>
    expectOk({ ...spec(COMBOS[3], 64, 257, 33, { grad: true }), context: { defaultLimits: true } }));
  for (const c of COMBOS) {
    it(`${comboName(c)}: two runs give the same bits`, () =>
      expectOk({ ...spec(c, 64, 4097, 41, { grad: true, reduction: 'mean' }), determinism: true }));
  }
});

// ---- validation ----------------------------------------------------------------------------------

describe('validation errors: the same typed error as the oracle', () => {
  const x = { data: [1, 2, 3, 4, 5, 6], shape: [2, 3] };
  const cases: [string, 'entropy' | 'klDivergence', unknown[], string, string][] = [
    ['target shape mismatch', 'klDivergence', [x, { data: [1, 2, 3, 4, 5, 6], shape: [3, 2] }, {}], 'SHAPE_MISMATCH', 'target'],
    ['target of another rank', 'klDivergence', [x, { data: [1, 2, 3, 4, 5, 6], shape: [6] }, {}], 'SHAPE_MISMATCH', 'target'],
    ['bad from', 'klDivergence', [x, x, { from: 'softmax' }], 'INVALID_OPTION', 'options.from'],
    ['bad targetFrom', 'klDivergence', [x, x, { targetFrom: 'labels' }], 'INVALID_OPTION', 'options.targetFrom'],
    ['bad reduction', 'klDivergence', [x, x, { reduction: 'batchmean' }], 'INVALID_OPTION', 'options.reduction'],
    ['epsilon out of (0, 0.5)', 'klDivergence', [x, x, { epsilon: 0.7 }], 'INVALID_OPTION', 'options.epsilon'],
    ['bad option before a bad target (the oracle checks options first)', 'klDivergence', [x, { data: [1], shape: [1] }, { base: 10 }], 'INVALID_OPTION', 'options.base'],
    ['target holding a non-number', 'klDivergence', [x, { data: [1, 2, 3, 4, 5, 'a'], shape: [2, 3] }, {}], 'INVALID_DTYPE', 'target'],
    ['entropy: bad base', 'entropy', [x, { base: 10 }], 'INVALID_OPTION', 'options.base'],
    ['entropy: grad not a boolean', 'entropy', [x, { grad: 1 }], 'INVALID_OPTION', 'options.grad'],
    ['entropy: 3-D input', 'entropy', [{ data: [1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 2, 2] }, {}], 'INVALID_SHAPE', 'input'],
    ['entropy: data length does not match the shape', 'entropy', [{ data: [1, 2, 3], shape: [2, 2] }, {}], 'INVALID_SHAPE', 'input'],
  ];
  for (const [name, op, args, code, argument] of cases) {
    it(name, async () => {
      const res = await gpu.call<(ErrorInfo & { argsUnchanged: boolean }) | null>('expectError', op, args);
      expect(res, 'the GPU call did not throw').not.toBeNull();
      const { argsUnchanged, ...got } = res!;
      expect(argsUnchanged, 'the caller\'s arguments are as they were').toBe(true);
      const want = await errorOf(() => (ref as unknown as Record<string, (...a: unknown[]) => unknown>)[op](...args));
      expect(want, 'the oracle should throw too').not.toBeNull();
      expect(got).toEqual(want);
      expect(got?.code).toBe(code);
      expect(got?.argument).toBe(argument);
    });
  }
});
