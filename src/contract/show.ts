// How an error message quotes the value it rejects: exactly enough to see what was wrong (a
// trailing space in a string, a -0, a Symbol), and never a throw of its own, whatever the value.

const MAX = 60;

export function show(value: unknown): string {
  try {
    switch (typeof value) {
      case 'string': return clip(JSON.stringify(value));
      case 'number': return Object.is(value, -0) ? '-0' : String(value);
      case 'bigint': return `${value}n`;
      case 'symbol': return value.toString();
      case 'undefined': return 'undefined';
      case 'boolean': return String(value);
      case 'function': return 'a function';
    }
    if (value === null) return 'null';
    if (Array.isArray(value)) return `an array of ${value.length}`;
    if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}${'length' in value ? ` of ${(value as unknown as { length: number }).length}` : ''}`;
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== 'Object' && name !== '' ? `a ${name}` : 'an object';
  } catch {
    // A proxy or getter that throws while being described.
    return 'an unreadable value';
  }
}

/** A shape as `[2, 3]`, with each entry shown safely (a Symbol or string in a shape included). */
export function showShape(shape: unknown): string {
  try {
    if (!Array.isArray(shape)) return show(shape);
    return `[${shape.map((d) => show(d)).join(', ')}]`;
  } catch {
    return 'an unreadable shape';
  }
}

/** Why a read threw, for a message: the error's own words, or the thrown value shown. */
export function whyUnreadable(e: unknown): string {
  return e instanceof Error ? e.message : show(e);
}

function clip(s: string): string {
  return s.length > MAX ? `${s.slice(0, MAX - 4)}…"` : s;
}
