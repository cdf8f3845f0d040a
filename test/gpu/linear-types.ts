// What crosses between test/gpu/linear-cross-entropy.test.ts and its page (linear-page.ts).
import type { RunSpec } from './page-types';

/** A linearCrossEntropy case; `gradTol.atol` is multiplied by max |expected| of each gradient. */
export interface LinearSpec extends RunSpec {
  n: number;
  d: number;
  v: number;
  seed?: number;
  /** Standard deviations of hidden and weight entries (logits then have std ~ hScale·wScale·√D). */
  hScale?: number;
  wScale?: number;
  bias?: boolean;
  /** Fraction of rows given the ignore index (1: all). */
  ignoreFrac?: number;
  /** Put a NaN into this row of hidden. */
  nanRow?: number;
  /** Scale this row of hidden so that its logits overflow exp (~±1000). */
  bigRow?: number;
  /** Give these rows the ignore index. */
  ignoreRows?: number[];
  /** Passed to both sides; `weight: 'random'` makes seeded class weights. */
  options?: Record<string, unknown>;
}

export interface LinearReport {
  ok: boolean;
  messages: string[];
  /** Largest buffer the call created, in bytes, and N·V·4. */
  largestBuffer: number;
  logitsBytes: number;
  scratchBytes: number;
  ms: number;
}
