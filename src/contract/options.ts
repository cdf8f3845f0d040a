// Option parsing primitives: each reads one option value, checks it and applies its default, and
// throws an OptionError naming the option (`'options.labelSmoothing'`). The per-operation parsers
// (configs/) build on these.
import type { LogBase } from './types';
import { OptionError } from './errors';

/**
 * `undefined` means no options; anything else must be a plain object. Returns a snapshot: each of
 * the caller's own options is read once, here, so a getter cannot answer one thing to the checks
 * and another to the kernel. Unknown keys are ignored.
 */
export function optionsObject(opts: unknown): Record<string, unknown> {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new OptionError('options', 'must be an object or undefined');
  }
  return { ...(opts as Record<string, unknown>) };
}

/** One of a fixed set of values, or `def` when absent. */
export function oneOf<T extends string | number>(value: unknown, allowed: readonly T[], name: string, def: T): T {
  if (value === undefined) return def;
  if (!(allowed as readonly unknown[]).includes(value)) {
    const list = allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ');
    throw new OptionError(name, `must be one of ${list}, got ${String(value)}`);
  }
  return value as T;
}

export function bool(value: unknown, name: string, def = false): boolean {
  if (value === undefined) return def;
  if (typeof value !== 'boolean') throw new OptionError(name, `must be a boolean, got ${String(value)}`);
  return value;
}

/** A finite number accepted by `ok`, or `def` when absent; `expect` words the rule for the message. */
export function finite(value: unknown, name: string, def: number, ok: (x: number) => boolean, expect: string): number {
  if (value === undefined) return def;
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new OptionError(name, `must be ${expect}, got ${String(value)}`);
  }
  return value;
}

export function integer(value: unknown, name: string, def: number): number {
  if (value === undefined) return def;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new OptionError(name, `must be an integer, got ${String(value)}`);
  }
  return value;
}

/** Probability clip ε in (0, 0.5), default `def`. */
export function epsilonOption(value: unknown, name: string, def: number): number {
  return finite(value, name, def, (x) => x > 0 && x < 0.5, 'a number in (0, 0.5)');
}

/** Per-class weights: an array of `n` finite numbers >= 0, or `null` when absent. */
export function weightsOption(value: unknown, name: string, n: number): Float64Array | null {
  if (value === undefined) return null;
  return nonNegativeArray(value, name, n, 'classes');
}

/** A number for every column, or one per column (length `n`); finite and >= 0. */
export function perColumnOption(value: unknown, name: string, n: number, def: number): Float64Array {
  if (value === undefined || typeof value === 'number') {
    const v = finite(value, name, def, (x) => x >= 0, 'a finite number >= 0');
    return new Float64Array(n).fill(v);
  }
  return nonNegativeArray(value, name, n, 'columns');
}

function nonNegativeArray(value: unknown, name: string, n: number, what: string): Float64Array {
  if (typeof value !== 'object' || value === null || typeof (value as { length?: unknown }).length !== 'number') {
    throw new OptionError(name, `must be an array of ${n} numbers`);
  }
  const arr = value as ArrayLike<unknown>;
  if (arr.length !== n) throw new OptionError(name, `has length ${arr.length}, expected ${n} (the number of ${what})`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new OptionError(name, `[${i}] is ${String(v)}; entries must be finite numbers >= 0`);
    }
    out[i] = v;
  }
  return out;
}

/** What a loss value and its gradient are divided by: 1 for nats, ln 2 for bits. */
export function baseDivisor(base: LogBase): number {
  return base === 2 ? Math.LN2 : 1;
}
