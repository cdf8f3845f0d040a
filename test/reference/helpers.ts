// Shared pieces for the oracle tests: tensors, one-hot encoding, central finite differences.

import type { HostTensor } from '../../src/index';
import type { RefResult } from '../../src/reference/index';

export function tensor(data: ArrayLike<number>, shape: number[]): HostTensor {
  return { data, shape };
}

export function oneHot(labels: ArrayLike<number>, classes: number): Float64Array {
  const out = new Float64Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) out[i * classes + labels[i]] = 1;
  return out;
}

/** The scalar whose gradient `grad` holds: the reduced loss, or the sum of a 'none' result. */
export function total(r: RefResult): number {
  let s = 0;
  for (let i = 0; i < r.loss.length; i++) s += r.loss[i];
  return s;
}

/**
 * Central differences of f at x, one coordinate at a time: (f(x + h·e_i) − f(x − h·e_i)) / 2h.
 * Coordinates in `skip` (e.g. -Infinity masks) are left at 0.
 */
export function numericGrad(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  hRel = 1e-6,
  skip: (i: number) => boolean = () => false,
): Float64Array {
  const xs = Float64Array.from(x);
  const g = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    if (skip(i)) continue;
    const x0 = xs[i];
    const h = hRel * Math.max(1, Math.abs(x0));
    xs[i] = x0 + h;
    const up = f(xs);
    xs[i] = x0 - h;
    const down = f(xs);
    xs[i] = x0;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/** Every combination of the given option values, as a list of objects. */
export function product<T extends Record<string, readonly unknown[]>>(axes: T): { [K in keyof T]: T[K][number] }[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    out = out.flatMap((o) => values.map((v) => ({ ...o, [key]: v })));
  }
  return out as { [K in keyof T]: T[K][number] }[];
}

/** A short readable name for a combination, for test titles. */
export function describeCase(c: Record<string, unknown>): string {
  return Object.entries(c)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${ArrayBuffer.isView(v) || Array.isArray(v) ? 'array' : String(v)}`)
    .join(' ');
}
