// Defaults and option parsing shared by `npm run bench` (which passes its command line through),
// the page's form and `npm run bench:gpu`.
import type { BenchConfig, Shape } from './types';

export const DEFAULT_SHAPES: Shape[] = [
  [4096, 10], [16384, 100], [1024, 1000], [256, 32000], [64, 50257], [8, 128256],
  [2048, 32000], // 262 MB: larger than the default 128 MiB storage binding
];

/** Options as given on the command line or in the page's form. */
export interface RawOptions {
  shapes?: string;
  impls?: string;
  iters?: number;
  quick?: boolean;
  budgetMs?: number;
  seed?: number;
  /** The commit measured (scripts/bench.mjs asks git); recorded in the results. */
  source?: { commit: string; dirty: string[] };
}

export function parseShapes(s: string): Shape[] {
  return s.split(',').map((t) => t.trim()).filter(Boolean).map((t) => {
    const m = /^(\d+)\s*[x×*]\s*(\d+)$/i.exec(t);
    if (!m) throw new Error(`bad shape "${t}": expected ROWSxCLASSES, e.g. 1024x1000`);
    return [Number(m[1]), Number(m[2])] as Shape;
  });
}

export function formatShapes(shapes: Shape[]): string {
  return shapes.map(([r, c]) => `${r}x${c}`).join(',');
}

/** `defaultImpls`: what runs without `--impls` (the page's list, or Node's). */
export function makeConfig(o: RawOptions, defaultImpls: string[]): BenchConfig {
  const quick = Boolean(o.quick);
  const iters = o.iters ?? (quick ? 5 : 30);
  if (!Number.isInteger(iters) || iters < 1) throw new Error(`--iters must be a positive integer, got ${o.iters}`);
  return {
    shapes: o.shapes ? parseShapes(o.shapes) : DEFAULT_SHAPES,
    impls: o.impls ? o.impls.split(',').map((s) => s.trim()).filter(Boolean) : defaultImpls,
    iters,
    steadyCalls: quick ? 4 : 20,
    budgetMs: o.budgetMs ?? (quick ? 600 : 2000),
    steadyBudgetMs: quick ? 400 : 1000,
    minIters: Math.min(iters, quick ? 1 : 3),
    quick,
    seed: o.seed ?? 1,
  };
}
