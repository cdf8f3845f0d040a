// What every benchmarked implementation provides: a setup per shape, then calls.
import type { WebGPULoss } from '../../src/index';
import type { Inputs } from '../data';
import type { Bracket } from '../gpu-timer';
import type { Work } from '../types';

/** What one call produced, read back in full for the check (outside the timed region). */
export interface CallResult {
  /** The mean loss, or the roof's Σx. */
  value: number;
  /** The gradient of the mean loss (fused), or the read+write roof's written copy. */
  grad?: Float32Array;
}

export interface Instance {
  /** One call, awaited through one readback of its scalar result (what the wall time measures).
   *  A GPU implementation calls `bracket.begin()` just before it submits and `bracket.end()` just
   *  after, before the readback. */
  call(bracket?: Bracket): Promise<void>;
  /** The full result of the last call, read back for the oracle check. */
  result(): Promise<CallResult>;
  /** `k` calls queued back to back, then one readback of the last (steady state); absent where
   *  calls are synchronous (the CPU peers), so queueing means nothing. */
  queue?(k: number): Promise<void>;
  /** True where call() honours its bracket (work on the device the bracket's timer was made on). */
  bracketed?: boolean;
  /** Shown beside the result (the roof's grid, a formulation detail). */
  note?: string;
  dispose(): Promise<void> | void;
}

export interface Env {
  /** The library's context for this shape (a fresh device per shape); the roofs run on it too. */
  wl: WebGPULoss;
  quick: boolean;
  progress: (line: string) => void;
}

export interface ImplSpec {
  id: string;
  label: string;
  backend: 'webgpu' | 'wasm' | 'cpu' | 'js';
  work: Work;
  /** A slow peer: its calls are capped harder on big shapes. */
  slow?: boolean;
  setup(env: Env, inp: Inputs): Promise<Instance>;
}

/** Thrown by a setup that cannot run a shape at all (too large for a limit); recorded as skipped. */
export class Skip extends Error {
  override name = 'Skip';
}
