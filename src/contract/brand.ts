// Whether an object is a real WebGPU object of a class (a GPUBuffer, a GPUDevice), not a
// look-alike or a Proxy of one, which WebGPU refuses with a TypeError only when it is used.

/**
 * Calls `getter` of `C`'s prototype on `v`: the platform checks that `v` is a `C` there (a Proxy
 * is not). Where the class or its getter is missing (no WebGPU globals), `v` is taken.
 */
export function branded(v: object, C: { prototype: object } | undefined, getter: string): boolean {
  const get = C ? Object.getOwnPropertyDescriptor(C.prototype, getter)?.get : undefined;
  if (!get) return true;
  try {
    get.call(v);
    return true;
  } catch {
    return false;
  }
}
