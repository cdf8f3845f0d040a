// The targets a shape's results are held to, and the one-word verdict the terminal prints.
import type { ImplResult, ShapeResult } from './types';

export const TARGET_ROOF = 0.85;
export const TARGET_TFJS = 10;
/** Below this a shape is "small": judged by its time against the roof's (fixed costs dominate). */
export const SMALL_BYTES = 1e6;
export const SMALL_SLACK = 1.5;
/** Above this fraction of the target (but below it) the verdict is "fair". */
export const FAIR = 0.6;

/** The fraction of its roof a row reached: on GPU time where both have it, else on wall time. */
export function roofFraction(r: ImplResult | undefined): { value: number; on: 'GPU' | 'wall' } | undefined {
  if (r?.ofRoofGpu !== undefined) return { value: r.ofRoofGpu, on: 'GPU' };
  if (r?.ofRoof !== undefined) return { value: r.ofRoof, on: 'wall' };
  return undefined;
}

/** good: meets the target; fair: within FAIR of it; poor: further; or why there is no number. */
export function verdict(s: ShapeResult, r: ImplResult | undefined): string {
  if (!r) return '–';
  if (r.skipped) return 'skipped';
  if (r.error) return 'ERROR';
  if (r.check && !r.check.ok) return 'WRONG';
  const f = roofFraction(r);
  if (!f) return '–';
  // A small shape's target is a time: at most SMALL_SLACK × the roof's, i.e. 1 / SMALL_SLACK of it.
  const target = s.logitsBytes < SMALL_BYTES ? 1 / SMALL_SLACK : TARGET_ROOF;
  return f.value >= target ? 'good' : f.value >= target * FAIR ? 'fair' : 'poor';
}

/** Said wherever a fraction of the roof above 1 is shown (terminal legend, HTML report). */
export const ABOVE_ROOF = 'Of roof above 1: the call took less time than the roof, a trivial kernel timed on this adapter '
  + 'in the same run and not a physical bound, so it means timing noise, a launch shape that suits the adapter '
  + 'better than the roof\'s few grids, or fixed costs the roof pays and the call does not (a CPU peer has no '
  + 'GPU submit or readback); fused rows are held to the read+write roof, so their GB/s may pass the read roof\'s.';
