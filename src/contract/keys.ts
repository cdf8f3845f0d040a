// Runtime lists of an options interface's keys, checked against the interface at compile time:
// `keysOf<T>()([...])` fails to type-check when the list misses a key of T or names one T lacks.

type Exact<T, L extends readonly (keyof T)[]> = Exclude<keyof T, L[number]> extends never ? L : ['missing option keys', Exclude<keyof T, L[number]>];

export function keysOf<T>() {
  return <const L extends readonly (keyof T & string)[]>(list: Exact<T, L>): readonly string[] => list as readonly string[];
}
