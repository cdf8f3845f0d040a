// Results with one owner and one way to free them: `out.dispose()`, or `using out = await ...`
// (Symbol.dispose, TypeScript 5.2+), frees every tensor a call made for its caller.
import { ASYNC_DISPOSE, DISPOSE, GpuTensor } from './gpu/tensor';

/**
 * A call's outputs, freed together by `dispose()` or at the end of a `using` block.
 * @example
 * using out = await wl.crossEntropy(logits, labels, { grad: true });   // freed at the block's end
 * const kept = await wl.entropy(probs);
 * kept.dispose();
 * @inline
 */
export type Result<T> = T & {
  /** Frees every tensor this result holds (not tensors you passed in, such as `gradOut`). */
  dispose(): void;
  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
};

/**
 * Makes `out` a Result: non-enumerable methods, so spreading or `Object.values(out)` still gives
 * the tensors only. Tensors in `callers` (the caller's own, e.g. an in-place input) are left alone.
 * `isTensor` says what counts as a tensor of the result (the CPU fallback's own tensors there).
 */
export function owned<T extends object>(
  out: T,
  callers: readonly unknown[] = [],
  isTensor: (v: unknown) => v is { destroy(): void } = (v): v is GpuTensor => v instanceof GpuTensor,
): Result<T> {
  const dispose = () => {
    for (const v of Object.values(out)) if (isTensor(v) && !callers.includes(v)) v.destroy();
  };
  Object.defineProperties(out, {
    dispose: { value: dispose },
    [DISPOSE]: { value: dispose },
    [ASYNC_DISPOSE]: { value: async () => dispose() },
  });
  return out as Result<T>;
}
