// A deep description of a call's arguments, taken before and after the call: equal strings mean
// the library changed nothing the caller owns. It reads property descriptors, never calls a
// getter (which could count or change), and describes what it cannot read as 'unreadable'.

const fnIds = new WeakMap<object, number>();
let nextFn = 0;
const fnId = (f: object) => {
  if (!fnIds.has(f)) fnIds.set(f, ++nextFn);
  return fnIds.get(f)!;
};

function primitive(v: unknown): string | undefined {
  switch (typeof v) {
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'string': return JSON.stringify(v);
    case 'bigint': return `${v}n`;
    case 'symbol': return v.toString();
    case 'undefined': return 'undefined';
    case 'boolean': return String(v);
    case 'function': return `function#${fnId(v)}`;
  }
  return v === null ? 'null' : undefined;
}

function bytes(view: ArrayBufferView): string {
  const u8 = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  return Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * `describe` answers for objects the walk cannot see into (GPU objects: their contents are read
 * back); everything else is walked: typed arrays by their bytes, objects by their prototype and
 * own property descriptors.
 */
export async function snapshot(value: unknown, describe?: Map<object, () => Promise<string>>): Promise<string> {
  const seen = new Map<object, number>();
  const walk = async (v: unknown): Promise<string> => {
    const p = primitive(v);
    if (p !== undefined) return p;
    const o = v as object;
    if (seen.has(o)) return `#${seen.get(o)}`;
    seen.set(o, seen.size);
    const special = describe?.get(o);
    if (special) return special();
    try {
      if (ArrayBuffer.isView(o)) {
        const detached = o.buffer.byteLength === 0 && o.byteLength === 0;
        return `${o.constructor.name}(${detached ? 'empty or detached' : bytes(o)})`;
      }
      const proto = Object.getPrototypeOf(o);
      const kind = proto === null ? 'null' : proto === Object.prototype ? 'Object' : proto === Array.prototype ? 'Array' : String(proto.constructor?.name);
      const parts: string[] = [];
      for (const key of Reflect.ownKeys(o)) {
        const d = Reflect.getOwnPropertyDescriptor(o, key)!;
        const name = typeof key === 'symbol' ? key.toString() : key;
        const flags = `${d.enumerable ? 'e' : ''}${d.configurable ? 'c' : ''}${'writable' in d && d.writable ? 'w' : ''}`;
        parts.push('value' in d ? `${name}/${flags}=${await walk(d.value)}` : `${name}/${flags}=get#${d.get ? fnId(d.get) : '-'},set#${d.set ? fnId(d.set) : '-'}`);
      }
      if (Object.isFrozen(o)) parts.push('(frozen)');
      return `${kind}{${parts.join(',')}}`;
    } catch {
      return 'unreadable';
    }
  };
  return walk(value);
}

/** Object.prototype's own keys: a `__proto__` option must not add any. */
export function prototypeKeys(): string {
  return Reflect.ownKeys(Object.prototype).map(String).join(',');
}
