// The one runner of bad-input cases, in the test page and in Node alike: build each case's
// arguments fresh, snapshot them, call the entry point, snapshot again, free what the call and
// the case made; then one small valid call that must still match the oracle.
import * as ref from '../../src/reference/index';
import { allclose } from '../util/allclose';
import { errorOf, type ErrorInfo } from '../util/errors';
import { TOL } from '../util/tolerances';
import type { Case } from './case';
import { build, newScope, type Makers } from './make';
import { prototypeKeys, snapshot } from './snapshot';

export type Entry = (...args: unknown[]) => unknown;
export type Entries = Record<string, Entry>;

export interface Outcome {
  name: string;
  /** The error, or null when the call succeeded (its outputs read back). */
  error: ErrorInfo | null;
  /** Why the case's arguments could not be built (the case then fails). */
  unbuilt?: string;
  /** The arguments' deep snapshot is the same after the call. */
  unchanged: boolean;
  changed?: string;
  /** Object.prototype gained no key. */
  prototypeClean: boolean;
  reads: Record<string, number>;
}

export interface Health {
  ok: boolean;
  message: string;
}

export interface Batch {
  outcomes: Outcome[];
  /** The small valid call after the batch. */
  health: Health;
}

/** Frees whatever a call returned: a Result, a tensor, a WebGPULoss or CpuLoss, TF.js tensors. */
async function release(r: unknown): Promise<void> {
  if (typeof r !== 'object' || r === null) return;
  const o = r as { dispose?: () => void; destroy?: () => void };
  if (typeof o.dispose === 'function') o.dispose();
  else if (typeof o.destroy === 'function') o.destroy();
  else for (const v of Object.values(r)) (v as { destroy?: () => void } | undefined)?.destroy?.();
}

const clip = (s: string, n = 400) => (s.length > n ? `${s.slice(0, n)}…` : s);

export async function runCases(cases: Case[], entries: Entries, makers: Makers, health: () => Promise<Health>): Promise<Batch> {
  const outcomes: Outcome[] = [];
  for (const c of cases) {
    const scope = newScope();
    const base = { name: c.name, error: null, unchanged: false, prototypeClean: true, reads: scope.reads };
    let args: unknown[];
    try {
      args = (await build(c.args, scope, makers)).value as unknown[];
    } catch (e) {
      outcomes.push({ ...base, unbuilt: e instanceof Error ? e.message : String(e) });
      await Promise.all(scope.cleanup.map((f) => f()));
      continue;
    }
    const entry = entries[c.call];
    const before = await snapshot(args, scope.describe);
    const proto = prototypeKeys();
    const results: unknown[] = [];
    const error = entry ? await errorOf(async () => {
      const r = await entry(...args);
      results.push(r);
      // TF.js results settle through `ready`, where WebGPU's verdict on the call arrives.
      const ready = (r as { ready?: unknown } | null)?.ready;
      if (ready instanceof Promise) await ready;
      return r;
    }) : { name: 'NoEntry', message: `this side has no entry point '${c.call}'`, typed: false };
    const after = await snapshot(args, scope.describe);
    for (const r of results) await release(r);
    await Promise.all(scope.cleanup.map((f) => f()));
    outcomes.push({
      ...base,
      error,
      unchanged: before === after,
      changed: before === after ? undefined : `before ${clip(before)}\nafter  ${clip(after)}`,
      prototypeClean: prototypeKeys() === proto && !('grad' in {}),
    });
  }
  return { outcomes, health: await health() };
}

// ---- the call after each batch --------------------------------------------------------------------

/** The health call's arguments: logits [2, 3] and labels, with the gradient. */
export const HEALTH_ARGS = [{ data: [1, 2, 3, 4, 5, 6], shape: [2, 3] }, { data: [0, 2], shape: [2] }, { grad: true }] as const;

type Readable = { read?: () => Promise<ArrayLike<number>>; data?: () => Promise<ArrayLike<number>> } | ArrayLike<number>;

async function valuesOf(t: Readable | undefined): Promise<ArrayLike<number>> {
  if (!t) throw new Error('missing output');
  if ('read' in t && typeof t.read === 'function') return t.read();
  if ('data' in t && typeof t.data === 'function') return t.data();
  return t as ArrayLike<number>;
}

/**
 * Cross-entropy with its gradient through `crossEntropy` (any target's), compared with the
 * oracle and, so that the oracle too is checked, with the loss written out by hand.
 */
export async function crossEntropyHealth(crossEntropy: Entry): Promise<Health> {
  try {
    const [x, y, o] = HEALTH_ARGS;
    const out = (await crossEntropy(x, y, { ...o })) as { loss: Readable; grad?: Readable };
    const loss = await valuesOf(out.loss);
    const grad = await valuesOf(out.grad);
    await release(out);
    const want = ref.crossEntropy(x, y, { ...o });
    const lse = (a: number, b: number, c: number) => Math.log(Math.exp(a) + Math.exp(b) + Math.exp(c));
    const byHand = (lse(1, 2, 3) - 1 + lse(4, 5, 6) - 6) / 2;
    const checks = [allclose(loss, want.loss, TOL.loss, 'loss vs the oracle'), allclose(grad, want.grad!, TOL.grad(), 'grad vs the oracle'),
      allclose(loss, [byHand], TOL.loss, 'loss vs by hand')];
    return { ok: checks.every((r) => r.ok), message: checks.map((r) => r.message).join('; ') };
  } catch (e) {
    return { ok: false, message: `the call after the batch failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
}
