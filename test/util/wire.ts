// How values cross between the Node tests and the test page, both ways: JSON, with tags for what
// JSON loses (NaN, ±Infinity and -0 become null or 0; typed arrays become plain objects), so a
// test sends and receives such values as they are.

const TYPED = { Float32Array, Float64Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array };
type TypedName = keyof typeof TYPED;

function tag(_key: string, v: unknown): unknown {
  if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { $num: Object.is(v, -0) ? '-0' : String(v) };
  // The values are replaced in turn, so NaN inside a typed array is tagged too.
  if (ArrayBuffer.isView(v) && v.constructor.name in TYPED) return { $typed: v.constructor.name, values: Array.from(v as Float32Array) };
  return v;
}

function untag(_key: string, v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as { $num?: unknown; $typed?: unknown; values?: unknown };
  const keys = Object.keys(o).length;
  if (typeof o.$num === 'string' && keys === 1) return Number(o.$num);
  if (typeof o.$typed === 'string' && o.$typed in TYPED && Array.isArray(o.values) && keys === 2) return new TYPED[o.$typed as TypedName](o.values);
  return v;
}

export function encode(value: unknown): string {
  return JSON.stringify(value, tag) ?? 'null';
}

export function decode<T>(text: string): T {
  return JSON.parse(text, untag) as T;
}
