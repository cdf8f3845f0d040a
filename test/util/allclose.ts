// The one comparison used by every test, in Node and in the browser page alike.
// |actual - expected| <= atol + rtol * |expected|, elementwise, with non-finite values handled
// explicitly: NaN matches only NaN, +Infinity only +Infinity, -Infinity only -Infinity.
// A NaN never passes as a number, and a number never passes as NaN.

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface CloseReport {
  ok: boolean;
  count: number;
  failed: number;
  /** The first few failures: index, actual, expected. */
  first: { index: number; actual: number; expected: number }[];
  /** Largest |a - e| / (atol + rtol |e|) over finite pairs: 1 is the edge of the tolerance. */
  worst: number;
  message: string;
}

function classify(x: number): 'nan' | 'pinf' | 'ninf' | 'num' {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'pinf';
  if (x === -Infinity) return 'ninf';
  return 'num';
}

export function allclose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  label = 'values',
  maxReported = 5,
): CloseReport {
  const first: CloseReport['first'] = [];
  let failed = 0;
  let worst = 0;
  if (actual.length !== expected.length) {
    return {
      ok: false,
      count: Math.max(actual.length, expected.length),
      failed: -1,
      first,
      worst: Infinity,
      message: `${label}: length ${actual.length} != expected length ${expected.length}`,
    };
  }
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ca = classify(a);
    const ce = classify(e);
    let bad: boolean;
    if (ca !== 'num' || ce !== 'num') {
      bad = ca !== ce;
    } else {
      const err = Math.abs(a - e);
      const allowed = tol.atol + tol.rtol * Math.abs(e);
      const ratio = allowed > 0 ? err / allowed : err > 0 ? Infinity : 0;
      if (ratio > worst) worst = ratio;
      bad = err > allowed;
    }
    if (bad) {
      failed++;
      if (first.length < maxReported) first.push({ index: i, actual: a, expected: e });
    }
  }
  const ok = failed === 0;
  const message = ok
    ? `${label}: ${actual.length} values within rtol=${tol.rtol} atol=${tol.atol} (worst ${worst.toFixed(3)} of allowed)`
    : `${label}: ${failed} of ${actual.length} values outside rtol=${tol.rtol} atol=${tol.atol}; first: ` +
      first.map((f) => `[${f.index}] got ${f.actual} want ${f.expected}`).join(', ');
  return { ok, count: actual.length, failed, first, worst, message };
}

/** Throws with the report's message when the values are not close (for Node-side tests). */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  label = 'values',
): void {
  const r = allclose(actual, expected, tol, label);
  if (!r.ok) throw new Error(r.message);
}
