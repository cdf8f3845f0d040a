// Option parsing primitives: each reads one option value, checks it and applies its default, and
// throws an OptionError naming the option (`'options.labelSmoothing'`) and quoting the value. The
// per-operation parsers (configs/) build on these.
import type { LogBase } from './types';
import { OptionError } from './errors';
import { show, whyUnreadable } from './show';

/** Largest finite float32: a value above it becomes Infinity in a kernel's uniform or buffer. */
export const F32_MAX = 3.4028234663852886e38;
/** Smallest normal float32: below it a kernel may see 0 (subnormals can be flushed). */
export const F32_MIN_NORMAL = 1.1754943508222875e-38;

/**
 * `undefined` means no options; anything else must be a plain object whose every key is one of
 * `known` (a misspelt option would otherwise silently compute something else: the error names
 * the closest known one). Returns a snapshot: each of the caller's options is read once, here,
 * so a getter cannot answer one thing to the checks and another to the kernel.
 */
export function optionsObject(opts: unknown, known: readonly string[], what = 'options'): Record<string, unknown> {
  if (opts === undefined) return {};
  if (!optionsLike(opts)) {
    throw new OptionError(what, `must be an object or undefined, got ${show(opts)}`);
  }
  let snapshot: Record<string, unknown>;
  try {
    snapshot = { ...(opts as Record<string, unknown>) };
  } catch (e) {
    throw new OptionError(what, `could not be read (${whyUnreadable(e)})`);
  }
  for (const key of Reflect.ownKeys(snapshot)) {
    if (typeof key === 'symbol') throw new OptionError(what, `has a Symbol key (${key.toString()}); options are named by strings`);
    if (!known.includes(key)) {
      const near = closest(key, known);
      throw new OptionError(`${what}.${key}`, `is not an option here${near ? `; did you mean '${near}'?` : ''} (known: ${known.join(', ')})`);
    }
  }
  return snapshot;
}

/**
 * A copy of an options object, each property read once, for an entry point that needs one option
 * before handing the rest on; anything else (or an object that cannot be read) is returned as it
 * is, for optionsObject to refuse in its turn.
 */
export function snapshot<T>(opts: T): T {
  if (!optionsLike(opts)) return opts;
  try {
    return { ...opts };
  } catch {
    return opts;
  }
}

/** An object whose own properties can be options (a Map's or Set's entries are not properties: its options would silently be none). */
function optionsLike(v: unknown): v is object {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  try {
    return !(v instanceof Map) && !(v instanceof Set);
  } catch {
    return true; // a proxy whose getPrototypeOf trap throws: its own properties are what counts
  }
}

/** One of a fixed set of values, or `def` when absent. */
export function oneOf<T extends string | number>(value: unknown, allowed: readonly T[], name: string, def: T): T {
  if (value === undefined) return def;
  if (!(allowed as readonly unknown[]).includes(value)) {
    const list = allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ');
    throw new OptionError(name, `must be one of ${list}, got ${show(value)}`);
  }
  return value as T;
}

export function bool(value: unknown, name: string, def = false): boolean {
  if (value === undefined) return def;
  if (typeof value !== 'boolean') throw new OptionError(name, `must be a boolean, got ${show(value)}`);
  return value;
}

/** A finite number accepted by `ok`, or `def` when absent; `expect` words the rule for the message. */
export function finite(value: unknown, name: string, def: number, ok: (x: number) => boolean, expect: string): number {
  if (value === undefined) return def;
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new OptionError(name, `must be ${expect}, got ${show(value)}`);
  }
  return value;
}

/** A number a float32 kernel sees as itself, not as 0 or Infinity: 0, or 1.2e-38 <= |x| <= 3.4e38. */
export function float32Safe(x: number): boolean {
  const a = Math.abs(x);
  return a === 0 || (a >= F32_MIN_NORMAL && a <= F32_MAX);
}

/** An int32 (the kernels hold it in an i32), or `def` when absent. */
export function int32(value: unknown, name: string, def: number): number {
  if (value === undefined) return def;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new OptionError(name, `must be an integer in [-2^31, 2^31), got ${show(value)}`);
  }
  return value;
}

/** Probability clip ε in (0, 0.5), default `def`; at least float32's smallest normal, so the kernels see it. */
export function epsilonOption(value: unknown, name: string, def: number): number {
  return finite(value, name, def, (x) => x >= F32_MIN_NORMAL && x < 0.5, 'a number in [1.2e-38, 0.5) (float32 holds no smaller clip)');
}

/** Per-class weights: an array of `n` numbers in [0, 3.4e38], or `null` when absent. */
export function weightsOption(value: unknown, name: string, n: number): Float64Array | null {
  if (value === undefined) return null;
  return nonNegativeArray(value, name, n, 'classes');
}

/** A number for every column, or one per column (length `n`); in [0, 3.4e38]. */
export function perColumnOption(value: unknown, name: string, n: number, def: number): Float64Array {
  if (value === undefined || typeof value === 'number') {
    const v = finite(value, name, def, (x) => x >= 0 && float32Safe(x), 'a number in [0, 3.4e38] that float32 holds');
    return new Float64Array(n).fill(v);
  }
  return nonNegativeArray(value, name, n, 'columns');
}

function nonNegativeArray(value: unknown, name: string, n: number, what: string): Float64Array {
  try {
    return readNonNegative(value, name, n, what);
  } catch (e) {
    // A proxy or getter that throws while its items are read.
    if (e instanceof OptionError) throw e;
    throw new OptionError(name, `could not be read (${whyUnreadable(e)})`);
  }
}

function readNonNegative(value: unknown, name: string, n: number, what: string): Float64Array {
  if (typeof value !== 'object' || value === null || typeof (value as { length?: unknown }).length !== 'number') {
    throw new OptionError(name, `must be an array of ${n} numbers, got ${show(value)}`);
  }
  const arr = value as ArrayLike<unknown>;
  if (arr.length !== n) throw new OptionError(name, `has length ${arr.length}, expected ${n} (the number of ${what})`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || !float32Safe(v)) {
      throw new OptionError(name, `[${i}] is ${show(v)}; entries must be numbers in [0, 3.4e38] that float32 holds (0, or at least 1.2e-38)`);
    }
    out[i] = v;
  }
  return out;
}

/** What a loss value and its gradient are divided by: 1 for nats, ln 2 for bits. */
export function baseDivisor(base: LogBase): number {
  return base === 2 ? Math.LN2 : 1;
}

/** The known name nearest to `key` (edit distance at most a third of its length), if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
