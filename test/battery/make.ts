// Values JSON cannot carry, written as tokens `{ $make: kind, ... }` in the case tables and built
// fresh for each case on the side that runs it: typed arrays of every kind (shared, detached),
// Symbols, BigInts, getters that change between reads, proxies (whose traps may throw),
// `__proto__` keys, Symbol-keyed objects. GPU objects come from makers the runner is given.

import { GpuTensor } from '../../src/index';

export type Token = { $make: string } & Record<string, unknown>;

/** What building a case leaves behind: named objects, read counts, and what to free afterwards. */
export interface Scope {
  readonly ids: Map<string, unknown>;
  /** Reads seen by each counted getter or proxy, by its token's id. */
  readonly reads: Record<string, number>;
  /** How to describe an object the snapshot cannot walk (a GPU tensor or buffer, a tf.Tensor). */
  readonly describe: Map<object, () => Promise<string>>;
  readonly cleanup: (() => unknown)[];
}

/**
 * Built values travel boxed: a promise resolved with a proxy would read its `then` (a hostile
 * trap throws there), so makers take `build` giving `{ value }` and return `{ value }` themselves.
 */
export interface Box {
  value: unknown;
}
export type Maker = (token: Token, build: (v: unknown) => Promise<Box>, scope: Scope) => Box | Promise<Box>;
export type Makers = Record<string, Maker>;

export const isToken = (v: unknown): v is Token =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { $make?: unknown }).$make === 'string';

// ---- the tokens ----------------------------------------------------------------------------------

export type TypedName = 'Float32Array' | 'Float64Array' | 'Int32Array' | 'Uint32Array' | 'Int16Array' | 'Uint16Array' | 'Uint8Array' | 'Int8Array'
  | 'Uint8ClampedArray' | 'BigInt64Array' | 'BigUint64Array';

export const T = {
  undefined: (): Token => ({ $make: 'undefined' }),
  symbol: (description = 'x'): Token => ({ $make: 'symbol', description }),
  bigint: (value: number): Token => ({ $make: 'bigint', value: String(value) }),
  fn: (): Token => ({ $make: 'function' }),
  typed: (type: TypedName, values: number[]): Token => ({ $make: 'typed', type, values }),
  /** The values in a typed array over a SharedArrayBuffer. */
  shared: (type: TypedName, values: number[]): Token => ({ $make: 'shared', type, values }),
  /** A typed array whose buffer was transferred away (length 0 from then on). */
  detached: (type: TypedName, values: number[]): Token => ({ $make: 'detached', type, values }),
  dataView: (bytes: number): Token => ({ $make: 'dataView', bytes }),
  arrayBuffer: (bytes: number): Token => ({ $make: 'arrayBuffer', bytes }),
  /** A plain array of `length` with holes, holding `values` at their indices. */
  sparse: (length: number, values: Record<number, unknown>): Token => ({ $make: 'sparse', length, values }),
  json: (text: string): Token => ({ $make: 'json', text }),
  /** `own` plus one Symbol-keyed property. */
  symbolKey: (own: Record<string, unknown>, description: string, value: unknown): Token => ({ $make: 'symbolKey', own, description, value }),
  /** A Map of these entries. */
  map: (entries: [unknown, unknown][]): Token => ({ $make: 'map', entries }),
  /** `own` with `proto` as its prototype (inherited, not own, properties). */
  inherits: (proto: Record<string, unknown>, own: Record<string, unknown> = {}): Token => ({ $make: 'inherits', proto, own }),
  /**
   * `own` plus getters: field k answers values[k][n] on its n-th read (the last value from then
   * on), each read counted under `${id}.${k}`.
   */
  getters: (id: string, fields: Record<string, unknown[]>, own: Record<string, unknown> = {}): Token => ({ $make: 'getters', id, fields, own }),
  /** An array that reads as `first` for one pass over its items and as `then` after; reads counted under `id`. */
  flipArray: (id: string, first: unknown[], then: unknown[]): Token => ({ $make: 'flipArray', id, first, then }),
  /** A proxy of `target` whose listed traps throw (none: a transparent proxy). */
  proxy: (target: unknown, throwOn: ('get' | 'has' | 'ownKeys' | 'getOwnPropertyDescriptor' | 'getPrototypeOf')[] = []): Token => ({ $make: 'proxy', target, throwOn }),
  /** An object with GpuTensor's prototype and none of its state. */
  forgedGpuTensor: (): Token => ({ $make: 'forgedGpuTensor' }),
  /** A stand-in for navigator.gpu whose requestAdapter() throws, resolves null, resolves a non-adapter, or resolves `fakeAdapter`. */
  fakeGpu: (adapter: 'throws' | 'null' | 'object' | Token): Token => ({ $make: 'fakeGpu', adapter }),
  /** A stand-in GPUAdapter (limits, features) whose requestDevice() rejects or resolves undefined; `bare`: a requestDevice and nothing else. */
  fakeAdapter: (device: 'rejects' | 'undefined', bare = false): Token => ({ $make: 'fakeAdapter', device, bare }),
  /** The object made earlier in the same case under this id. */
  ref: (id: string): Token => ({ $make: 'ref', id }),
  /** The built value of `value`, kept under `id` for later `ref`s. */
  named: (id: string, value: unknown): Token => ({ $make: 'named', id, value }),
};

// ---- building --------------------------------------------------------------------------------------

const TYPED: Record<TypedName, { new (n: number | ArrayBufferLike, offset?: number, length?: number): ArrayLike<unknown> & { BYTES_PER_ELEMENT: number }; BYTES_PER_ELEMENT: number }> = {
  Float32Array, Float64Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Uint8Array, Int8Array, Uint8ClampedArray,
  BigInt64Array: BigInt64Array as never, BigUint64Array: BigUint64Array as never,
};

function typedOf(type: TypedName, values: number[], buf?: ArrayBufferLike): ArrayLike<unknown> {
  const C = TYPED[type];
  const a = buf ? new C(buf, 0, values.length) : new C(values.length);
  const big = type.startsWith('Big');
  values.forEach((v, i) => { (a as unknown as unknown[])[i] = big ? BigInt(Math.trunc(v)) : v; });
  return a;
}

/**
 * A SharedArrayBuffer: the constructor where the page is cross-origin isolated (and in Node),
 * else a shared WebAssembly memory, which Chromium gives without isolation. Throws (the case then
 * fails, never passes unrun) where neither exists.
 */
export function sharedBuffer(bytes: number): ArrayBufferLike {
  const g = globalThis as { SharedArrayBuffer?: new (n: number) => ArrayBufferLike };
  if (g.SharedArrayBuffer) return new g.SharedArrayBuffer(bytes);
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  const buf = new WebAssembly.Memory({ shared: true, initial: pages, maximum: pages } as WebAssembly.MemoryDescriptor).buffer;
  if (Object.prototype.toString.call(buf) !== '[object SharedArrayBuffer]') throw new Error('no SharedArrayBuffer here (no constructor, and WebAssembly memory is not shared)');
  return buf;
}

function counted(scope: Scope, id: string): number {
  scope.reads[id] = (scope.reads[id] ?? 0) + 1;
  return scope.reads[id];
}

const hostile = (trap: string) => () => { throw new Error(`hostile ${trap} trap`); };

const BASE: Makers = {
  undefined: () => ({ value: undefined }),
  symbol: (t) => ({ value: Symbol(String(t.description)) }),
  bigint: (t) => ({ value: BigInt(String(t.value)) }),
  function: () => ({ value: function notOptions() {} }),
  typed: (t) => ({ value: typedOf(t.type as TypedName, t.values as number[]) }),
  shared: (t) => {
    const type = t.type as TypedName;
    return { value: typedOf(type, t.values as number[], sharedBuffer(Math.max(8, (t.values as number[]).length * TYPED[type].BYTES_PER_ELEMENT))) };
  },
  detached: (t) => {
    const a = typedOf(t.type as TypedName, t.values as number[]) as unknown as { buffer: ArrayBuffer };
    structuredClone(a.buffer, { transfer: [a.buffer] });
    return { value: a };
  },
  dataView: (t) => ({ value: new DataView(new ArrayBuffer(t.bytes as number)) }),
  arrayBuffer: (t) => ({ value: new ArrayBuffer(t.bytes as number) }),
  json: (t) => ({ value: JSON.parse(String(t.text)) }),
  map: async (t, build) => ({ value: new Map((await build(t.entries)).value as [unknown, unknown][]) }),
  sparse: async (t, build) => {
    const a: unknown[] = new Array(t.length as number);
    for (const [i, v] of Object.entries(t.values as Record<string, unknown>)) a[Number(i)] = (await build(v)).value;
    return { value: a };
  },
  symbolKey: async (t, build) => ({ value: { ...((await build(t.own)).value as object), [Symbol(String(t.description))]: (await build(t.value)).value } }),
  inherits: async (t, build) => ({ value: Object.assign(Object.create((await build(t.proto)).value as object), (await build(t.own)).value) }),
  getters: async (t, build, scope) => {
    const o = (await build(t.own)).value as Record<string, unknown>;
    for (const [k, values] of Object.entries(t.fields as Record<string, unknown[]>)) {
      const built = (await build(values)).value as unknown[];
      Object.defineProperty(o, k, {
        enumerable: true,
        configurable: true,
        get: () => built[Math.min(counted(scope, `${t.id}.${k}`), built.length) - 1],
      });
    }
    return { value: o };
  },
  flipArray: async (t, build, scope) => {
    const first = (await build(t.first)).value as unknown[];
    const then = (await build(t.then)).value as unknown[];
    const id = String(t.id);
    // Item reads are counted; one whole pass answers from `first`, every later read from `then`.
    return {
      value: new Proxy([...first], {
        get(target, key, receiver) {
          if (key === 'length') return (scope.reads[id] ?? 0) < first.length ? first.length : then.length;
          if (typeof key === 'string' && /^\d+$/.test(key)) {
            const n = counted(scope, id);
            return n <= first.length ? first[Number(key)] : then[Number(key)];
          }
          return Reflect.get(target, key, receiver);
        },
      }),
    };
  },
  proxy: async (t, build) => {
    const traps: ProxyHandler<object> = {};
    for (const trap of t.throwOn as (keyof ProxyHandler<object>)[]) (traps as Record<string, unknown>)[trap] = hostile(trap);
    const target = (await build(t.target)).value;
    return { value: new Proxy(typeof target === 'object' && target !== null ? target : {}, traps) };
  },
  forgedGpuTensor: () => ({ value: Object.create(GpuTensor.prototype) }),
  fakeGpu: async (t, build) => {
    const adapter = t.adapter === 'throws' || t.adapter === 'null' || t.adapter === 'object' ? t.adapter : (await build(t.adapter)).value;
    return {
      value: {
        requestAdapter: async () => {
          if (adapter === 'throws') throw new Error('blocked by the test');
          return adapter === 'null' ? null : adapter === 'object' ? {} : adapter;
        },
      },
    };
  },
  fakeAdapter: (t) => {
    const requestDevice = async () => {
      if (t.device === 'rejects') throw new Error('no device for the test');
      return undefined;
    };
    return { value: t.bare ? { requestDevice } : { requestDevice, limits: {}, features: new Set(), info: {} } };
  },
  ref: (t, _build, scope) => {
    if (!scope.ids.has(String(t.id))) throw new Error(`no object named '${t.id}' before its ref`);
    return { value: scope.ids.get(String(t.id)) };
  },
  named: async (t, build, scope) => {
    const { value } = await build(t.value);
    scope.ids.set(String(t.id), value);
    return { value };
  },
};

export function newScope(): Scope {
  return { ids: new Map(), reads: {}, describe: new Map(), cleanup: [] };
}

/** Builds a value, boxed: tokens by their makers (`makers` adds GPU ones), arrays and plain objects item by item. */
export async function build(value: unknown, scope: Scope, makers: Makers = {}): Promise<Box> {
  const rec = (v: unknown) => build(v, scope, makers);
  if (isToken(value)) {
    const maker = makers[value.$make] ?? BASE[value.$make];
    if (!maker) throw new Error(`no maker for '${value.$make}' on this side`);
    return maker(value, rec, scope);
  }
  if (Array.isArray(value)) {
    const out = [];
    for (const v of value) out.push((await rec(v)).value);
    return { value: out };
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    // Defined, not assigned: a '__proto__' key stays a key.
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: (await rec(v)).value, enumerable: true, writable: true, configurable: true });
    return { value: out };
  }
  return { value };
}
